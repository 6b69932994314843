"""The jury's results: the TOML the jury writes, parsed and checked against the event's award
categories and tonight's programme, every problem reported at once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.event import EventConfig
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.programme import Programme, format_duration, parse_runtime

RESULT_KEYS = frozenset(
    {
        "category",
        "winner",
        "nominees",
        "honourable_mentions",
        "citation_en",
        "citation_zh",
        "clip_start",
        "clip_end",
    }
)


# --- The results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipRange:
    """The part of the winning film shown after the winner card, in seconds from its start."""

    start_s: float
    end_s: float

    @property
    def seconds(self) -> float:
        """How long the clip runs."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class CategoryResult:
    """The jury's decision for one award: the winner, the nominees to present, a citation."""

    category: str  # the award's id in event.toml
    winner: str  # film id
    nominees: tuple[str, ...]  # film ids in the order they are presented; the winner is one
    honourable_mentions: tuple[str, ...] = ()
    citation_en: str = ""
    citation_zh: str = ""
    clip: ClipRange | None = None


@dataclass(frozen=True)
class JuryResults:
    """Every category's result. Held in memory only once opened; stored only sealed."""

    results: tuple[CategoryResult, ...]

    def for_category(self, category: str) -> CategoryResult | None:
        """The result of one award, or None if the jury gave none (e.g. the viewers' award)."""
        return next((r for r in self.results if r.category == category), None)

    @property
    def categories(self) -> tuple[str, ...]:
        """The award ids with a result, in file order."""
        return tuple(r.category for r in self.results)

    def film_ids(self) -> set[str]:
        """Every film the results name (winners, nominees, mentions)."""
        ids: set[str] = set()
        for result in self.results:
            ids.add(result.winner)
            ids.update(result.nominees)
            ids.update(result.honourable_mentions)
        return ids

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what goes inside the seal)."""
        out: list[dict[str, Any]] = []
        for r in self.results:
            item: dict[str, Any] = {
                "category": r.category,
                "winner": r.winner,
                "nominees": list(r.nominees),
                "honourable_mentions": list(r.honourable_mentions),
                "citation_en": r.citation_en,
                "citation_zh": r.citation_zh,
            }
            if r.clip is not None:
                item["clip_start"] = r.clip.start_s
                item["clip_end"] = r.clip.end_s
            out.append(item)
        return {"results": out}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JuryResults:
        """Back from `to_dict`'s form; ValueError if it is not that shape."""
        try:
            results = []
            for item in data["results"]:
                clip = None
                if "clip_start" in item:
                    clip = ClipRange(float(item["clip_start"]), float(item["clip_end"]))
                results.append(
                    CategoryResult(
                        category=str(item["category"]),
                        winner=str(item["winner"]),
                        nominees=tuple(str(n) for n in item["nominees"]),
                        honourable_mentions=tuple(str(m) for m in item["honourable_mentions"]),
                        citation_en=str(item["citation_en"]),
                        citation_zh=str(item["citation_zh"]),
                        clip=clip,
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a results record: {exc!r}") from exc
        return cls(tuple(results))


def _clip_time(value: object) -> float:
    """Seconds, or "m:ss" / "h:mm:ss"; 0 is allowed (the start of the film)."""
    if isinstance(value, bool):
        raise ValueError('expected seconds or "m:ss"')
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("must not be negative")
        return float(value)
    if isinstance(value, str) and value.strip() in ("0", "0:00", "00:00"):
        return 0.0
    return float(parse_runtime(value))


def _film_list(
    value: object, item: str, key: str, source: Path, problems: list[Problem]
) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(
            Problem(source, 'must be a list of film ids like ["F03", "F11"]', item, key)
        )
        return ()
    ids = tuple(v.strip() for v in value)
    duplicates = sorted({v for v in ids if ids.count(v) > 1})
    if duplicates:
        problems.append(Problem(source, f"names {', '.join(duplicates)} twice", item, key))
    return ids


def parse_jury_results(
    text: str, source: Path, event: EventConfig, programme: Programme
) -> JuryResults:
    """Read the jury's TOML and check it; ConfigError lists every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(source, f"is not valid TOML: {exc}")]) from exc
    problems: list[Problem] = []
    unknown_top = sorted(set(data) - {"results"})
    for key in unknown_top:
        problems.append(Problem(source, "is not a known setting (expected [[results]])", key))
    raw = data.get("results")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(source, "has no [[results]] tables"))
        raise ConfigError(problems)

    results: list[CategoryResult] = []
    for number, table in enumerate(raw, start=1):
        item = f"result #{number}"
        if not isinstance(table, dict):
            problems.append(Problem(source, "must be a table", item))
            continue
        category = table.get("category")
        if isinstance(category, str) and category:
            item = f"result '{category}'"
        else:
            problems.append(Problem(source, "is missing (the award's id)", item, "category"))
        for key in sorted(set(table) - RESULT_KEYS):
            problems.append(Problem(source, "is not a known field", item, key))
        winner = table.get("winner")
        if not isinstance(winner, str) or not winner.strip():
            problems.append(Problem(source, "is missing (the winning film's id)", item, "winner"))
            winner = None
        else:
            winner = winner.strip()
        nominees = _film_list(table.get("nominees"), item, "nominees", source, problems)
        mentions = _film_list(
            table.get("honourable_mentions"), item, "honourable_mentions", source, problems
        )
        citations: dict[str, str] = {}
        for key in ("citation_en", "citation_zh"):
            value = table.get(key, "")
            if not isinstance(value, str):
                problems.append(Problem(source, "must be text", item, key))
                value = ""
            citations[key] = value.strip()
        clip = None
        has_start, has_end = "clip_start" in table, "clip_end" in table
        if has_start != has_end:
            missing = "clip_end" if has_start else "clip_start"
            problems.append(Problem(source, "is needed with the other clip time", item, missing))
        elif has_start:
            try:
                start = _clip_time(table["clip_start"])
                end = _clip_time(table["clip_end"])
            except ValueError as exc:
                problems.append(Problem(source, str(exc), item, "clip_start / clip_end"))
            else:
                if end <= start:
                    problems.append(Problem(source, "must be after clip_start", item, "clip_end"))
                else:
                    clip = ClipRange(start, end)
        if not isinstance(category, str) or not category or winner is None:
            continue
        if not nominees:
            nominees = (winner,)
        results.append(
            CategoryResult(
                category=category.strip(),
                winner=winner,
                nominees=nominees,
                honourable_mentions=mentions,
                citation_en=citations["citation_en"],
                citation_zh=citations["citation_zh"],
                clip=clip,
            )
        )
    parsed = JuryResults(tuple(results))
    problems.extend(check_results(parsed, event, programme, source))
    if problems:
        raise ConfigError(problems)
    return parsed


def check_results(
    results: JuryResults, event: EventConfig, programme: Programme, source: Path
) -> list[Problem]:
    """What is wrong with `results` for this event and programme (empty: they fit).

    Used on the jury's file before sealing and on the opened seal before the reveal (the
    programme may have changed since). Messages name categories and film ids, never titles.
    """
    problems: list[Problem] = []
    awards = {a.id: a for a in event.awards}
    film_ids = {f.id for f in programme}
    seen: set[str] = set()
    for result in results.results:
        item = f"result '{result.category}'"
        if result.category not in awards:
            known = ", ".join(awards) or "none declared"
            problems.append(
                Problem(source, f"is not an award of this event (event.toml has: {known})", item)
            )
        if result.category in seen:
            problems.append(Problem(source, "is given twice", item, "category"))
        seen.add(result.category)
        named = [("winner", result.winner)]
        named += [("nominees", n) for n in result.nominees]
        named += [("honourable_mentions", m) for m in result.honourable_mentions]
        for key, film_id in named:
            if film_id not in film_ids:
                problems.append(Problem(source, f"'{film_id}' is not in the programme", item, key))
        if result.winner not in result.nominees:
            problems.append(
                Problem(source, f"must include the winner '{result.winner}'", item, "nominees")
            )
        if result.winner in result.honourable_mentions:
            problems.append(
                Problem(source, "must not include the winner", item, "honourable_mentions")
            )
        if result.clip is not None and result.winner in film_ids:
            runtime = programme.film(result.winner).declared_runtime_s
            if result.clip.end_s > runtime:
                problems.append(
                    Problem(
                        source,
                        f"is after the end of the winning film ({format_duration(runtime)})",
                        item,
                        "clip_end",
                    )
                )
    for award in event.awards:
        if award.kind == "jury" and award.id not in seen:
            problems.append(
                Problem(source, f"has no result for the jury award '{award.id}'", "[[results]]")
            )
    return problems
