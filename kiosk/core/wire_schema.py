"""Strict request schemas: every field of every route checked for type, range and length.

A request body is JSON from the network: anything a route does not expect (a number too big
for SQLite, ``true`` where an id belongs, a list where a name belongs, a key nobody sends,
nesting 100,000 deep) is refused with a short reason — HTTP 400 — before any work is done,
never a 500 and never a traceback in the log.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_SQLITE_INTEGER = 2**63 - 1


class SchemaError(ValueError):
    """A request that does not fit its route's schema; the message says what is wrong."""


@dataclass(frozen=True)
class Text:
    """A string of ``min_length`` to ``max_length`` characters (or one of ``choices``)."""

    max_length: int
    min_length: int = 1
    optional: bool = False  # may be missing or null
    choices: tuple[str, ...] = ()

    def check(self, name: str, value: object) -> str:
        """``value`` if it fits, else SchemaError."""
        if not isinstance(value, str) or not self.min_length <= len(value) <= self.max_length:
            raise SchemaError(
                f"{name} must be text of {self.min_length} to {self.max_length} characters"
            )
        if self.choices and value not in self.choices:
            raise SchemaError(f"{name} must be one of {', '.join(self.choices)}")
        return value


@dataclass(frozen=True)
class Integer:
    """A whole number (not a boolean) from ``minimum`` to ``maximum``."""

    minimum: int = 0
    maximum: int = MAX_SQLITE_INTEGER
    optional: bool = False

    def check(self, name: str, value: object) -> int:
        """``value`` if it fits, else SchemaError."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError(f"{name} must be a whole number")
        if not self.minimum <= value <= self.maximum:
            raise SchemaError(f"{name} must be from {self.minimum} to {self.maximum}")
        return value


@dataclass(frozen=True)
class ListOf:
    """A list of at most ``max_items`` objects, each fitting ``item``."""

    item: Schema
    max_items: int
    optional: bool = False

    def check(self, name: str, value: object) -> list[dict[str, Any]]:
        """``value`` with each item checked, else SchemaError."""
        if not isinstance(value, list) or len(value) > self.max_items:
            raise SchemaError(f"{name} must be a list of at most {self.max_items} items")
        return [self.item.check(element, f"{name}[{index}]") for index, element in enumerate(value)]


Rule = Text | Integer | ListOf


@dataclass(frozen=True)
class Schema:
    """The fields a route takes; any other key is refused."""

    fields: Mapping[str, Rule] = field(default_factory=dict)

    def check(self, data: object, where: str = "the body") -> dict[str, Any]:
        """The checked fields (missing optional ones as None), else SchemaError."""
        if not isinstance(data, dict):
            raise SchemaError(f"{where} must be a JSON object")
        unknown = sorted(str(key) for key in data if key not in self.fields)
        if unknown:
            raise SchemaError(f"{where} has fields this request does not take: {unknown[0][:40]}")
        checked: dict[str, Any] = {}
        for name, rule in self.fields.items():
            value = data.get(name)
            if value is None:
                if not rule.optional:
                    raise SchemaError(f"{name} is missing")
                checked[name] = None
                continue
            checked[name] = rule.check(name, value)
        return checked


def parse_json(raw: bytes) -> object:
    """The JSON in a request body; SchemaError (never RecursionError) if it is not JSON."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise SchemaError("the body must be JSON (UTF-8)") from exc
