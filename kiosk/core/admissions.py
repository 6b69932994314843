"""Admissions: every door decision and every scan result, made in one place.

Pure rules, no database and no network. Whoever holds the records — the event database on the
console or a door laptop, the event server for its stations, a station's downloaded ticket list
while it is offline — looks up what :class:`Lookup` asks for and calls one of the ``judge_*``
functions; the answer is a :class:`ScanResult` that the screen, the CLI (``checkin --json``) and
the server's reply all show. When the store has recorded an admission it marks the result with
:func:`admitted` (or :func:`lost_race` when another door was faster).

Offline uploads are settled here too (:func:`settle_offline`): what a station decided without
the server is kept as it happened, and a second admission of someone already in becomes a
door conflict, never a silent merge. Arrivals per time slot are counted by
:func:`arrival_buckets`, for the server, the console and an offline station alike.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kiosk.core import glossary
from kiosk.core.checkin import (
    Admission,
    Decision,
    TicketRecord,
    Verdict,
    already_in_decision,
    capacity_decision,
    decide,
    welcome_decision,
)
from kiosk.core.clock import parse_moment
from kiosk.core.stations import ListedTicket, TicketStatus
from kiosk.core.tickets import TicketCheck, TicketCodeProblem, TicketId

METHODS = ("scan", "camera", "manual", "walk-in")
ONLINE_SCAN_METHODS = ("scan", "camera")


def to_iso(moment: dt.datetime) -> str:
    """Stored form of a moment: ISO 8601 in UTC with milliseconds (sortable as text)."""
    if moment.tzinfo is None:
        raise ValueError("check-in times must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def from_iso(text: str) -> dt.datetime:
    """Read a stored moment back (aware; naive text is taken as UTC)."""
    return parse_moment(text)


def check_method(method: str) -> None:
    """ValueError unless ``method`` is one of :data:`METHODS`."""
    if method not in METHODS:
        raise ValueError(f"unknown check-in method {method!r}; expected one of {METHODS}")


@dataclass(frozen=True)
class Attempt:
    """Who asks to come in, where and how: the door, the method and the moment."""

    station: str
    method: str
    at: dt.datetime
    offline: bool = False  # decided by a door station from its ticket list, server unreachable


@dataclass(frozen=True)
class Lookup:
    """What the records say about the person a scan names, read in the deciding transaction."""

    ticket: TicketRecord | None  # the stored ticket (its holder), None if nobody holds the code
    admission: Admission | None  # the holder's active admission, if any
    admitted_count: int  # people in (only needed when it can change the verdict)
    email: str | None = None


@dataclass(frozen=True)
class ScanResult:
    """What one scan (or hand admission, or walk-in) came to, for the screen and the CLI."""

    decision: Decision
    code: str | None
    station: str
    method: str
    at: dt.datetime
    attendee_id: int | None = None
    name: str | None = None
    name_latin: str | None = None
    email: str | None = None
    admission: Admission | None = None  # the person's admission: new, or the earlier one
    checkin_id: int | None = None
    offline: bool = False  # decided by a door station from its ticket list, server unreachable

    @property
    def verdict(self) -> Verdict:
        """Shortcut to the decision's verdict."""
        return self.decision.verdict

    def to_json(self) -> dict[str, Any]:
        """The ``checkin --json`` object (docs/dev/cli-contract.md, plus details)."""
        return {
            "verdict": self.verdict.value,
            "code": self.code,
            "name": self.name,
            "name_latin": self.name_latin,
            "attendee_id": self.attendee_id,
            "at": to_iso(self.at),
            "station": self.station,
            "method": self.method,
            "admitted_at": to_iso(self.admission.at) if self.admission else None,
            "admitted_station": self.admission.station if self.admission else None,
            "message_en": _join(self.decision.headline_en, self.decision.detail_en),
            "message_zh": _join(self.decision.headline_zh, self.decision.detail_zh, "。"),
            "offline": self.offline,
        }


def _join(headline: str, detail: str, separator: str = ". ") -> str:
    return f"{headline}{separator}{detail}" if detail else headline


@dataclass(frozen=True)
class UndoneAdmission:
    """An admission annulled by Undo (the row is kept, marked annulled)."""

    checkin_id: int
    attendee_id: int
    name: str
    name_latin: str | None
    code: str | None
    at: dt.datetime
    method: str


@dataclass(frozen=True)
class AttendeeHit:
    """One search result for the door's "find by name" panel."""

    attendee_id: int
    name: str
    name_latin: str | None
    email: str | None
    status: str
    code: str | None
    admission: Admission | None
    registered_at: dt.datetime | None = None  # tells namesakes apart at the door
    phone: str | None = None  # masked before it leaves the event's machine (`mask_phone`)


@dataclass(frozen=True)
class DoorFigures:
    """The live counter: people in, registrations, the hall's capacity."""

    checked_in: int
    registered: int
    capacity: int | None
    walk_ins: int
    by_hand: int

    @property
    def places_left(self) -> int | None:
        """Free places, or ``None`` without a limit."""
        return None if self.capacity is None else max(0, self.capacity - self.checked_in)


@dataclass(frozen=True)
class ArrivalBucket:
    """People admitted in one time slot (``start`` is aware, in the event's zone)."""

    start: dt.datetime
    count: int


@dataclass(frozen=True)
class DoorConflict:
    """Two things the doors did that cannot both be true, for the console and the report."""

    id: int
    kind: str  # 'double_admission' | 'revoked_ticket'
    attendee_id: int | None
    code: str | None
    name: str | None
    first_station: str | None
    first_at: dt.datetime | None
    first_method: str | None
    second_station: str
    second_at: dt.datetime
    second_method: str
    offline: bool

    def to_json(self) -> dict[str, Any]:
        """One conflict as the API and `stations conflicts --json` give it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "attendee_id": self.attendee_id,
            "code": self.code,
            "name": self.name,
            "first_station": self.first_station,
            "first_at": to_iso(self.first_at) if self.first_at else None,
            "first_method": self.first_method,
            "second_station": self.second_station,
            "second_at": to_iso(self.second_at),
            "second_method": self.second_method,
            "offline": self.offline,
        }


# ---------------------------------------------------------------- deciding


def judge(
    check: TicketCheck | None,
    lookup: Lookup,
    attempt: Attempt,
    *,
    code: str | None,
    capacity: int | None,
    zone: dt.tzinfo,
) -> ScanResult:
    """Decide one scan (``check``: the verified scanned text) or admission by hand (``None``).

    ``code`` is the ticket code the result names (the normalised scanned text, or the holder's
    valid ticket for an admission by hand). The result carries the decision and, if the person
    is known, who they are and their earlier admission; the store records an admission only
    for :attr:`Verdict.ADMITTED` and then marks the result with :func:`admitted`.
    """
    decision = decide(check, lookup.ticket, lookup.admission, lookup.admitted_count, capacity, zone)
    return _result(decision, attempt, code, lookup)


def _result(decision: Decision, attempt: Attempt, code: str | None, lookup: Lookup) -> ScanResult:
    """The one place a scan result is put together."""
    check_method(attempt.method)
    ticket = lookup.ticket
    return ScanResult(
        decision=decision,
        code=code,
        station=attempt.station,
        method=attempt.method,
        at=attempt.at,
        attendee_id=ticket.attendee_id if ticket else None,
        name=ticket.name if ticket else None,
        name_latin=ticket.name_latin if ticket else None,
        email=lookup.email,
        admission=lookup.admission,
        offline=attempt.offline,
    )


def unlisted_decision() -> Decision:
    """Red, offline: a code-shaped text that is not in the station's list."""
    return Decision(
        Verdict.UNKNOWN_TICKET,
        glossary.TICKET_NOT_FOUND.en,
        glossary.TICKET_NOT_FOUND.zh,
        "Not in this station's ticket list (offline)",
        "此票不在本站的門票名單內（離線）",
    )


def judge_listed(
    code: str | None,
    listed: ListedTicket | None,
    lookup: Lookup,
    attempt: Attempt,
    *,
    capacity: int | None,
    zone: dt.tzinfo,
) -> ScanResult:
    """Decide a scan without the server, from the station's ticket list, by the same rules.

    ``code`` is :func:`~kiosk.core.tickets.normalise_scanned` of the scanned text (``None``:
    nothing code-shaped); ``listed`` the list's row for its digest; ``lookup.admission`` the
    holder's admission known here (from the list, or made by this station while offline).
    """
    if code is None:
        check = TicketCheck(None, TicketCodeProblem.NOT_A_TICKET_CODE, None)
        return judge(check, Lookup(None, None, 0), attempt, code=None, capacity=capacity, zone=zone)
    if listed is None:
        return _result(unlisted_decision(), attempt, code, Lookup(None, None, 0))
    ticket = listed_ticket_record(code, listed)
    check = TicketCheck(TicketId(listed.attendee_id, 0, code), None, code)
    return judge(
        check,
        dataclasses.replace(lookup, ticket=ticket),
        attempt,
        code=code,
        capacity=capacity,
        zone=zone,
    )


def listed_ticket_record(code: str, listed: ListedTicket) -> TicketRecord:
    """The ticket a row of the offline list stands for (revoked and replaced as listed)."""
    return TicketRecord(
        code=code,
        attendee_id=listed.attendee_id,
        name=listed.name,
        name_latin=listed.name_latin,
        revoked_at="listed" if listed.status is not TicketStatus.VALID else None,
        replaced=listed.status is TicketStatus.REPLACED,
    )


def judge_walk_in(
    name: str,
    name_latin: str | None,
    email: str | None,
    admitted_count: int,
    attempt: Attempt,
    *,
    capacity: int | None,
) -> ScanResult:
    """Someone registered at the door: welcome (the store then registers and admits them,
    and marks the result with :func:`registered`) unless the hall is full."""
    full = capacity is not None and admitted_count >= capacity
    decision = capacity_decision(capacity) if full and capacity is not None else welcome_decision()
    result = _result(decision, attempt, None, Lookup(None, None, admitted_count, email))
    return dataclasses.replace(result, name=name, name_latin=name_latin)


def registered(result: ScanResult, attendee_id: int, code: str) -> ScanResult:
    """A walk-in's result once the store created the attendee and their ticket."""
    return dataclasses.replace(result, attendee_id=attendee_id, code=code)


def admitted(result: ScanResult, checkin_id: int | None = None) -> ScanResult:
    """The result once its admission is recorded (``checkin_id``: the stored row, if any)."""
    admission = Admission(from_iso(to_iso(result.at)), result.station, result.method)
    return dataclasses.replace(result, admission=admission, checkin_id=checkin_id)


def lost_race(result: ScanResult, earlier: Admission, zone: dt.tzinfo) -> ScanResult:
    """Another door admitted the person between the lookup and the insert: amber, with theirs."""
    return dataclasses.replace(
        result, decision=already_in_decision(earlier, zone), admission=earlier
    )


# ---------------------------------------------------------------- offline uploads


class OfflineOutcome(Enum):
    """How a check-in a station decided offline is recorded by the server."""

    REFUSED = "refused"  # the station turned the person away: journalled only
    ANNULLED = "annulled"  # admitted and undone while offline: kept, marked annulled
    DOUBLE_ADMISSION = "double_admission"  # someone else had admitted the person: a conflict
    ADMITTED = "admitted"


@dataclass(frozen=True)
class OfflineRecord:
    """What the server made of one check-in a station decided offline."""

    outcome: OfflineOutcome
    conflict_id: int | None = None  # a door conflict it caused (double admission, cancelled)
    skew: dict[str, Any] = field(default_factory=dict)  # clock_skew and the station's time

    def to_json(self) -> dict[str, Any]:
        """The upload's answer for this check-in (``verdict`` is added by the server)."""
        answer: dict[str, Any] = {"recorded": self.outcome.value}
        if self.conflict_id is not None:
            answer["conflict"] = self.conflict_id
        return answer | self.skew


def settle_offline(
    verdict: str, attendee_id: int | None, undone: bool, earlier: Admission | None
) -> OfflineOutcome:
    """What an uploaded offline check-in becomes (``earlier``: the person's active admission
    on the server, ``undone``: the station undid it before uploading)."""
    if verdict != Verdict.ADMITTED.value or attendee_id is None:
        return OfflineOutcome.REFUSED
    if undone:
        return OfflineOutcome.ANNULLED
    if earlier is not None:
        return OfflineOutcome.DOUBLE_ADMISSION
    return OfflineOutcome.ADMITTED


# ---------------------------------------------------------------- arrivals


def arrival_buckets(
    moments: list[dt.datetime],
    bucket_minutes: int,
    zone: dt.tzinfo,
    within: tuple[dt.datetime, dt.datetime] | None = None,
) -> list[ArrivalBucket]:
    """Admissions per time slot, from the first arrival to the last, gaps as zero.

    Slots are aligned to the epoch (``bucket_minutes`` wide) and start in ``zone``.
    ``within``: only admissions in this window (the night), so one time from a door laptop
    with a wrong clock cannot stretch the chart over years of empty slots.
    """
    if bucket_minutes <= 0:
        raise ValueError("bucket_minutes must be positive")
    width = bucket_minutes * 60
    counts: dict[int, int] = {}
    first_s, last_s = (
        (int(within[0].timestamp()), int(within[1].timestamp()))
        if within is not None
        else (-(2**62), 2**62)
    )
    for moment in moments:
        second = int(moment.timestamp())
        if not first_s <= second <= last_s:
            continue
        slot = second // width
        counts[slot] = counts.get(slot, 0) + 1
    if not counts:
        return []
    return [
        ArrivalBucket(
            dt.datetime.fromtimestamp(slot * width, dt.UTC).astimezone(zone), counts.get(slot, 0)
        )
        for slot in range(min(counts), max(counts) + 1)
    ]
