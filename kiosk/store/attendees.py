"""Attendees and their tickets: applying an import atomically, listing, revoking, reissuing.

A ticket code's attendee number is ``attendees.id``; its issue number goes up by one each time
the ticket is reissued. The old row stays in ``tickets`` with ``revoked_at`` set, so an old code
is recognised at the door as *revoked*, not *unknown*. Every change is journalled in the same
transaction as the change itself.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from kiosk.core.registrations import ExistingAttendee, ImportPlan, Registration, plan_import
from kiosk.core.tickets import MAX_ISSUE_NUMBER, TicketCodec, normalise_scanned
from kiosk.store.database import transaction
from kiosk.store.errors import StoreError
from kiosk.store.journal import Journal, utc_now_iso

log = logging.getLogger(__name__)

STATUS_REGISTERED = "registered"
STATUS_GONE = "gone"
SOURCE_WALK_IN = "walk-in"  # attendees.source of people registered at the door
DEFAULT_SOURCE = "default"  # attendees.registration_source when an import names none
IMPORT_CHUNK_ROWS = 200  # rows per import transaction: about 10 ms of write lock each
_BREATH_S = 0.002  # between import chunks: a waiting door takes the write lock here


def registered_condition(alias: str = "") -> str:
    """SQL for who counts as "Registered" (glossary.REGISTERED) on every screen: on the list
    before the night and still on it. Walk-ins are counted as walk-ins, people gone from the
    latest export not at all. The door's figures, the console's Doors tab and the report all
    count with this condition, so they show one number (they showed 301 and 300)."""
    column = f"{alias}." if alias else ""
    return (
        f"{column}status = '{STATUS_REGISTERED}' "
        f"AND coalesce({column}source, '') <> '{SOURCE_WALK_IN}'"
    )


class AttendeeNotFoundError(StoreError):
    """No attendee or ticket matches what the operator typed."""


@dataclass(frozen=True)
class TicketRecord:
    """One ticket ever issued (valid while ``revoked_at`` is None)."""

    code: str
    attendee_id: int
    issue_number: int
    issued_at: str
    revoked_at: str | None
    revoked_reason: str | None

    @property
    def is_revoked(self) -> bool:
        """True once the ticket has been revoked (by a reissue or on its own)."""
        return self.revoked_at is not None


@dataclass(frozen=True)
class AttendeeRecord:
    """An attendee as listed: who, their current ticket (if any), and whether they are in."""

    id: int
    name: str
    name_latin: str | None
    email: str | None
    phone: str | None
    external_id: str | None
    registered_at: str | None
    source: str | None
    status: str
    code: str | None
    issue_number: int | None
    checked_in: bool

    @property
    def is_walk_in(self) -> bool:
        """Registered at the door tonight (counted as a walk-in, not as registered)."""
        return self.source == SOURCE_WALK_IN

    @property
    def counts_as_registered(self) -> bool:
        """The row-by-row form of `registered_condition` (the Registrations tab counts rows
        it already holds): on the list, not gone, not a walk-in."""
        return self.status == STATUS_REGISTERED and not self.is_walk_in

    @property
    def ticket_status(self) -> str:
        """``valid`` when a current ticket exists, else ``none`` (never issued or revoked)."""
        return "valid" if self.code else "none"

    def to_json(self) -> dict[str, Any]:
        """The attendee as a JSON object (`attendees list --json`)."""
        return {
            "id": self.id,
            "name": self.name,
            "name_latin": self.name_latin,
            "email": self.email,
            "phone": self.phone,
            "external_id": self.external_id,
            "code": self.code,
            "status": self.status,
            "ticket_status": self.ticket_status,
            "checked_in": self.checked_in,
        }


@dataclass(frozen=True)
class AppliedImport:
    """What an import changed: attendee ids by outcome, and the tickets it issued."""

    plan: ImportPlan
    new_ids: list[int]
    updated_ids: list[int]
    unchanged_ids: list[int]
    gone_ids: list[int]
    returned_ids: list[int] = field(default_factory=list)
    tickets_issued: int = 0


_ATTENDEE_COLUMNS = (
    "a.id, a.name, a.name_latin, a.email, a.phone, a.external_id, a.registered_at, a.source, "
    "a.status, t.code, t.issue_number, c.id IS NOT NULL"
)
_ATTENDEE_JOINS = (
    "FROM attendees a "
    "LEFT JOIN tickets t ON t.attendee_id = a.id AND t.revoked_at IS NULL "
    "LEFT JOIN checkins c ON c.attendee_id = a.id AND c.annulled_at IS NULL"
)


def _id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """``[3, 4, 5, 9]`` as ``[[3, 5], [9, 9]]``."""
    ranges: list[list[int]] = []
    for attendee_id in sorted(ids):
        if ranges and attendee_id == ranges[-1][1] + 1:
            ranges[-1][1] = attendee_id
        else:
            ranges.append([attendee_id, attendee_id])
    return ranges


ImportProgress = Callable[[int, int], None]  # (people written, people to write)


class ImportStoppedError(StoreError):
    """An import stopped on request between two chunks (what was written stays)."""


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def issue_ticket_in(
    conn: sqlite3.Connection,
    codec: TicketCodec,
    attendee_id: int,
    issue_number: int,
    issued_at: str,
) -> str:
    """Write a new ticket inside the caller's transaction (import, reissue, walk-in); its code."""
    code = codec.issue(attendee_id, issue_number)
    conn.execute(
        "INSERT INTO tickets (code, attendee_id, issue_number, issued_at) VALUES (?, ?, ?, ?)",
        (code, attendee_id, issue_number, issued_at),
    )
    return code


def _attendee(row: Sequence[Any]) -> AttendeeRecord:
    return AttendeeRecord(
        id=row[0],
        name=row[1],
        name_latin=row[2],
        email=row[3],
        phone=row[4],
        external_id=row[5],
        registered_at=row[6],
        source=row[7],
        status=row[8],
        code=row[9],
        issue_number=row[10],
        checked_in=bool(row[11]),
    )


def _ticket(row: Sequence[Any]) -> TicketRecord:
    return TicketRecord(row[0], row[1], row[2], row[3], row[4], row[5])


_TICKET_COLUMNS = "code, attendee_id, issue_number, issued_at, revoked_at, revoked_reason"


class AttendeeRepository:
    """Reads and writes attendees and tickets of one event database."""

    def __init__(self, db: sqlite_utils.Database, codec: TicketCodec) -> None:
        self._db = db
        self._codec = codec

    # --- reading ----------------------------------------------------------------------------
    def existing(self, source: str = DEFAULT_SOURCE) -> list[ExistingAttendee]:
        """Every attendee (registered or gone) of one registration source, as import planning
        needs them; walk-ins belong to no source."""
        rows = self._db.execute(
            "SELECT id, name, name_latin, email, external_id, phone FROM attendees "
            "WHERE registration_source = ? ORDER BY id",
            [source],
        )
        return [ExistingAttendee(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def plan(
        self, registrations: Sequence[Registration], source: str = DEFAULT_SOURCE
    ) -> ImportPlan:
        """What importing ``registrations`` as `source` would do: matched and reported missing
        only within that source (another source's people and walk-ins are never touched)."""
        return plan_import(self.existing(source), registrations)

    def registered_ids(self, source: str = DEFAULT_SOURCE) -> set[int]:
        """Attendees of `source` registered now (not gone): who an import can mark gone."""
        rows = self._db.execute(
            "SELECT id FROM attendees WHERE status = ? AND registration_source = ?",
            [STATUS_REGISTERED, source],
        ).fetchall()
        return {int(row[0]) for row in rows}

    def sources(self) -> list[str]:
        """The registration sources imported so far, in the order first used."""
        rows = self._db.execute(
            "SELECT registration_source FROM attendees WHERE registration_source IS NOT NULL "
            "GROUP BY registration_source ORDER BY min(id)"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def all(self) -> list[AttendeeRecord]:
        """All attendees in the order they were added, with their current ticket code."""
        rows = self._db.execute(f"SELECT {_ATTENDEE_COLUMNS} {_ATTENDEE_JOINS} ORDER BY a.id")
        return [_attendee(row) for row in rows]

    def get(self, attendee_id: int) -> AttendeeRecord | None:
        """One attendee by id."""
        row = self._db.execute(
            f"SELECT {_ATTENDEE_COLUMNS} {_ATTENDEE_JOINS} WHERE a.id = ?", [attendee_id]
        ).fetchone()
        return _attendee(row) if row else None

    def ticket(self, code: str) -> TicketRecord | None:
        """The ticket with this exact canonical code (valid or revoked), if it was ever issued."""
        row = self._db.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE code = ?", [code]
        ).fetchone()
        return _ticket(row) if row else None

    def resolve(self, code_or_id: str) -> int:
        """The attendee id meant by a ticket code (current or old) or an attendee number."""
        text = code_or_id.strip()
        if text.isdigit():
            if self.get(int(text)) is None:
                raise AttendeeNotFoundError(f"There is no attendee number {text}.")
            return int(text)
        code = normalise_scanned(text)
        ticket = self.ticket(code) if code else None
        if ticket is None:
            raise AttendeeNotFoundError(
                f"{code_or_id!r} is neither an attendee number nor a ticket of this event."
            )
        return ticket.attendee_id

    # --- writing ----------------------------------------------------------------------------
    def apply_import(
        self,
        registrations: Sequence[Registration],
        source: str,
        details: Mapping[str, Any] | None = None,
        *,
        registration_source: str = DEFAULT_SOURCE,
        chunk_rows: int = IMPORT_CHUNK_ROWS,
        progress: ImportProgress | None = None,
    ) -> AppliedImport:
        """Plan and apply an import in short transactions, issuing tickets to new attendees.

        The doors keep scanning during a large import: the plan is made from a read snapshot
        (no lock held), then new attendees (with their tickets) and updates are written
        ``chunk_rows`` at a time, each chunk its own short transaction, with a breath between
        chunks so a waiting scan gets the write lock. Statuses (gone, returned) and the journal
        entry are written last, in one transaction. Imports of one event never overlap: the
        event lock (held by the console or the ``attendees import`` command) sees to that. If
        the import is interrupted, importing the same file again completes it (people already
        written are matched, not added twice). Walk-ins registered at the door are never marked
        gone: they are not in any export. `registration_source` scopes the import: people are
        matched, added and marked gone within that source only.

        ``progress(done, total)`` is called after each chunk of new and updated people; it may
        raise (e.g. :class:`ImportStoppedError`) to stop the import there: the chunks written stay,
        and importing the same file again completes it.
        """
        now = utc_now_iso()
        plan = self.plan(registrations, registration_source)
        total = len(plan.new) + len(plan.updated)
        done = 0
        try:
            new_ids: list[int] = []
            for chunk in _chunks(plan.new, chunk_rows):
                with transaction(self._db) as conn:
                    ids = self._insert_new(conn, chunk, source, registration_source, now)
                    for attendee_id in ids:
                        issue_ticket_in(conn, self._codec, attendee_id, 0, now)
                new_ids += ids
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
                time.sleep(_BREATH_S)
            for chunk in _chunks(plan.updated, chunk_rows):
                with transaction(self._db) as conn:
                    self._update(conn, chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
                time.sleep(_BREATH_S)
            issued = len(new_ids) + self._issue_missing_in_chunks(now, chunk_rows)
            matched = [m.existing.attendee_id for m in (*plan.updated, *plan.unchanged)]
            returned, gone = self._status_changes(matched, plan.missing)
            changes = [(STATUS_REGISTERED, attendee_id) for attendee_id in returned]
            changes += [(STATUS_GONE, attendee_id) for attendee_id in gone]
            for chunk in _chunks(changes, chunk_rows):
                with transaction(self._db) as conn:
                    conn.executemany("UPDATE attendees SET status = ? WHERE id = ?", chunk)
                time.sleep(_BREATH_S)
            with transaction(self._db) as conn:
                Journal.append_in(
                    conn,
                    "attendees_imported",
                    source,
                    {
                        **dict(details or {}),
                        "registration_source": registration_source,
                        "new": len(new_ids),
                        "new_id_ranges": _id_ranges(new_ids),  # compact: 200k ids are 1 range
                        "updated": [m.existing.attendee_id for m in plan.updated],
                        "unchanged": len(plan.unchanged),
                        "gone": gone,
                        "returned": returned,
                        "tickets_issued": issued,
                    },
                )
        except sqlite3.IntegrityError as exc:
            raise StoreError(
                f"The import would break a rule of the event database ({exc}); the rest of the "
                f"import was not written. Fix the file and import it again."
            ) from exc
        applied = AppliedImport(
            plan=plan,
            new_ids=new_ids,
            updated_ids=[m.existing.attendee_id for m in plan.updated],
            unchanged_ids=[m.existing.attendee_id for m in plan.unchanged],
            gone_ids=gone,
            returned_ids=returned,
            tickets_issued=issued,
        )
        log.info(
            "imported %s: %d new, %d updated, %d unchanged, %d gone, %d tickets issued",
            source,
            len(applied.new_ids),
            len(applied.updated_ids),
            len(applied.unchanged_ids),
            len(applied.gone_ids),
            issued,
        )
        return applied

    @staticmethod
    def _insert_new(
        conn: sqlite3.Connection,
        registrations: Sequence[Registration],
        source: str,
        registration_source: str,
        now: str,
    ) -> list[int]:
        new_ids = []
        for registration in registrations:
            cursor = conn.execute(
                "INSERT INTO attendees (name, name_latin, email, phone, external_id, "
                "registered_at, source, created_at, status, registration_source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    registration.name,
                    registration.name_latin,
                    registration.email,
                    registration.phone,
                    registration.external_id,
                    registration.registered_at,
                    source,
                    now,
                    STATUS_REGISTERED,
                    registration_source,
                ),
            )
            new_ids.append(int(cursor.lastrowid or 0))
        return new_ids

    @staticmethod
    def _update(conn: sqlite3.Connection, matches: Sequence[Any]) -> None:
        for match in matches:
            incoming = match.registration
            # A blank value in the export never erases a stored one.
            conn.execute(
                "UPDATE attendees SET name = ?, name_latin = COALESCE(?, name_latin), email = ?, "
                "phone = COALESCE(?, phone), external_id = COALESCE(?, external_id), "
                "registered_at = COALESCE(registered_at, ?) WHERE id = ?",
                (
                    incoming.name,
                    incoming.name_latin,
                    incoming.email,
                    incoming.phone,
                    incoming.external_id,
                    incoming.registered_at,
                    match.existing.attendee_id,
                ),
            )

    def _status_changes(
        self, matched: Sequence[int], missing: Sequence[ExistingAttendee]
    ) -> tuple[list[int], list[int]]:
        """Who comes back (gone, in the export again) and who goes (registered, left out).

        Read without the write lock: only imports change statuses, and they never overlap.
        """
        rows = self._db.execute("SELECT id, status, source FROM attendees").fetchall()
        status = {row[0]: row[1] for row in rows}
        walk_ins = {row[0] for row in rows if row[2] == SOURCE_WALK_IN}
        returned = [attendee_id for attendee_id in matched if status[attendee_id] == STATUS_GONE]
        gone = [
            attendee.attendee_id
            for attendee in missing
            if status.get(attendee.attendee_id) == STATUS_REGISTERED
            and attendee.attendee_id not in walk_ins
        ]
        return returned, gone

    def _issue_missing_in_chunks(self, now: str, chunk_rows: int) -> int:
        """First tickets for everyone without one, a chunk per short transaction."""
        ids = [
            row[0]
            for row in self._db.execute(
                "SELECT id FROM attendees WHERE NOT EXISTS "
                "(SELECT 1 FROM tickets WHERE tickets.attendee_id = attendees.id) ORDER BY id"
            ).fetchall()
        ]
        for chunk in _chunks(ids, chunk_rows):
            with transaction(self._db) as conn:
                for attendee_id in chunk:
                    issue_ticket_in(conn, self._codec, attendee_id, 0, now)
            time.sleep(_BREATH_S)
        return len(ids)

    def _issue_missing(self, conn: sqlite3.Connection, now: str) -> int:
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM attendees WHERE NOT EXISTS "
                "(SELECT 1 FROM tickets WHERE tickets.attendee_id = attendees.id) ORDER BY id"
            )
        ]
        for attendee_id in ids:
            issue_ticket_in(conn, self._codec, attendee_id, 0, now)
        return len(ids)

    def revoke(self, code_or_id: str, reason: str | None = None) -> TicketRecord:
        """Revoke an attendee's current ticket; the code is then refused as ``revoked``."""
        attendee_id = self.resolve(code_or_id)
        now = utc_now_iso()
        with transaction(self._db) as conn:
            current = self._current(conn, attendee_id)
            if current is None:
                raise StoreError(
                    f"Attendee {attendee_id} has no valid ticket to revoke (already revoked?)."
                )
            conn.execute(
                "UPDATE tickets SET revoked_at = ?, revoked_reason = ? WHERE code = ?",
                (now, reason, current.code),
            )
            Journal.append_in(
                conn,
                "ticket_revoked",
                current.code,
                {"attendee_id": attendee_id, "reason": reason},
            )
        log.info("revoked ticket %s of attendee %d", current.code, attendee_id)
        return TicketRecord(
            current.code, attendee_id, current.issue_number, current.issued_at, now, reason
        )

    def reissue(self, code_or_id: str, reason: str | None = None) -> TicketRecord:
        """Revoke the current ticket (if any) and issue a new code with the next issue number."""
        attendee_id = self.resolve(code_or_id)
        now = utc_now_iso()
        with transaction(self._db) as conn:
            current = self._current(conn, attendee_id)
            last = conn.execute(
                "SELECT MAX(issue_number) FROM tickets WHERE attendee_id = ?", [attendee_id]
            ).fetchone()[0]
            issue_number = 0 if last is None else int(last) + 1
            if issue_number > MAX_ISSUE_NUMBER:
                raise StoreError(
                    f"Attendee {attendee_id} has had {issue_number} tickets, the most a code can "
                    f"number; check them in by hand at the door."
                )
            if current is not None:
                conn.execute(
                    "UPDATE tickets SET revoked_at = ?, revoked_reason = ? WHERE code = ?",
                    (now, reason or "reissued", current.code),
                )
            code = issue_ticket_in(conn, self._codec, attendee_id, issue_number, now)
            Journal.append_in(
                conn,
                "ticket_reissued",
                code,
                {
                    "attendee_id": attendee_id,
                    "old_code": current.code if current else None,
                    "reason": reason,
                },
            )
        log.info("reissued attendee %d's ticket as issue %d", attendee_id, issue_number)
        return TicketRecord(code, attendee_id, issue_number, now, None, None)

    @staticmethod
    def _current(conn: sqlite3.Connection, attendee_id: int) -> TicketRecord | None:
        row = conn.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE attendee_id = ? AND revoked_at IS NULL",
            [attendee_id],
        ).fetchone()
        return _ticket(row) if row else None
