"""The show report's model: the records it reads and the report it returns (plain data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.glossary import Term
from kiosk.core.report.words import FADED_TO_BLACK, INCIDENT_WORDS, cue_words, explain


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
    SOUND_LOST = "sound_lost"  # the audio output failed; the film played on without sound
    STALL = "stall"  # the console's GUI thread was held over 100 ms (kiosk.core.stalls)


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
    voted: bool = False  # this person's ticket has voted for the Viewer's Award


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
    limited: bool = False  # the gain asked for more than the players can give
    played_db: float | None = None  # the gain the players journalled at the film's start


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
        return self.in_words(zone).en

    def in_words(self, zone: dt.tzinfo | None = None) -> Term:
        """What happened, as one English and one Chinese line: the kind and the cue in words,
        a technical reason behind a plain explanation (see `kiosk.core.report.words`)."""
        kind = FADED_TO_BLACK if self.kind is IncidentKind.BLACK and self.fade_s else None
        kind = kind or INCIDENT_WORDS[self.kind.value]
        en, zh = kind.en, kind.zh
        if self.film:
            en, zh = f"{en} in {self.film}", f"{self.film} {zh}"
        elif self.cue:
            cue = cue_words(self.cue)
            en, zh = f"{en} on {cue.en}", f"{cue.zh}：{zh}"
        if self.position_s is not None and self.film:
            en += f" at {_clock(self.position_s)}"
            zh += f"（於 {_clock(self.position_s)}）"
        plain = explain(self.kind.value, self.reason) if self.reason else None
        if self.reason and plain is None:
            en, zh = f"{en}: {self.reason}", f"{zh}：{self.reason}"
        elif plain is not None:
            en, zh = f"{en}: {plain.en}", f"{zh}：{plain.zh}"
        if self.restored_at is not None:
            restored = self.restored_at.astimezone(zone or dt.UTC).strftime("%H:%M:%S")
            en += f"; restored (paused) at {restored}"
            zh += f"；{restored} 恢復（暫停中）"
        if self.duration_s is not None and self.kind is not IncidentKind.SKIP:
            en += f" ({_clock(self.duration_s)})"
            zh += f"（歷時 {_clock(self.duration_s)}）"
        elif self.until is None and self.kind in _HOLDS:
            en += " (not over when the journal ends)"
            zh += "（紀錄結束時仍未完結）"
        if self.dark_s:
            en += f"; projector dark {self.dark_s:.1f} s"
            zh += f"；投影黑畫面 {self.dark_s:.1f} 秒"
        if plain is not None:  # the player's own words, last, for whoever fixes the file
            en += f". Technical: {self.reason}"
        return Term(en, zh)

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


_HOLDS = frozenset(
    {IncidentKind.PAUSE, IncidentKind.BLACK, IncidentKind.FAILURE, IncidentKind.SOUND_LOST}
)


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
        """The object `report --json` prints (docs/dev/cli-contract.md, docs/reference/json.md)."""
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


def _applied_gain(sound: FilmSound | None) -> float | None:
    if sound is not None and sound.played_db is not None:
        return sound.played_db
    if sound is None or sound.gain_db is None:
        return None if sound is None or not sound.trim_db else sound.trim_db
    return sound.gain_db + sound.trim_db


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _clock(seconds: float) -> str:
    total = max(0, round(seconds))
    minutes, secs = divmod(total, 60)
    return f"{minutes}:{secs:02d}"
