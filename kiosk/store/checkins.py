"""Check-ins at the doors: the one place admissions are recorded, annulled and uploaded.

Every admission path goes through :class:`CheckinRepository`: the console's doors and a door
laptop on the event folder, the event server for its paired stations (online scans, hand
admissions, walk-ins, undo) and the server again for what stations decided offline
(:meth:`CheckinRepository.record_offline`). The rules and the results are
:mod:`kiosk.core.admissions`'; this module only looks up, inserts and annuls.

Each scan is verified, looked up, decided and recorded in ONE ``BEGIN IMMEDIATE`` transaction
together with its journal entry, and committed with ``synchronous=FULL`` before the verdict is
returned, so a green screen always means a durable admission. Exactly-once admission across any
number of door processes rests on the partial unique index ``checkins_once`` (one active
check-in per attendee): if another station got there first, the INSERT fails inside SQLite and
the scan is reported as already checked in, with who, when and where.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from kiosk.core import glossary
from kiosk.core.admissions import (
    ArrivalBucket,
    Attempt,
    AttendeeHit,
    DoorConflict,
    DoorFigures,
    Lookup,
    OfflineOutcome,
    OfflineRecord,
    ScanResult,
    UndoneAdmission,
    admitted,
    arrival_buckets,
    check_method,
    from_iso,
    judge,
    judge_walk_in,
    lost_race,
    registered,
    settle_offline,
    to_iso,
)
from kiosk.core.checkin import Admission, TicketRecord, Verdict
from kiosk.core.names import name_problem, name_problem_zh
from kiosk.core.registrations import is_plausible_email, normalise_email, normalise_name
from kiosk.core.stations import ListedTicket, TicketStatus, code_digest
from kiosk.core.tickets import TicketCheck, TicketCodec
from kiosk.store.attendees import issue_ticket_in, registered_condition
from kiosk.store.database import transaction
from kiosk.store.journal import Journal

if TYPE_CHECKING:
    from kiosk.core.event import EventConfig
    from kiosk.store.event_folder import EventFolder

log = logging.getLogger(__name__)

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
    "INSERT INTO checkins (attendee_id, code, station, method, at, annulled_at, annulled_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


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
        codec = TicketCodec(folder.secret_key())
        return cls(folder.open_db(), codec, capacity=config.capacity, zone=config.zone)

    @property
    def zone(self) -> dt.tzinfo:
        """The event's time zone (times on screens are shown in it)."""
        return self._zone

    def close(self) -> None:
        """Close its connection (its owner is done with it; on the thread that uses it)."""
        self._db.close()

    @property
    def capacity(self) -> int | None:
        """The hall's limit used for admissions."""
        return self._capacity

    # ---------------------------------------------------------------- scanning

    def scan(self, code_text: str, station: str, method: str, now: dt.datetime) -> ScanResult:
        """Verify scanned text and admit its holder if allowed; durable before it returns."""
        check_method(method)
        check = self._codec.check(code_text)
        attempt = Attempt(station, method, now)
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
            result = self._decide_and_admit(
                conn, check, ticket, email, attempt, check.normalised_code
            )
        log.info("scan at %s: %s %s", station, result.verdict.value, result.code)
        return result

    def admit_manually(self, attendee_id: int, station: str, now: dt.datetime) -> ScanResult:
        """Admit a person found by name (no ticket at hand); recorded as ``manual``."""
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
            attempt = Attempt(station, "manual", now)
            result = self._decide_and_admit(conn, None, ticket, email, attempt, code)
        log.info("manual admission at %s: %s #%d", station, result.verdict.value, attendee_id)
        return result

    def _decide_and_admit(
        self,
        conn: sqlite3.Connection,
        check: TicketCheck | None,
        ticket: TicketRecord | None,
        email: str | None,
        attempt: Attempt,
        code: str | None,
    ) -> ScanResult:
        """Inside the caller's transaction: look up, decide, admit if allowed, journal."""
        admission = self._active_admission(conn, ticket.attendee_id) if ticket else None
        count = self._count_if_needed(conn, ticket, admission)
        lookup = Lookup(ticket, admission, count, email)
        result = judge(check, lookup, attempt, code=code, capacity=self._capacity, zone=self._zone)
        if result.verdict is Verdict.ADMITTED and ticket is not None:
            result = self.admit(conn, result, ticket.attendee_id)
        self._journal(conn, result)
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
        attempt = Attempt(station, "walk-in", now)
        with transaction(self._db, poll_s=WRITE_POLL_S) as conn:
            count = int(conn.execute(_ADMITTED_COUNT_SQL).fetchone()[0])
            result = judge_walk_in(
                clean_name, clean_latin, clean_email, count, attempt, capacity=self._capacity
            )
            if result.verdict is Verdict.ADMITTED:
                attendee_id = self._insert_walk_in_attendee(
                    conn, clean_name, clean_latin, clean_email, stamp
                )
                code = issue_ticket_in(conn, self._codec, attendee_id, 0, stamp)
                result = self.admit(conn, registered(result, attendee_id, code), attendee_id)
                log.info("walk-in at %s: attendee #%d admitted", station, attendee_id)
            self._journal(conn, result)
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

    # ---------------------------------------------------------------- recording

    def admit(self, conn: sqlite3.Connection, result: ScanResult, attendee_id: int) -> ScanResult:
        """Record the admission a result decided, in the caller's transaction.

        The partial unique index turns a lost race (another door admitted the person since
        the lookup) into "already checked in", with the other door's admission.
        """
        try:
            checkin_id = _insert_checkin(
                conn, attendee_id, result.code, result.station, result.method, result.at
            )
        except sqlite3.IntegrityError:
            earlier = self._active_admission(conn, attendee_id)
            if earlier is None:
                raise
            log.warning("admission of #%d lost a race to %s", attendee_id, earlier.station)
            return lost_race(result, earlier, self._zone)
        return admitted(result, checkin_id)

    def annul(
        self, checkin_id: int, by: str, now: dt.datetime, code: str | None, details: dict[str, Any]
    ) -> bool:
        """Mark an active admission annulled (kept in the records) and journal it; False if
        it was annulled already."""
        with transaction(self._db, poll_s=WRITE_POLL_S) as conn:
            cursor = conn.execute(
                "UPDATE checkins SET annulled_at = ?, annulled_by = ? "
                "WHERE id = ? AND annulled_at IS NULL",
                (to_iso(now), by, checkin_id),
            )
            if cursor.rowcount == 0:
                return False
            Journal.append_in(
                conn, "checkin_annulled", code, {"checkin_id": checkin_id, "station": by} | details
            )
        return True

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
            details = {
                "attendee_id": undone.attendee_id,
                "method": undone.method,
                "admitted_at": row[5],
            }
            self.annul(undone.checkin_id, station, now, undone.code, details)
        log.info("undo at %s: admission %d annulled", station, undone.checkin_id)
        return undone

    def record_offline(
        self,
        station: str,
        method: str,
        at: dt.datetime,
        verdict: str,
        subject: tuple[int | None, str | None],
        *,
        undone_at: str | None,
        nonce: str | None,
        received: dt.datetime,
        plausible: bool = True,
    ) -> OfflineRecord:
        """Record a check-in a station decided offline, at the time and door it happened.

        ``subject``: the attendee and ticket code it was about (:meth:`offline_subject`).
        A second admission of someone already in is kept as a door conflict, never merged;
        an admission on a ticket cancelled meanwhile is recorded and reported as one too.
        ``plausible`` False (a door laptop with a wrong clock): kept at the time ``received``,
        and said so (``clock_skew``).
        """
        attendee_id, code = subject
        data: dict[str, Any] = {"station": station, "method": method, "offline": True}
        with transaction(self._db) as conn:
            skew: dict[str, Any] = {}
            if not plausible:
                skew = {"clock_skew": True, "station_time": to_iso(at)}
                Journal.append_in(
                    conn, "clock_skew", code, skew | {"station": station, "at": to_iso(received)}
                )
                at = received
            data |= skew | {"at": to_iso(at)}
            earlier = None if attendee_id is None else self._active_admission(conn, attendee_id)
            outcome = settle_offline(verdict, attendee_id, bool(undone_at), earlier)
            if outcome is OfflineOutcome.REFUSED or attendee_id is None:
                Journal.append_in(
                    conn, "checkin_refused", code, data | {"verdict": verdict or "unknown"}
                )
                return OfflineRecord(outcome, skew=skew)
            if outcome is OfflineOutcome.ANNULLED:  # admitted and undone while offline: kept
                _insert_checkin(
                    conn, attendee_id, code, station, method, at, annulled=(str(undone_at), station)
                )
                Journal.append_in(
                    conn, "checkin_annulled", code, data | {"attendee_id": attendee_id}
                )
                return OfflineRecord(outcome, skew=skew)
            second = _Conflict(attendee_id, code, station, at, method, nonce, received)
            if earlier is not None:
                double = self._add_conflict(conn, "double_admission", second, earlier)
                return OfflineRecord(outcome, double, skew)
            checkin_id = _insert_checkin(conn, attendee_id, code, station, method, at)
            Journal.append_in(
                conn, "checkin", code, data | {"attendee_id": attendee_id, "checkin_id": checkin_id}
            )
            cancelled = None
            if code is not None and _ticket_cancelled(conn, code):
                cancelled = self._add_conflict(conn, "revoked_ticket", second, None)
        return OfflineRecord(outcome, cancelled, skew)

    def offline_subject(
        self, method: str, attendee_id: object, code_text: str
    ) -> tuple[int | None, str | None]:
        """The attendee and ticket code an offline check-in was about (the signature of a
        scanned code is checked here: a station never holds the key)."""
        if method == "manual":
            if not isinstance(attendee_id, int):
                raise ValueError("an offline manual admission needs attendee_id")
            exists = self._db.execute("SELECT 1 FROM attendees WHERE id = ?", (attendee_id,))
            if exists.fetchone() is None:
                return None, None
            row = self._db.execute(
                "SELECT code FROM tickets WHERE attendee_id = ? AND revoked_at IS NULL",
                (attendee_id,),
            ).fetchone()
            return attendee_id, (row[0] if row else None)
        check = self._codec.check(code_text)
        if check.ticket is None:
            return None, check.normalised_code
        row = self._db.execute(
            "SELECT attendee_id FROM tickets WHERE code = ?", (check.ticket.code,)
        ).fetchone()
        return (None if row is None else int(row[0])), check.ticket.code

    def _add_conflict(
        self,
        conn: sqlite3.Connection,
        kind: str,
        second: _Conflict,
        first: Admission | None,
    ) -> int:
        first_at = to_iso(first.at) if first else None
        cursor = conn.execute(
            "INSERT INTO door_conflicts (kind, attendee_id, code, first_station, first_at, "
            "first_method, second_station, second_at, second_method, offline, nonce, "
            "reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (
                kind,
                second.attendee_id,
                second.code,
                first.station if first else None,
                first_at,
                first.method if first else None,
                second.station,
                to_iso(second.at),
                second.method,
                second.nonce,
                to_iso(second.received),
            ),
        )
        conflict_id = int(cursor.lastrowid or 0)
        Journal.append_in(
            conn,
            "checkin_conflict",
            second.code,
            {
                "kind": kind,
                "conflict_id": conflict_id,
                "attendee_id": second.attendee_id,
                "first_station": first.station if first else None,
                "first_at": first_at,
                "second_station": second.station,
                "second_at": to_iso(second.at),
            },
        )
        log.warning(
            "door conflict %s: attendee #%d at %s (%s) and %s (%s)",
            kind,
            second.attendee_id,
            first.station if first else None,
            first_at,
            second.station,
            to_iso(second.at),
        )
        return conflict_id

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
        """People admitted per time slot (:func:`~kiosk.core.admissions.arrival_buckets`)."""
        rows = self._db.execute("SELECT at FROM checkins WHERE annulled_at IS NULL").fetchall()
        return arrival_buckets(
            [from_iso(row[0]) for row in rows], bucket_minutes, self._zone, within
        )

    def listed_tickets(self) -> list[ListedTicket]:
        """Every ticket as a station's offline list holds it: the code's digest, the holder,
        the ticket's status and the holder's admission. Never the code, never the key."""
        rows = self._db.execute(
            """
            SELECT t.code, t.attendee_id, a.name, a.name_latin, t.revoked_at,
                   EXISTS (SELECT 1 FROM tickets n WHERE n.attendee_id = t.attendee_id
                           AND n.revoked_at IS NULL AND n.code <> t.code),
                   c.at, c.station, c.method
            FROM tickets t JOIN attendees a ON a.id = t.attendee_id
            LEFT JOIN checkins c ON c.attendee_id = t.attendee_id AND c.annulled_at IS NULL
            ORDER BY t.attendee_id, t.issue_number
            """
        ).fetchall()
        listed = []
        for code, attendee_id, name, latin, revoked_at, replaced, at, where, method in rows:
            status = TicketStatus.VALID
            if revoked_at is not None:
                status = TicketStatus.REPLACED if replaced else TicketStatus.REVOKED
            listed.append(
                ListedTicket(
                    code_digest(code),
                    attendee_id,
                    name,
                    latin,
                    status,
                    from_iso(at) if at else None,
                    where,
                    method,
                )
            )
        return listed

    def conflicts(self) -> list[DoorConflict]:
        """Every door conflict, oldest first."""
        rows = self._db.execute(
            "SELECT d.id, d.kind, d.attendee_id, d.code, a.name, d.first_station, d.first_at, "
            "d.first_method, d.second_station, d.second_at, d.second_method, d.offline "
            "FROM door_conflicts d LEFT JOIN attendees a ON a.id = d.attendee_id ORDER BY d.id"
        ).fetchall()
        return [
            DoorConflict(
                id=row[0],
                kind=row[1],
                attendee_id=row[2],
                code=row[3],
                name=row[4],
                first_station=row[5],
                first_at=from_iso(row[6]) if row[6] else None,
                first_method=row[7],
                second_station=row[8],
                second_at=from_iso(row[9]),
                second_method=row[10],
                offline=bool(row[11]),
            )
            for row in rows
        ]

    def conflict_count(self) -> int:
        """How many door conflicts there are."""
        return int(self._db.execute("SELECT count(*) FROM door_conflicts").fetchone()[0])

    def has_changed(self) -> bool:
        """True if another connection committed since the last call (cheap; for polling)."""
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        changed = version != self._data_version
        self._data_version = version
        return changed


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _insert_checkin(
    conn: sqlite3.Connection,
    attendee_id: int,
    code: str | None,
    station: str,
    method: str,
    at: dt.datetime,
    *,
    annulled: tuple[str, str] | None = None,
) -> int:
    """The one INSERT of a check-in (``annulled``: when and by whom, for one kept annulled)."""
    annulled_at, annulled_by = annulled or (None, None)
    cursor = conn.execute(
        _INSERT_CHECKIN_SQL,
        (attendee_id, code, station, method, to_iso(at), annulled_at, annulled_by),
    )
    return int(cursor.lastrowid or 0)


def _ticket_cancelled(conn: sqlite3.Connection, code: str) -> bool:
    row = conn.execute("SELECT revoked_at FROM tickets WHERE code = ?", (code,)).fetchone()
    return row is not None and row[0] is not None


@dataclass(frozen=True)
class _Conflict:
    """The second side of a door conflict: the offline admission that came in late."""

    attendee_id: int
    code: str | None
    station: str
    at: dt.datetime
    method: str
    nonce: str | None
    received: dt.datetime


def _moment_or_none(text: str | None) -> dt.datetime | None:
    """A stored registration time, or None where the export gave none (or no usable one)."""
    if not text:
        return None
    try:
        return from_iso(text)
    except ValueError:
        return None
