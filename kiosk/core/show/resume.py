"""Reading the journal back after a crash: where the show was, and whether it was under way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from kiosk.core.show.model import FilmStatus, ResumePoint

SHOW_RESET = "show_reset"  # journal kind: the show starts over from the holding slide
SHOW_CLOSED = "show_closed"  # journal kind: the app closed the show on purpose (not a crash)
SHOW_STARTED = "show_started"  # journal kind: the first GO left the holding slide

Moment = TypeVar("Moment")

_POSITION_KINDS = frozenset(
    {
        "film_started",
        "film_position",
        "film_paused",
        "film_resumed",
        "film_seeked",
        "film_restarted",
        "film_failed",
        "film_retried",
        "film_ended",
    }
)


def under_way(point: ResumePoint | None) -> bool:
    """Whether a resume point is in the middle of a show (not before it started or after it)."""
    return point is not None and point.cue_key not in ("holding", "end")


def _number(value: object, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return default


def resume_point(entries: Iterable[tuple[str, Mapping[str, object]]]) -> ResumePoint | None:
    """Where to restore after a crash, from the journal entries in order; None if none.

    A `show_reset` entry forgets everything before it (the night was started over).
    """
    cue: str | None = None
    position = 0.0
    statuses: dict[str, FilmStatus] = {}
    for kind, data in entries:
        if kind == SHOW_RESET:  # the operator started the night over: forget what came before
            cue, position, statuses = None, 0.0, {}
        elif kind in ("cue_started", "restored"):
            key = data.get("cue")
            if isinstance(key, str):
                cue, position = key, max(0.0, _number(data.get("position"), 0.0))
        elif kind in _POSITION_KINDS:
            if cue is not None and cue == f"film:{data.get('film')}":
                position = max(0.0, _number(data.get("position"), position))
        elif kind == "film_status":
            film, status = data.get("film"), data.get("status")
            if isinstance(film, str) and status in {s.value for s in FilmStatus}:
                statuses[film] = FilmStatus(status)
    if cue is None:
        return None
    return ResumePoint(cue, position, tuple(statuses.items()))


def show_started_at(entries: Iterable[tuple[str, Moment]]) -> Moment | None:
    """When the night being restored began (its first GO), from (kind, moment) journal pairs
    in order; None if it never left the holding slide since the last `show_reset`.

    A restored show counts its elapsed time from there, through the restart, not from 0:00.
    """
    started: Moment | None = None
    for kind, moment in entries:
        if kind == SHOW_RESET:
            started = None
        elif kind == SHOW_STARTED and started is None:
            started = moment
    return started


@dataclass(frozen=True)
class SoundSettings:
    """The sound as last journalled: master volume, mute and each film's trim (None: never
    set, the players keep their own)."""

    master_percent: float | None = None
    muted: bool | None = None
    trims_db: Mapping[str, float] = field(default_factory=dict)


def sound_settings(entries: Iterable[tuple[str, Mapping[str, object]]]) -> SoundSettings:
    """The last master volume, mute and trims of the journal's ``(kind, data)`` entries."""
    master: float | None = None
    muted: bool | None = None
    trims: dict[str, float] = {}
    for kind, data in entries:
        percent, trim = data.get("percent"), data.get("trim_db")
        if kind == "master_volume" and isinstance(percent, int | float):
            master = float(percent)
        elif kind == "mute":
            muted = bool(data.get("muted"))
        elif kind == "gain_trim" and isinstance(trim, int | float):
            trims[str(data.get("film"))] = float(trim)
    return SoundSettings(master, muted, trims)
