"""The show report: what the audience actually saw and who came, rebuilt from the records.

Plain Python, no Qt, no database: `build_report` takes the journal records, the check-in rows,
the attendee counts and the programme, and returns a `ShowReport`. Every figure comes from what
was recorded (the journal, the check-ins), never from the plan; the plan is only the reference
the actual times are compared with. Nothing is left out: a show that never ran says so, every
incident (pause, black, failure, skip, crash) is listed with its time, and the award reveal is
reported as award and step only -- the journal never names a winner.

How the journal is read (the show machine's record kinds, see `kiosk.core.show`):

* the report covers the show since the last `show_reset` (a rehearsal or "start over" begins a
  new run; earlier runs are counted, not hidden);
* a film's `started` is its first `film_started` (pictures on the screen), `ended` its
  `film_ended`; `played_s` adds up the wall-clock spans in which it ran (pauses, black, a
  failure and a crash stop the span);
* a `restored` record in the middle of a show means the show process stopped without ending
  the show (a crash, a kill or a quit mid-show): the projector was dark from the last record of
  the old process until the next picture (`film_started`, or a card, intermission or end cue).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.awards import REVEAL_KINDS, REVEAL_OPENED, REVEAL_RESET, REVEAL_STEP, StepKind
from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.core.show import SHOW_CLOSED, SHOW_RESET, CueKind, ShowOptions, build_cues

BUCKET_MINUTES = 5
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
        SHOW_CLOSED,
    }
)


class Outcome(Enum):
    """What became of a film tonight (the `outcome` field of `report --json`)."""

    PLAYED = "played"  # it played to its end (or is playing now, `in_progress`)
    SKIPPED = "skipped"  # the operator moved on before its end
    FAILED = "failed"  # it failed on the projector and was not played again to its end
    NOT_REACHED = "not_reached"  # the show never got to it


class IncidentKind(Enum):
    """Something that interrupted or changed the show, as listed in the report."""

    PAUSE = "pause"
    BLACK = "black"  # fade or cut to black (`fade_s` 0: cut)
    FAILURE = "failure"
    PRELOAD_FAILURE = "preload_failure"
    RETRY = "retry"
    SKIP = "skip"
    JUMP = "jump"
    BACK = "back"
    SEEK = "seek"
    RESTART = "restart"
    CRASH = "crash"  # the show process died mid-show (crash, kill, power) and was restored
    CLOSED = "closed"  # the app was closed mid-show on purpose and reopened


@dataclass(frozen=True)
class Record:
    """One journal line, as the report reads it."""

    id: int
    at: dt.datetime  # aware
    kind: str
    subject: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class CheckinRow:
    """One active (not annulled) admission."""

    at: dt.datetime  # aware
    station: str
    method: str  # scan | camera | manual | walk-in


@dataclass(frozen=True)
class AttendeeCounts:
    """Registrations as the attendees table has them."""

    registered: int  # people registered before the night (not walk-ins, not 'gone')
    registered_admitted: int  # of those, how many are in
    annulled: int = 0  # admissions undone at a door


@dataclass(frozen=True)
class FilmSound:
    """A film's loudness correction: preflight's measured gain and the operator's trim."""

    gain_db: float | None
    loudness_lufs: float | None = None
    trim_db: float = 0.0
    volume_percent: int | None = None  # libvlc's volume the players set (0-200), if known
    limited: bool = False  # the gain asked for more than libvlc's 200 % gives


@dataclass(frozen=True)
class VoteTurnout:
    """The Viewer's Award vote, turnout only (never who voted for what)."""

    open: bool
    ballots: int
    checked_in: int

    @property
    def share(self) -> float | None:
        """Ballots per person in the hall (None with nobody in)."""
        return self.ballots / self.checked_in if self.checked_in else None


@dataclass(frozen=True)
class Incident:
    """One interruption or change of the show, with when it happened and how long it lasted."""

    kind: IncidentKind
    at: dt.datetime
    film: str | None = None
    cue: str | None = None
    position_s: float | None = None  # where the film was
    until: dt.datetime | None = None  # when it was over (None: not over when the journal ends)
    dark_s: float = 0.0  # how long the projector showed nothing of the show because of it
    reason: str | None = None
    fade_s: float | None = None
    restored_at: dt.datetime | None = None  # a crash: when the console restored the show

    @property
    def duration_s(self) -> float | None:
        """How long it lasted (None while open)."""
        return None if self.until is None else (self.until - self.at).total_seconds()

    def describe(self, zone: dt.tzinfo | None = None) -> str:
        """One line in English for the report's incident list (times in `zone`, else UTC)."""
        where = f" in {self.film}" if self.film else (f" on {self.cue}" if self.cue else "")
        if self.position_s is not None and self.film:
            where += f" at {_clock(self.position_s)}"
        text = {
            IncidentKind.PAUSE: "Paused",
            IncidentKind.BLACK: "Cut to black" if not self.fade_s else "Faded to black",
            IncidentKind.FAILURE: "Film failed",
            IncidentKind.PRELOAD_FAILURE: "Could not preload",
            IncidentKind.RETRY: "Retried",
            IncidentKind.SKIP: "Skipped",
            IncidentKind.JUMP: "Jumped",
            IncidentKind.BACK: "Back",
            IncidentKind.SEEK: "Seeked",
            IncidentKind.RESTART: "Restarted from the start",
            IncidentKind.CRASH: "Show process died (crash or kill) and was restored",
            IncidentKind.CLOSED: "The app was closed mid-show and reopened",
        }[self.kind]
        text += where
        if self.reason:
            text += f": {self.reason}"
        if self.restored_at is not None:
            restored = self.restored_at.astimezone(zone or dt.UTC).strftime("%H:%M:%S")
            text += f"; restored (paused) at {restored}"
        if self.duration_s is not None and self.kind is not IncidentKind.SKIP:
            text += f" ({_clock(self.duration_s)})"
        elif self.until is None and self.kind in _HOLDS:
            text += " (not over when the journal ends)"
        if self.dark_s:
            text += f"; projector dark {self.dark_s:.1f} s"
        return text

    def to_json(self) -> dict[str, Any]:
        """The incident object of `report --json`."""
        return {
            "kind": self.kind.value,
            "at": _iso(self.at),
            "film": self.film,
            "cue": self.cue,
            "position_s": _round(self.position_s),
            "until": _iso(self.until) if self.until else None,
            "duration_s": _round(self.duration_s),
            "dark_s": round(self.dark_s, 1),
            "reason": self.reason,
            "fade_s": self.fade_s,
            "restored_at": _iso(self.restored_at) if self.restored_at else None,
            "text": self.describe(),
        }


_HOLDS = frozenset({IncidentKind.PAUSE, IncidentKind.BLACK, IncidentKind.FAILURE})


@dataclass(frozen=True)
class FilmReport:
    """One film: planned against actual, how long it played, what happened to it."""

    id: str
    position: int
    title_en: str
    title_zh: str
    planned_start: dt.datetime
    planned_end: dt.datetime
    planned_s: float
    started: dt.datetime | None
    ended: dt.datetime | None
    played_s: float
    outcome: Outcome
    in_progress: bool
    incidents: tuple[Incident, ...]
    sound: FilmSound | None = None
    segments: tuple[Span, ...] = ()  # when it was running on the screen
    cued: dt.datetime | None = None  # when its cue came up (it may never have shown a picture)
    left: dt.datetime | None = None  # when the show moved on from it

    def to_json(self) -> dict[str, Any]:
        """The film object of `report --json`."""
        sound = self.sound
        return {
            "id": self.id,
            "position": self.position,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "planned_start": _iso(self.planned_start),
            "planned_end": _iso(self.planned_end),
            "planned_s": self.planned_s,
            "cued": _iso(self.cued) if self.cued else None,
            "started": _iso(self.started) if self.started else None,
            "ended": _iso(self.ended) if self.ended else None,
            "played_s": round(self.played_s, 1),
            "late_s": _round(
                (self.started - self.planned_start).total_seconds() if self.started else None
            ),
            "outcome": self.outcome.value,
            "in_progress": self.in_progress,
            "incidents": [i.to_json() for i in self.incidents],
            "segments": [
                {"start": _iso(span.start), "end": _iso(span.end) if span.end else None}
                for span in self.segments
            ],
            "gain_db": _round(_applied_gain(sound)),
            "preflight_gain_db": _round(sound.gain_db if sound else None),
            "trim_db": _round(sound.trim_db if sound else None),
            "loudness_lufs": _round(sound.loudness_lufs if sound else None),
            "volume_percent": sound.volume_percent if sound else None,
            "gain_limited": sound.limited if sound else False,
        }


@dataclass(frozen=True)
class Span:
    """A stretch of the night on the timeline (intermission, black, darkness...)."""

    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class RevealStepRecord:
    """One step the award reveal reached: when, which award, what kind of step."""

    at: dt.datetime
    step: int
    kind: str
    award: str | None


@dataclass(frozen=True)
class RevealReport:
    """The award reveal as journalled: steps reached, awards whose winner was announced."""

    opened: dt.datetime | None
    steps: tuple[RevealStepRecord, ...]
    total_steps: int | None
    announced: tuple[str, ...]  # award ids whose winner card was shown
    resets: int

    def to_json(self) -> dict[str, Any]:
        """The `reveal` object of `report --json`."""
        return {
            "opened": _iso(self.opened) if self.opened else None,
            "total_steps": self.total_steps,
            "steps": [
                {"at": _iso(s.at), "step": s.step, "kind": s.kind, "award": s.award}
                for s in self.steps
            ],
            "announced": list(self.announced),
            "resets": self.resets,
        }


@dataclass(frozen=True)
class CheckinReport:
    """Who came: registrations against admissions, refusals, stations, arrivals over time."""

    registered: int
    admitted: int
    no_shows: int
    walk_ins: int
    by_hand: int
    annulled: int
    refused: dict[str, int]
    per_station: dict[str, dict[str, int]]
    arrivals: tuple[tuple[dt.datetime, int], ...]  # (5-minute slot start, people)
    first_admission: dt.datetime | None
    last_admission: dt.datetime | None
    peak_per_5min: int
    peak_slot: dt.datetime | None
    peak_per_min: int
    time_to_50_s: float | None  # from the first admission until half of all were in
    time_to_90_s: float | None
    capacity: int | None
    admission_times: tuple[dt.datetime, ...] = ()  # every active admission, in order

    def to_json(self) -> dict[str, Any]:
        """The `checkins` object of `report --json`."""
        return {
            "registered": self.registered,
            "admitted": self.admitted,
            "no_shows": self.no_shows,
            "walk_ins": self.walk_ins,
            "by_hand": self.by_hand,
            "annulled": self.annulled,
            "refused": dict(self.refused),
            "refused_total": sum(self.refused.values()),
            "per_station": {k: dict(v) for k, v in self.per_station.items()},
            "arrivals_per_5min": [{"start": _iso(s), "count": c} for s, c in self.arrivals],
            "first_admission": _iso(self.first_admission) if self.first_admission else None,
            "last_admission": _iso(self.last_admission) if self.last_admission else None,
            "peak_per_5min": self.peak_per_5min,
            "peak_slot": _iso(self.peak_slot) if self.peak_slot else None,
            "peak_per_min": self.peak_per_min,
            "time_to_50_s": _round(self.time_to_50_s),
            "time_to_90_s": _round(self.time_to_90_s),
            "capacity": self.capacity,
        }


class ShowState(Enum):
    """Where the show stands in the journal."""

    NOT_STARTED = "not_started"  # no show was opened, or it never left the holding slide
    UNDER_WAY = "under_way"  # started, not ended (running now, or the journal stops mid-show)
    ENDED = "ended"


@dataclass(frozen=True)
class ShowReport:
    """The whole report: the show, its incidents, the doors, the reveal, the vote."""

    event_name_en: str
    event_name_zh: str
    programme_en: str
    programme_zh: str
    zone: str
    made_at: dt.datetime
    state: ShowState
    planned_start: dt.datetime
    doors_planned: dt.datetime | None  # event.toml's doors_open, if set
    started: dt.datetime | None
    ended: dt.datetime | None
    last_record: dt.datetime | None
    earlier_runs: int
    films: tuple[FilmReport, ...]
    incidents: tuple[Incident, ...]  # every incident of the run, in time order
    intermission: Span | None
    planned_intermission_s: float | None
    checkins: CheckinReport
    reveal: RevealReport
    vote: VoteTurnout | None
    dark_s: float

    @property
    def tz(self) -> dt.tzinfo:
        """The event's time zone (every time in the report is shown in it)."""
        return ZoneInfo(self.zone)

    def local(self, moment: dt.datetime | None, fmt: str = "%H:%M:%S") -> str:
        """A moment as the event's local clock time, or an em dash."""
        return moment.astimezone(self.tz).strftime(fmt) if moment else "—"

    @property
    def played(self) -> int:
        """Films that played to their end."""
        return sum(1 for f in self.films if f.outcome is Outcome.PLAYED and not f.in_progress)

    def count(self, outcome: Outcome) -> int:
        """Films with this outcome."""
        return sum(1 for f in self.films if f.outcome is outcome)

    def to_json(self) -> dict[str, Any]:
        """The object `report --json` prints (DESIGN section 4 and README)."""
        return {
            "event": {"name_en": self.event_name_en, "name_zh": self.event_name_zh},
            "programme": {"name_en": self.programme_en, "name_zh": self.programme_zh},
            "timezone": self.zone,
            "made_at": _iso(self.made_at),
            "show": {
                "state": self.state.value,
                "planned_start": _iso(self.planned_start),
                "doors_planned": _iso(self.doors_planned) if self.doors_planned else None,
                "started": _iso(self.started) if self.started else None,
                "ended": _iso(self.ended) if self.ended else None,
                "last_record": _iso(self.last_record) if self.last_record else None,
                "earlier_runs": self.earlier_runs,
                "played": self.played,
                "skipped": self.count(Outcome.SKIPPED),
                "failed": self.count(Outcome.FAILED),
                "not_reached": self.count(Outcome.NOT_REACHED),
            },
            "films": [f.to_json() for f in self.films],
            "incidents": [i.to_json() for i in self.incidents],
            "intermission": (
                None
                if self.intermission is None
                else {
                    "start": _iso(self.intermission.start),
                    "end": _iso(self.intermission.end) if self.intermission.end else None,
                    "planned_s": self.planned_intermission_s,
                }
            ),
            "checkins": self.checkins.to_json(),
            "reveal": self.reveal.to_json(),
            "vote": (
                None
                if self.vote is None
                else {
                    "open": self.vote.open,
                    "ballots": self.vote.ballots,
                    "checked_in": self.vote.checked_in,
                }
            ),
            "dark_s": round(self.dark_s, 1),
        }


# --- building ---------------------------------------------------------------------------


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


def build_report(
    event: EventConfig,
    programme: Programme,
    records: Sequence[Record],
    checkins: Sequence[CheckinRow],
    attendees: AttendeeCounts,
    *,
    made_at: dt.datetime,
    sound: Mapping[str, FilmSound] | None = None,
    vote: VoteTurnout | None = None,
) -> ShowReport:
    """The report of the night from its records (journal in id order, active check-ins)."""
    zone = ZoneInfo(event.timezone)
    # every time in the report is in the event's zone (the store keeps UTC)
    records = tuple(dataclasses.replace(r, at=r.at.astimezone(zone)) for r in records)
    checkins = tuple(dataclasses.replace(c, at=c.at.astimezone(zone)) for c in checkins)
    resets = [i for i, r in enumerate(records) if r.kind == SHOW_RESET]
    run, again = _last_run(records[resets[-1] + 1 :] if resets else records)
    earlier = _earlier_runs(records, resets) + again
    walk = _walk_show(programme, [r for r in run if r.kind in SHOW_KINDS])
    planned = _planned(event, programme, zone)
    films = tuple(
        _film_report(film.id, programme, walk, planned, (sound or {}).get(film.id))
        for film in programme.films
    )
    incidents = tuple(sorted(walk.incidents, key=lambda i: i.at))
    state = (
        ShowState.ENDED
        if walk.ended
        else ShowState.UNDER_WAY
        if walk.started
        else ShowState.NOT_STARTED
    )
    intermission = (
        Span(walk.intermission_start, walk.intermission_end) if walk.intermission_start else None
    )
    pause = programme.intermission
    show_start = dt.datetime.combine(event.date, event.start, zone)
    return ShowReport(
        event_name_en=event.name_en,
        event_name_zh=event.name_zh,
        programme_en=programme.name_en,
        programme_zh=programme.name_zh,
        zone=event.timezone,
        made_at=made_at,
        state=state,
        planned_start=show_start,
        doors_planned=(
            dt.datetime.combine(event.date, event.doors_open, zone) if event.doors_open else None
        ),
        started=walk.started,
        ended=walk.ended,
        last_record=walk.last_show_at,
        earlier_runs=earlier,
        films=films,
        incidents=incidents,
        intermission=intermission,
        planned_intermission_s=pause.minutes * 60 if pause else None,
        checkins=_checkin_report(records, checkins, attendees, event.capacity or None),
        reveal=_reveal_report(records),
        vote=vote,
        dark_s=sum(i.dark_s for i in incidents),
    )


def _last_run(records: Sequence[Record]) -> tuple[Sequence[Record], int]:
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


def _earlier_runs(records: Sequence[Record], resets: list[int]) -> int:
    """Runs before the last reset that got past the holding slide (rehearsals, restarts)."""
    count = 0
    bounds = [-1, *resets]
    for start, stop in itertools.pairwise(bounds):
        if any(r.kind == "show_started" for r in records[start + 1 : stop]):
            count += 1
    return count


def _planned(
    event: EventConfig, programme: Programme, zone: ZoneInfo
) -> dict[str, tuple[dt.datetime, float]]:
    """Each film's planned start and length: the event's start plus the cues before it."""
    cues = build_cues(programme, ShowOptions.from_event(event))
    at = dt.datetime.combine(event.date, event.start, zone)
    planned: dict[str, tuple[dt.datetime, float]] = {}
    for cue in cues:
        if cue.kind is CueKind.FILM and cue.film is not None:
            planned[cue.film.id] = (at, cue.seconds)
        at += dt.timedelta(seconds=cue.seconds)
    return planned


def _walk_show(programme: Programme, records: Sequence[Record]) -> _Walk:
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
    if film is None:
        _picture(walk, record.at)  # a restored card or intermission is up at once (paused)
    walk.cue = cue
    walk.paused = cue is not None and (cue.startswith(("film:", "card:")) or cue == "intermission")
    walk.black = walk.failed = False


def _film_report(
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


def _checkin_report(
    records: Sequence[Record],
    rows: Sequence[CheckinRow],
    attendees: AttendeeCounts,
    capacity: int | None,
) -> CheckinReport:
    refused: dict[str, int] = {}
    per_station: dict[str, dict[str, int]] = {}
    for record in records:
        if record.kind != "checkin_refused":
            continue
        reason = str(record.data.get("verdict") or "unknown")
        refused[reason] = refused.get(reason, 0) + 1
        station = str(record.data.get("station") or "?")
        counts = per_station.setdefault(station, {"admitted": 0, "refused": 0})
        counts["refused"] += 1
    times = sorted(r.at for r in rows)
    for row in rows:
        counts = per_station.setdefault(row.station, {"admitted": 0, "refused": 0})
        counts["admitted"] += 1
    arrivals = tuple(arrivals_per_slot(times, BUCKET_MINUTES))
    peak = max(arrivals, key=lambda a: a[1], default=None)
    walk_ins = sum(1 for r in rows if r.method == "walk-in")
    return CheckinReport(
        registered=attendees.registered,
        admitted=len(rows),
        no_shows=max(0, attendees.registered - attendees.registered_admitted),
        walk_ins=walk_ins,
        by_hand=sum(1 for r in rows if r.method == "manual"),
        annulled=attendees.annulled,
        refused=dict(sorted(refused.items(), key=lambda kv: (-kv[1], kv[0]))),
        per_station=dict(sorted(per_station.items())),
        arrivals=arrivals,
        first_admission=times[0] if times else None,
        last_admission=times[-1] if times else None,
        peak_per_5min=peak[1] if peak else 0,
        peak_slot=peak[0] if peak else None,
        peak_per_min=peak_in_window(times, dt.timedelta(minutes=1)),
        time_to_50_s=time_to_share(times, 0.5),
        time_to_90_s=time_to_share(times, 0.9),
        capacity=capacity,
        admission_times=tuple(times),
    )


def arrivals_per_slot(times: Sequence[dt.datetime], minutes: int) -> list[tuple[dt.datetime, int]]:
    """People admitted per slot of `minutes`, first to last slot, empty slots as zero."""
    if not times:
        return []
    width = minutes * 60
    slots: dict[int, int] = {}
    for moment in times:
        slot = int(moment.timestamp()) // width
        slots[slot] = slots.get(slot, 0) + 1
    zone = times[0].tzinfo
    return [
        (dt.datetime.fromtimestamp(s * width, dt.UTC).astimezone(zone), slots.get(s, 0))
        for s in range(min(slots), max(slots) + 1)
    ]


def peak_in_window(times: Sequence[dt.datetime], window: dt.timedelta) -> int:
    """The most admissions within any `window` (a sliding window over sorted times)."""
    best, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def time_to_share(times: Sequence[dt.datetime], share: float) -> float | None:
    """Seconds from the first admission until `share` of all admitted people were in."""
    if not times:
        return None
    needed = max(1, math.ceil(len(times) * share - 1e-9))
    return (times[needed - 1] - times[0]).total_seconds()


def _reveal_report(records: Sequence[Record]) -> RevealReport:
    reveal = [r for r in records if r.kind in REVEAL_KINDS]
    resets = [i for i, r in enumerate(reveal) if r.kind == REVEAL_RESET]
    run = reveal[resets[-1] + 1 :] if resets else reveal
    opened = next((r for r in run if r.kind == REVEAL_OPENED), None)
    steps: list[RevealStepRecord] = []
    for record in run:
        if record.kind == REVEAL_STEP and isinstance(record.data.get("step"), int):
            award = record.data.get("award")
            steps.append(
                RevealStepRecord(
                    record.at,
                    int(record.data["step"]),
                    str(record.data.get("kind") or "?"),
                    award if isinstance(award, str) else None,
                )
            )
    winner = StepKind.WINNER.value
    announced = tuple(dict.fromkeys(s.award for s in steps if s.kind == winner and s.award))
    total = opened.data.get("steps") if opened else None
    return RevealReport(
        opened=opened.at if opened else None,
        steps=tuple(steps),
        total_steps=total if isinstance(total, int) else None,
        announced=announced,
        resets=len(resets),
    )


def _applied_gain(sound: FilmSound | None) -> float | None:
    if sound is None or sound.gain_db is None:
        return None if sound is None or not sound.trim_db else sound.trim_db
    return sound.gain_db + sound.trim_db


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _clock(seconds: float) -> str:
    total = max(0, round(seconds))
    minutes, secs = divmod(total, 60)
    return f"{minutes}:{secs:02d}"
