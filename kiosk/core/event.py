"""The event's own settings (`event.toml`): name, date and times, venue, capacity, awards."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.clock import DEFAULT_TIMEZONE, zone_named
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.remote import RemoteSettings, remote_settings_from_dict
from kiosk.core.vote_settings import VoteSettings, vote_settings_from_dict

AWARD_KINDS = ("jury", "audience")


@dataclass(frozen=True)
class AwardCategory:
    """One award announced at the end of the night, in reveal order."""

    id: str
    name_en: str
    name_zh: str
    kind: str = "jury"  # "jury": sealed results; "audience": from the viewers' vote


@dataclass(frozen=True)
class EventConfig:
    """Everything about the night that is not a film or a person."""

    source: Path
    name_en: str
    name_zh: str
    date: dt.date
    start: dt.time
    end: dt.time
    venue_en: str
    venue_zh: str
    capacity: int
    programme_file: Path
    timezone: str = DEFAULT_TIMEZONE  # IANA name; every time shown is on this clock
    doors_open: dt.time | None = None
    loudness_target_lufs: float = -23.0
    title_card_seconds: float = 8.0
    min_film_seconds: int = 0
    awards: tuple[AwardCategory, ...] = ()
    vote: VoteSettings = field(default_factory=VoteSettings)  # [vote]: the Viewer's Award
    remote: RemoteSettings = field(default_factory=RemoteSettings)  # [remote]: OSC, booth

    @property
    def zone(self) -> dt.tzinfo:
        """The event's time zone (checked when event.toml is read)."""
        return zone_named(self.timezone)

    @property
    def scheduled_minutes(self) -> float:
        """Minutes from the scheduled start to the scheduled end (across midnight if needed)."""
        start = dt.datetime.combine(self.date, self.start)
        end = dt.datetime.combine(self.date, self.end)
        if end <= start:
            end += dt.timedelta(days=1)
        return (end - start).total_seconds() / 60


def _time(value: object) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def load_event_config(path: Path) -> EventConfig:
    """Read and validate `event.toml`; ConfigError lists every problem found."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            [Problem(path, f"cannot read the event settings: {exc.strerror}")]
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(path, f"is not valid TOML: {exc}")]) from exc
    return event_config_from_dict(data, path)


def event_config_from_dict(data: Mapping[str, Any], path: Path) -> EventConfig:
    """Validate an already-parsed `event.toml` table."""
    problems: list[Problem] = []

    def need(table: Mapping[str, Any], item: str, key: str, kind: type | tuple[type, ...]) -> Any:
        value = table.get(key)
        if value is None:
            problems.append(Problem(path, "is missing", item, key))
        elif isinstance(value, bool) or not isinstance(value, kind):
            problems.append(Problem(path, f"has the wrong type: {value!r}", item, key))
            return None
        return value

    event = data.get("event")
    if not isinstance(event, dict):
        raise ConfigError([Problem(path, "has no [event] table")])
    show = data.get("show", {})
    if not isinstance(show, dict):
        problems.append(Problem(path, "must be a table", "[show]"))
        show = {}

    name_en = need(event, "[event]", "name_en", str)
    name_zh = need(event, "[event]", "name_zh", str)
    venue_en = need(event, "[event]", "venue_en", str)
    venue_zh = need(event, "[event]", "venue_zh", str)
    capacity = need(event, "[event]", "capacity", int)
    if isinstance(capacity, int) and capacity <= 0:
        problems.append(Problem(path, "must be more than 0", "[event]", "capacity"))
    programme = need(event, "[event]", "programme", str)
    date = event.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        problems.append(Problem(path, "must be a date like 2026-12-05", "[event]", "date"))
        date = None
    times: dict[str, dt.time | None] = {}
    for key in ("start", "end", "doors_open"):
        value = event.get(key)
        times[key] = _time(value)
        if times[key] is None and (value is not None or key != "doors_open"):
            problems.append(Problem(path, "must be a time like 19:30", "[event]", key))

    target = show.get("loudness_target_lufs", -23.0)
    if isinstance(target, bool) or not isinstance(target, int | float) or not -40 <= target <= -5:
        problems.append(
            Problem(path, "must be from -40 to -5 LUFS", "[show]", "loudness_target_lufs")
        )
        target = -23.0
    card = show.get("title_card_seconds", 8.0)
    if isinstance(card, bool) or not isinstance(card, int | float) or not 0 <= card <= 60:
        problems.append(Problem(path, "must be from 0 (off) to 60", "[show]", "title_card_seconds"))
        card = 8.0
    min_film = show.get("min_film_seconds", 0)
    if isinstance(min_film, bool) or not isinstance(min_film, int) or min_film < 0:
        problems.append(Problem(path, "must be a whole number >= 0", "[show]", "min_film_seconds"))
        min_film = 0

    timezone = event.get("timezone", DEFAULT_TIMEZONE)
    if not isinstance(timezone, str) or not timezone.strip():
        problems.append(
            Problem(path, "must be a time zone like 'Asia/Hong_Kong'", "[event]", "timezone")
        )
        timezone = DEFAULT_TIMEZONE
    else:
        try:
            zone_named(timezone.strip())
        except ValueError as exc:
            problems.append(Problem(path, str(exc), "[event]", "timezone"))
        timezone = timezone.strip()

    awards: list[AwardCategory] = []
    raw_awards = data.get("awards", [])
    for index, table in enumerate(raw_awards if isinstance(raw_awards, list) else [], start=1):
        item = f"award #{index}"
        if not isinstance(table, dict):
            problems.append(Problem(path, "must be a table", item))
            continue
        award_id = need(table, item, "id", str)
        en = need(table, item, "name_en", str)
        zh = need(table, item, "name_zh", str)
        kind = table.get("kind", "jury")
        if kind not in AWARD_KINDS:
            problems.append(Problem(path, f"must be one of {AWARD_KINDS}", item, "kind"))
        elif award_id and en and zh:
            if any(a.id == award_id for a in awards):
                problems.append(Problem(path, f"'{award_id}' is declared twice", item, "id"))
            awards.append(AwardCategory(award_id, en, zh, kind))

    vote = vote_settings_from_dict(data.get("vote"), path, problems)
    remote = remote_settings_from_dict(data.get("remote"), path, problems)

    if problems or date is None:
        raise ConfigError(problems)
    programme_path = Path(programme).expanduser()
    if not programme_path.is_absolute():
        programme_path = path.parent / programme_path
    return EventConfig(
        source=path,
        name_en=name_en,
        name_zh=name_zh,
        date=date,
        start=times["start"],  # type: ignore[arg-type]  # checked above
        end=times["end"],  # type: ignore[arg-type]
        doors_open=times["doors_open"],
        venue_en=venue_en,
        venue_zh=venue_zh,
        capacity=capacity,
        programme_file=programme_path,
        timezone=timezone,
        loudness_target_lufs=float(target),
        title_card_seconds=float(card),
        min_film_seconds=min_film,
        awards=tuple(awards),
        vote=vote,
        remote=remote,
    )
