"""Precise, user-facing validation problems shared by the programme and event loaders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a configuration file, located as precisely as we can."""

    file: Path
    message: str
    item: str | None = None  # e.g. "film F03" or "award best-film"
    field: str | None = None

    def __str__(self) -> str:
        where = [str(self.file)]
        if self.item:
            where.append(self.item)
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}"


class ConfigError(Exception):
    """A configuration file that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
