"""Reading the show's journal: one run of the show, film by film, with its incidents."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.core import stalls
from kiosk.core.programme import Programme
from kiosk.core.report.model import (
    FilmReport,
    FilmSound,
    Incident,
    IncidentKind,
    Outcome,
    Record,
    Span,
)
from kiosk.core.show import SHOW_CLOSED

SHOW_KINDS = frozenset(
    {
        "cue_started",
        "restored",
        "show_started",
        "show_ended",
        "film_status",
        "film_started",
        "film_position",
        "film_paused",
        "film_resumed",
        "countdown_paused",
        "countdown_resumed",
        "film_seeked",
        "film_restarted",
        "film_retried",
        "film_failed",
        "preload_failed",
        "film_ended",
        "back",
        "skipped",
        "jumped",
        "black",
        "unblack",
        "go_ignored",
        "intermission_over",
        "audio_lost",
        "audio_back",
        stalls.JOURNAL_KIND,
        SHOW_CLOSED,
    }
)


@dataclass
class _FilmFacts:
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    left: dt.datetime | None = None
    played_s: float = 0.0
    segments: list[Span] = field(default_factory=list)
    status: str | None = None
    reached: bool = False
    cued: dt.datetime | None = None  # when its cue first came up
    skipped: bool = False
    incidents: list[Incident] = field(default_factory=list)


@dataclass
class _Walk:
    """The journal walker's state while it reads one run of the show."""

    films: dict[str, _FilmFacts]
    cue: str | None = None
    running_since: dt.datetime | None = None
    paused: bool = False
    black: bool = False
    failed: bool = False
    open_holds: dict[IncidentKind, int] = field(default_factory=dict)  # kind -> incident index
    dark_since: list[int] = field(default_factory=list)  # incidents waiting for a picture
    incidents: list[Incident] = field(default_factory=list)
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    intermission_start: dt.datetime | None = None
    intermission_end: dt.datetime | None = None
    last_show_at: dt.datetime | None = None
    closed: bool = False  # the last show record is the app's own `show_closed`

    @property
    def film(self) -> str | None:
        cue = self.cue
        return cue.split(":", 1)[1] if cue and cue.startswith("film:") else None


def last_run(records: Sequence[Record]) -> tuple[Sequence[Record], int]:
    """The records of the last run, and how many runs ended before it without a reset: a
    `show_started` after a `show_ended` comes from a fresh show (the console reopened on an
    ended show and the show was run again), never from the same one."""
    cut, runs, ended, holding = 0, 0, None, None
    for index, record in enumerate(records):
        if record.kind == "show_ended":
            ended, holding = index, None
        elif record.kind == "cue_started" and record.data.get("cue") == "holding":
            holding = index  # a fresh show opens on the holding slide
        elif record.kind == "show_started" and ended is not None:
            start = holding if holding is not None else ended + 1
            cut, runs, ended, holding = start, runs + 1, None, None
    return records[cut:], runs


def earlier_runs(records: Sequence[Record], resets: list[int]) -> int:
    """Runs before the last reset that got past the holding slide (rehearsals, restarts)."""
    count = 0
    bounds = [-1, *resets]
    for start, stop in itertools.pairwise(bounds):
        if any(r.kind == "show_started" for r in records[start + 1 : stop]):
            count += 1
    return count


def walk_show(programme: Programme, records: Sequence[Record]) -> _Walk:
    walk = _Walk(films={f.id: _FilmFacts() for f in programme.films})
    for record in records:
        _step(walk, record)
        walk.last_show_at = record.at
        walk.closed = record.kind == SHOW_CLOSED
    if walk.running_since is not None and walk.film and walk.last_show_at:
        _stop_running(walk, walk.last_show_at)
    return walk


def _facts(walk: _Walk, film_id: object) -> _FilmFacts | None:
    return walk.films.get(film_id) if isinstance(film_id, str) else None


def _add(walk: _Walk, incident: Incident) -> int:
    walk.incidents.append(incident)
    facts = _facts(walk, incident.film)
    if facts is not None:
        facts.incidents.append(incident)
    return len(walk.incidents) - 1


def _replace_incident(walk: _Walk, index: int, **changes: Any) -> None:
    old = walk.incidents[index]
    new = Incident(**{**old.__dict__, **changes})
    walk.incidents[index] = new
    facts = _facts(walk, old.film)
    if facts is not None:
        facts.incidents = [new if i is old else i for i in facts.incidents]


def _stop_running(walk: _Walk, at: dt.datetime) -> None:
    film = walk.film
    if walk.running_since is not None and film is not None and film in walk.films:
        facts = walk.films[film]
        facts.played_s += max(0.0, (at - walk.running_since).total_seconds())
        facts.segments.append(Span(walk.running_since, at))
    walk.running_since = None


def _maybe_run(walk: _Walk, at: dt.datetime) -> None:
    """Start the film's span if its pictures are up and nothing holds it."""
    facts = _facts(walk, walk.film)
    if facts is None or facts.started is None or facts.ended is not None:
        return
    if not (walk.paused or walk.black or walk.failed) and walk.running_since is None:
        walk.running_since = at


def _picture(walk: _Walk, at: dt.datetime) -> None:
    """Something of the show is on the screen again: close the dark periods waiting for it."""
    for index in walk.dark_since:
        incident = walk.incidents[index]
        dark = max(0.0, (at - incident.at).total_seconds())
        changes: dict[str, Any] = {"dark_s": dark}
        if incident.kind in (IncidentKind.CRASH, IncidentKind.CLOSED):
            changes["until"] = at
        _replace_incident(walk, index, **changes)
    walk.dark_since = []


def _close_hold(walk: _Walk, kind: IncidentKind, at: dt.datetime, *, dark: bool = False) -> None:
    index = walk.open_holds.pop(kind, None)
    if index is None:
        return
    changes: dict[str, Any] = {"until": at}
    if dark:
        changes["dark_s"] = max(0.0, (at - walk.incidents[index].at).total_seconds())
    _replace_incident(walk, index, **changes)


def _step(walk: _Walk, record: Record) -> None:
    at, data, kind = record.at, record.data, record.kind
    film_id = data.get("film")
    position = _number(data.get("position"))
    match kind:
        case "cue_started":
            _leave_cue(walk, at)
            cue = data.get("cue")
            walk.cue = cue if isinstance(cue, str) else None
            walk.paused = walk.black = walk.failed = False
            facts = _facts(walk, walk.film)
            if facts is not None:
                facts.reached = True
                facts.cued = facts.cued or at
            if walk.cue == "intermission":
                walk.intermission_start = at
                walk.intermission_end = None
            if walk.cue is not None and not walk.cue.startswith("film:"):
                _picture(walk, at)
        case "restored":
            _restored(walk, record)
        case "show_started":
            walk.started = walk.started or at
        case "show_ended":
            walk.ended = at
        case "film_status":
            facts = _facts(walk, film_id)
            if facts is not None:
                facts.status = str(data.get("status"))
        case "film_started" | "film_position":
            facts = _facts(walk, film_id)
            # a position before any film_started also means pictures are up
            first = kind == "film_started" or (facts is not None and facts.started is None)
            if facts is not None and film_id == walk.film and walk.dark_since and not first:
                _picture(walk, at)  # the film's positions again after a crash: it is back
            if facts is not None and film_id == walk.film and first:
                facts.started = facts.started or at
                _picture(walk, at)
                _close_hold(walk, IncidentKind.FAILURE, at)
                walk.failed = False
                _maybe_run(walk, at)
        case "film_paused" | "countdown_paused":
            _stop_running(walk, at)
            walk.paused = True
            walk.open_holds[IncidentKind.PAUSE] = _add(
                walk, Incident(IncidentKind.PAUSE, at, _str(film_id), walk.cue, position)
            )
        case "film_resumed" | "countdown_resumed":
            walk.paused = False
            _close_hold(walk, IncidentKind.PAUSE, at)
            _maybe_run(walk, at)
        case "black":
            _stop_running(walk, at)
            walk.black = True
            fade = _number(data.get("fade"))
            incident = Incident(IncidentKind.BLACK, at, walk.film, walk.cue, None, fade_s=fade)
            walk.open_holds[IncidentKind.BLACK] = _add(walk, incident)
        case "unblack":
            walk.black = False
            _close_hold(walk, IncidentKind.BLACK, at, dark=True)
            _maybe_run(walk, at)
        case "film_failed":
            _stop_running(walk, at)
            walk.failed = True
            reason = _str(data.get("reason"))
            incident = Incident(IncidentKind.FAILURE, at, _str(film_id), walk.cue, position)
            index = _add(walk, Incident(**{**incident.__dict__, "reason": reason}))
            walk.open_holds[IncidentKind.FAILURE] = index
            walk.dark_since.append(index)
        case "preload_failed":
            reason = _str(data.get("reason"))
            _add(walk, Incident(IncidentKind.PRELOAD_FAILURE, at, _str(film_id), reason=reason))
        case "film_retried":
            _add(walk, Incident(IncidentKind.RETRY, at, _str(film_id), walk.cue, position))
        case "film_ended":
            facts = _facts(walk, film_id)
            if facts is not None:
                _stop_running(walk, at)
                facts.ended = at
        case "skipped":
            cue = _str(data.get("cue"))
            skipped = cue.split(":", 1)[1] if cue and cue.startswith("film:") else None
            facts = _facts(walk, skipped)
            if facts is not None:
                facts.skipped = True
            _add(walk, Incident(IncidentKind.SKIP, at, skipped, cue))
        case "jumped":
            cue = _str(data.get("cue"))
            origin = _str(data.get("from"))
            left = origin.split(":", 1)[1] if origin and origin.startswith("film:") else None
            _add(walk, Incident(IncidentKind.JUMP, at, left, origin, reason=f"to {cue}"))
        case "back":
            cue = _str(data.get("cue"))
            left = cue.split(":", 1)[1] if cue and cue.startswith("film:") else None
            _add(walk, Incident(IncidentKind.BACK, at, left, cue))
        case "film_seeked":
            _add(walk, Incident(IncidentKind.SEEK, at, _str(film_id), walk.cue, position))
        case "film_restarted":
            _add(walk, Incident(IncidentKind.RESTART, at, _str(film_id), walk.cue, position))
        case "audio_lost":  # lasts across cues until the sound is back (or a restore)
            if IncidentKind.SOUND_LOST not in walk.open_holds:
                device, why = _str(data.get("device")), _str(data.get("reason"))
                reason = ": ".join(part for part in (device, why) if part) or None
                incident = Incident(IncidentKind.SOUND_LOST, at, walk.film, walk.cue, reason=reason)
                walk.open_holds[IncidentKind.SOUND_LOST] = _add(walk, incident)
        case "audio_back":
            _close_hold(walk, IncidentKind.SOUND_LOST, at)
        case stalls.JOURNAL_KIND:
            held = data.get("ms")
            ms = f"{held:.0f}" if isinstance(held, int | float) else "?"
            reason = f"GUI thread held {ms} ms by {_str(data.get('handler')) or 'unknown'}"
            _add(walk, Incident(IncidentKind.STALL, at, walk.film, walk.cue, reason=reason))
        case _:  # volume, mute, GO refused, intermission over...: not incidents
            pass


def _leave_cue(walk: _Walk, at: dt.datetime) -> None:
    """The show moves to another cue: close the current film's span and open holds."""
    _stop_running(walk, at)
    facts = _facts(walk, walk.film)
    if facts is not None:
        facts.left = at
    for kind in (IncidentKind.PAUSE, IncidentKind.FAILURE):
        _close_hold(walk, kind, at)
    _close_hold(walk, IncidentKind.BLACK, at, dark=True)
    if walk.cue == "intermission":
        walk.intermission_end = at


def _restored(walk: _Walk, record: Record) -> None:
    """The console (re)opened a show from the journal; mid-show that means the old process
    stopped: the projector went dark at the old process's last record."""
    cue = _str(record.data.get("cue"))
    under_way = walk.started is not None and walk.ended is None
    stopped = walk.last_show_at
    if not under_way or stopped is None or cue in (None, "holding", "end"):
        walk.cue = cue
        return
    _stop_running(walk, stopped)
    _picture(walk, stopped)  # a failure's darkness ends where the crash's begins: no overlap
    for kind in list(walk.open_holds):
        _close_hold(walk, kind, stopped, dark=kind is IncidentKind.BLACK)
    position = _number(record.data.get("position"))
    film = cue.split(":", 1)[1] if cue and cue.startswith("film:") else None
    kind = IncidentKind.CLOSED if walk.closed else IncidentKind.CRASH
    incident = Incident(kind, stopped, film, cue, position, restored_at=record.at)
    walk.dark_since = [*walk.dark_since, _add(walk, incident)]
    if cue == "intermission":
        _picture(walk, record.at)  # a restored intermission is up at once (paused)
    # a restored film or title card stays dark until GO (the console restores them under black)
    walk.cue = cue
    walk.paused = cue is not None and (cue.startswith(("film:", "card:")) or cue == "intermission")
    walk.black = walk.failed = False


def film_report(
    film_id: str,
    programme: Programme,
    walk: _Walk,
    planned: Mapping[str, tuple[dt.datetime, float]],
    sound: FilmSound | None,
) -> FilmReport:
    film = programme.film(film_id)
    facts = walk.films[film_id]
    start, seconds = planned[film_id]
    on_now = walk.film == film_id and walk.ended is None and facts.ended is None
    if not facts.reached:
        outcome = Outcome.NOT_REACHED
    elif facts.ended is not None or facts.status == "played":
        outcome = Outcome.PLAYED
    elif facts.status == "failed":
        outcome = Outcome.FAILED
    elif on_now:
        outcome = Outcome.PLAYED if facts.started else Outcome.NOT_REACHED
    else:
        outcome = Outcome.SKIPPED
    ended = facts.ended or (None if on_now else facts.left if facts.started else None)
    return FilmReport(
        id=film.id,
        position=film.position,
        title_en=film.title_en,
        title_zh=film.title_zh,
        planned_start=start,
        planned_end=start + dt.timedelta(seconds=seconds),
        planned_s=seconds,
        started=facts.started,
        ended=ended,
        played_s=facts.played_s,
        outcome=outcome,
        in_progress=on_now and facts.reached,
        incidents=tuple(facts.incidents),
        sound=sound,
        segments=tuple(facts.segments),
        cued=facts.cued,
        left=facts.left,
    )


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
