"""Check-ins at the doors: scans, hand admissions, walk-ins, undo, search and live figures.

Each scan is verified, looked up, decided and recorded in ONE ``BEGIN IMMEDIATE`` transaction
together with its journal entry, and committed with ``synchronous=FULL`` before the verdict is
returned, so a green screen always means a durable admission. Exactly-once admission across any
number of door processes rests on the partial unique index ``checkins_once`` (one active
check-in per attendee): if another station got there first, the INSERT fails inside SQLite and
the scan is reported as already checked in, with who, when and where.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlite_utils

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
from kiosk.core.names import name_problem, name_problem_zh
from kiosk.core.registrations import is_plausible_email, normalise_email, normalise_name
from kiosk.core.tickets import TicketCodec
from kiosk.store.attendees import issue_ticket_in, registered_condition
from kiosk.store.database import transaction
from kiosk.store.errors import StoreError
from kiosk.store.journal import Journal

if TYPE_CHECKING:
    from kiosk.core.event import EventConfig
    from kiosk.store.event_folder import EventFolder

log = logging.getLogger(__name__)

METHODS = ("scan", "camera", "manual", "walk-in")
WRITE_POLL_S = 0.001  # a scan asks for the write lock every ms while an import commits chunks
SEARCH_LIMIT = 50
_CODE_FRAGMENT = re.compile(r"[0-9A-Z-]{3,}")

# Created on open (idempotent), not by a migration: they only speed up reads.
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS checkins_station ON checkins(station, id)",
    "CREATE INDEX IF NOT EXISTS attendees_status ON attendees(status)",
)

_ATTENDEE_TICKET_SQL = """
    SELECT t.code, t.attendee_id, a.name, a.name_latin, a.email, t.revoked_at, t.revoked_reason,
           EXISTS (SELECT 1 FROM tickets n WHERE n.attendee_id = t.attendee_id
                   AND n.revoked_at IS NULL AND n.code <> t.code)
    FROM tickets t JOIN attendees a ON a.id = t.attendee_id
    WHERE t.code = ?
"""
_ACTIVE_ADMISSION_SQL = (
    "SELECT id, at, station, method FROM checkins WHERE attendee_id = ? AND annulled_at IS NULL"
)
_ADMITTED_COUNT_SQL = "SELECT count(*) FROM checkins WHERE annulled_at IS NULL"
_INSERT_CHECKIN_SQL = (
    "INSERT INTO checkins (attendee_id, code, station, method, at) VALUES (?, ?, ?, ?, ?)"
)


def to_iso(moment: dt.datetime) -> str:
    """Stored form of a moment: ISO 8601 in UTC with milliseconds (sortable as text)."""
    if moment.tzinfo is None:
        raise ValueError("check-in times must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def from_iso(text: str) -> dt.datetime:
    """Read a stored moment back (aware, UTC)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


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


class CheckinRepository:
    """Admissions of one event database, as seen by one door station or the CLI."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        codec: TicketCodec,
        *,
        capacity: int | None,
        zone: dt.tzinfo,
    ) -> None:
        self._db = db
        self._codec = codec
        self._capacity = capacity
        self._zone = zone
        self._data_version: int | None = None
        conn = db.conn
        conn.execute("PRAGMA synchronous = FULL")  # a green screen must survive a power cut
        for statement in _INDEXES:
            conn.execute(statement)

    @classmethod
    def for_event(cls, folder: EventFolder, config: EventConfig) -> CheckinRepository:
        """The repository every door, the CLI and the console use on an event."""
        try:
            zone = ZoneInfo(config.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise StoreError(f"event.toml: unknown time zone {config.timezone!r}") from exc
        codec = TicketCodec(folder.secret_key())
        return cls(folder.open_db(), codec, capacity=config.capacity, zone=zone)

    @property
    def zone(self) -> dt.tzinfo:
        """The event's time zone (times on screens are shown in it)."""
        return self._zone

    @property
    def capacity(self) -> int | None:
        """The hall's limit used for admissions."""
        return self._capacity

    # ---------------------------------------------------------------- scanning

    def scan(self, code_text: str, station: str, method: str, now: dt.datetime) -> ScanResult:
        """Verify scanned text and admit its holder if allowed; durable before it returns."""
        _check_method(method)
        check = self._codec.check(code_text)
        stamp = to_iso(now)
        with transaction(self._db, poll_s=WRITE_POLL_S) as conn:
            ticket: TicketRecord | None = None
            email: str | None = None
            if check.ticket is not None:
                row = conn.execute(_ATTENDEE_TICKET_SQL, (check.ticket.code,)).fetchone()
                if row is not None:
                    ticket = TicketRecord(
                        code=row[0],
                        attendee_id=row[1],
                        name=row[2],
                        name_latin=row[3],
                        revoked_at=row[5],
                        revoked_reason=row[6],
                        replaced=bool(row[7]),
                    )
                    email = row[4]
            admission = self._active_admission(conn, ticket.attendee_id) if ticket else None
            count = self._count_if_needed(conn, ticket, admission)
            decision = decide(check, ticket, admission, count, self._capacity, self._zone)
            result = ScanResult(
                decision=decision,
                code=check.normalised_code,
                station=station,
                method=method,
                at=now,
                attendee_id=ticket.attendee_id if ticket else None,
                name=ticket.name if ticket else None,
                name_latin=ticket.name_latin if ticket else None,
                email=email,
                admission=admission,
            )
            if decision.verdict is Verdict.ADMITTED and ticket is not None:
                result = self._insert_admission(conn, result, ticket.attendee_id, stamp)
            self._journal(conn, result)
        log.info("scan at %s: %s %s", station, result.verdict.value, result.code)
        return result

    def admit_manually(self, attendee_id: int, station: str, now: dt.datetime) -> ScanResult:
        """Admit a person found by name (no ticket at hand); recorded as ``manual``."""
        return self._admit_person(attendee_id, station, "manual", now)

    def _admit_person(
        self, attendee_id: int, station: str, method: str, now: dt.datetime
    ) -> ScanResult:
        with transaction(self._db, poll_s=WRITE_POLL_S) as conn:
            row = conn.execute(
                "SELECT a.name, a.name_latin, a.email, "
                "(SELECT code FROM tickets t WHERE t.attendee_id = a.id AND t.revoked_at IS NULL) "
                "FROM attendees a WHERE a.id = ?",
                (attendee_id,),
            ).fetchone()
            if row is None:
                raise LookupError(f"There is no attendee number {attendee_id} in this event.")
            name, name_latin, email, code = row
            ticket = TicketRecord(code or "", attendee_id, name, name_latin)
            admission = self._active_admission(conn, attendee_id)
            count = self._count_if_needed(conn, ticket, admission)
            decision = decide(None, ticket, admission, count, self._capacity, self._zone)
            result = ScanResult(
                decision=decision,
                code=code,
                station=station,
                method=method,
                at=now,
                attendee_id=attendee_id,
                name=name,
                name_latin=name_latin,
                email=email,
                admission=admission,
            )
            if decision.verdict is Verdict.ADMITTED:
                result = self._insert_admission(conn, result, attendee_id, to_iso(now))
            self._journal(conn, result)
        log.info("%s admission at %s: %s #%d", method, station, result.verdict.value, attendee_id)
        return result

    def walk_in(
        self,
        name: str,
        name_latin: str | None,
        email: str | None,
        station: str,
        now: dt.datetime,
    ) -> ScanResult:
        """Register someone at the door and admit them, if the hall has room, atomically.

        Creates the attendee, their ticket and the check-in in one transaction. Raises
        ValueError (bilingual, specific) for a missing name or a malformed e-mail address.
        """
        clean_name = normalise_name(name or "")
        clean_latin = normalise_name(name_latin or "") or None
        clean_email = normalise_email(email or "") or None
        if not clean_name and clean_latin:
            clean_name = clean_latin
        for raw, cleaned in ((name or "", clean_name), (name_latin or "", clean_latin or "")):
            problem = name_problem(raw, cleaned)
            if problem:
                raise ValueError(f"{problem.capitalize()}. / {name_problem_zh(raw, cleaned)}。")
        if not clean_name:
            raise ValueError(f"A {glossary.WALK_IN.en} needs a name. / 請輸入姓名。")
        if clean_email and not is_plausible_email(clean_email):
            raise ValueError(
                f"'{clean_email}' is not an e-mail address. / 「{clean_email}」不是有效的電郵地址。"
            )
        stamp = to_iso(now)
        with transaction(self._db, poll_s=WRITE_POLL_S) as conn:
            count = int(conn.execute(_ADMITTED_COUNT_SQL).fetchone()[0])
            if self._capacity is not None and count >= self._capacity:
                result = ScanResult(
                    decision=capacity_decision(self._capacity),
                    code=None,
                    station=station,
                    method="walk-in",
                    at=now,
                    name=clean_name,
                    name_latin=clean_latin,
                    email=clean_email,
                )
                self._journal(conn, result)
                return result
            attendee_id = self._insert_walk_in_attendee(
                conn, clean_name, clean_latin, clean_email, stamp
            )
            code = issue_ticket_in(conn, self._codec, attendee_id, 0, stamp)
            result = ScanResult(
                decision=welcome_decision(),
                code=code,
                station=station,
                method="walk-in",
                at=now,
                attendee_id=attendee_id,
                name=clean_name,
                name_latin=clean_latin,
                email=clean_email,
            )
            result = self._insert_admission(conn, result, attendee_id, stamp)
            self._journal(conn, result)
        log.info("walk-in at %s: attendee #%d admitted", station, attendee_id)
        return result

    @staticmethod
    def _insert_walk_in_attendee(
        conn: sqlite3.Connection, name: str, name_latin: str | None, email: str | None, stamp: str
    ) -> int:
        cursor = conn.execute(
            "INSERT INTO attendees (name, name_latin, email, registered_at, source, created_at) "
            "VALUES (?, ?, ?, ?, 'walk-in', ?)",
            (name, name_latin, email, stamp, stamp),
        )
        return int(cursor.lastrowid or 0)

    def undo_last(self, station: str, now: dt.datetime) -> UndoneAdmission | None:
        """Annul the latest active admission made at this station (kept, marked annulled)."""
        with transaction(self._db, poll_s=WRITE_POLL_S) as conn:
            row = conn.execute(
                "SELECT c.id, c.attendee_id, a.name, a.name_latin, c.code, c.at, c.method "
                "FROM checkins c JOIN attendees a ON a.id = c.attendee_id "
                "WHERE c.station = ? AND c.annulled_at IS NULL ORDER BY c.id DESC LIMIT 1",
                (station,),
            ).fetchone()
            if row is None:
                return None
            undone = UndoneAdmission(
                row[0], row[1], row[2], row[3], row[4], from_iso(row[5]), row[6]
            )
            conn.execute(
                "UPDATE checkins SET annulled_at = ?, annulled_by = ? WHERE id = ?",
                (to_iso(now), station, undone.checkin_id),
            )
            Journal.append_in(
                conn,
                "checkin_annulled",
                undone.code,
                {
                    "checkin_id": undone.checkin_id,
                    "attendee_id": undone.attendee_id,
                    "station": station,
                    "method": undone.method,
                    "admitted_at": row[5],
                },
            )
        log.info("undo at %s: admission %d annulled", station, undone.checkin_id)
        return undone

    # ---------------------------------------------------------------- helpers

    def _active_admission(self, conn: sqlite3.Connection, attendee_id: int) -> Admission | None:
        row = conn.execute(_ACTIVE_ADMISSION_SQL, (attendee_id,)).fetchone()
        return None if row is None else Admission(from_iso(row[1]), row[2], row[3])

    def _count_if_needed(
        self, conn: sqlite3.Connection, ticket: TicketRecord | None, admission: Admission | None
    ) -> int:
        """People in, counted inside the transaction, only when it can change the verdict."""
        if self._capacity is None or ticket is None or admission is not None:
            return 0
        return int(conn.execute(_ADMITTED_COUNT_SQL).fetchone()[0])

    def _insert_admission(
        self, conn: sqlite3.Connection, result: ScanResult, attendee_id: int, stamp: str
    ) -> ScanResult:
        """INSERT the check-in; the unique index turns a lost race into "already checked in"."""
        try:
            cursor = conn.execute(
                _INSERT_CHECKIN_SQL,
                (attendee_id, result.code, result.station, result.method, stamp),
            )
        except sqlite3.IntegrityError:
            earlier = self._active_admission(conn, attendee_id)
            if earlier is None:
                raise
            log.warning("admission of #%d lost a race to %s", attendee_id, earlier.station)
            return _replace(
                result, decision=already_in_decision(earlier, self._zone), admission=earlier
            )
        admission = Admission(from_iso(stamp), result.station, result.method)
        return _replace(result, admission=admission, checkin_id=int(cursor.lastrowid or 0))

    @staticmethod
    def _journal(conn: sqlite3.Connection, result: ScanResult) -> None:
        kind = "checkin" if result.verdict is Verdict.ADMITTED else "checkin_refused"
        Journal.append_in(
            conn,
            kind,
            result.code,
            {
                "verdict": result.verdict.value,
                "attendee_id": result.attendee_id,
                "station": result.station,
                "method": result.method,
                "checkin_id": result.checkin_id,
            },
        )

    # ---------------------------------------------------------------- reading

    def search(
        self, text: str, limit: int = SEARCH_LIMIT, *, by_code: bool = True
    ) -> list[AttendeeHit]:
        """People whose Chinese or Latin name, e-mail or ticket code contains ``text``.

        Names starting with the text come first. Case-insensitive for Latin letters; full-width
        input (a Chinese input method left on) is read as half-width for e-mail and codes.
        ``by_code`` False: codes are not searched (a remote station could otherwise rebuild a
        code one character at a time from which fragments find someone).
        """
        query = normalise_name(text)
        if not query:
            return []
        folded = unicodedata.normalize("NFKC", query)
        patterns = {f"%{_escape_like(query)}%", f"%{_escape_like(folded)}%"}
        conditions = [
            f"{column} LIKE ? ESCAPE '\\'"
            for _pattern in sorted(patterns)
            for column in ("name", "name_latin")
        ] + ["email LIKE ? ESCAPE '\\'"]
        params: list[Any] = [p for p in sorted(patterns) for _ in range(2)]
        params.append(f"%{_escape_like(folded)}%")
        code_part = folded.upper().replace(" ", "")
        hits_sql = f"SELECT id FROM attendees WHERE {' OR '.join(conditions)}"
        if by_code and _CODE_FRAGMENT.fullmatch(code_part):  # only then part of a ticket code
            hits_sql += (
                " UNION SELECT attendee_id FROM tickets "
                "WHERE revoked_at IS NULL AND code LIKE ? ESCAPE '\\'"
            )
            params.append(f"%{_escape_like(code_part)}%")
        prefix = f"{_escape_like(query)}%"
        params += [prefix, prefix, limit]
        rows = self._db.execute(
            f"""
            WITH hits(id) AS ({hits_sql})
            SELECT a.id, a.name, a.name_latin, a.email, a.status,
                   (SELECT code FROM tickets t WHERE t.attendee_id = a.id AND t.revoked_at IS NULL),
                   c.at, c.station, c.method, a.registered_at, a.phone
            FROM hits JOIN attendees a ON a.id = hits.id
            LEFT JOIN checkins c ON c.attendee_id = a.id AND c.annulled_at IS NULL
            ORDER BY (a.name LIKE ? ESCAPE '\\' OR a.name_latin LIKE ? ESCAPE '\\') DESC,
                     coalesce(a.name_latin, a.name), a.name
            LIMIT ?
            """,  # only placeholders are interpolated above
            params,
        ).fetchall()
        return [
            AttendeeHit(
                attendee_id=row[0],
                name=row[1],
                name_latin=row[2],
                email=row[3],
                status=row[4],
                code=row[5],
                admission=Admission(from_iso(row[6]), row[7], row[8]) if row[6] else None,
                registered_at=_moment_or_none(row[9]),
                phone=row[10],
            )
            for row in rows
        ]

    def figures(self) -> DoorFigures:
        """People in, registrations and the capacity, read in one snapshot."""
        row = self._db.execute(
            f"""
            SELECT
              (SELECT count(*) FROM checkins WHERE annulled_at IS NULL),
              (SELECT count(*) FROM attendees WHERE {registered_condition()}),
              (SELECT count(*) FROM checkins WHERE annulled_at IS NULL AND method = 'walk-in'),
              (SELECT count(*) FROM checkins WHERE annulled_at IS NULL AND method = 'manual')
            """
        ).fetchone()
        return DoorFigures(int(row[0]), int(row[1]), self._capacity, int(row[2]), int(row[3]))

    def arrivals(
        self,
        bucket_minutes: int = 5,
        within: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> list[ArrivalBucket]:
        """People admitted per time slot, from the first arrival to the last, gaps as zero.

        ``within``: only admissions in this window (the night), so one time from a door
        laptop with a wrong clock cannot stretch the chart over years of empty slots."""
        if bucket_minutes <= 0:
            raise ValueError("bucket_minutes must be positive")
        width = bucket_minutes * 60
        first_s, last_s = (
            (int(within[0].timestamp()), int(within[1].timestamp()))
            if within is not None
            else (-(2**62), 2**62)
        )
        rows = self._db.execute(
            "SELECT CAST(strftime('%s', at) AS INTEGER) / ? AS slot, count(*) FROM checkins "
            "WHERE annulled_at IS NULL AND CAST(strftime('%s', at) AS INTEGER) BETWEEN ? AND ? "
            "GROUP BY slot ORDER BY slot",
            (width, first_s, last_s),
        ).fetchall()
        if not rows:
            return []
        counts = {int(slot): int(count) for slot, count in rows}
        first, last = min(counts), max(counts)
        return [
            ArrivalBucket(
                dt.datetime.fromtimestamp(slot * width, dt.UTC).astimezone(self._zone),
                counts.get(slot, 0),
            )
            for slot in range(first, last + 1)
        ]

    def has_changed(self) -> bool:
        """True if another connection committed since the last call (cheap; for polling)."""
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        changed = version != self._data_version
        self._data_version = version
        return changed


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown check-in method {method!r}; expected one of {METHODS}")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _replace(result: ScanResult, **changes: Any) -> ScanResult:
    return dataclasses.replace(result, **changes)


def _moment_or_none(text: str | None) -> dt.datetime | None:
    """A stored registration time, or None where the export gave none (or no usable one)."""
    if not text:
        return None
    try:
        return from_iso(text)
    except ValueError:
        return None
