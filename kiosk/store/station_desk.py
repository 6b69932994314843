"""What the event server does for door stations, on the event database, exactly once.

Every request that changes state carries a client nonce. The desk looks the nonce up, does the
work and stores the answer under the nonce in ONE ``BEGIN IMMEDIATE`` transaction (the check-in
repository joins it), so a retried request — the reply lost, the server killed before answering
— gets the same answer and never admits twice. A nonce used by another station is refused.

Check-ins a station made while it could not reach the server arrive later in an upload. Each
is recorded at the time and station where it happened; if the person had been admitted
elsewhere meanwhile, the second admission is kept in ``door_conflicts`` (who, where, when, both
sides) and journalled as ``checkin_conflict``, never merged silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlite_utils

from kiosk.core.checkin import Verdict, mask_email, mask_phone
from kiosk.core.station_clock import NightWindow
from kiosk.core.stations import TicketStatus, code_digest
from kiosk.core.tickets import TicketCodec
from kiosk.store.checkins import METHODS, CheckinRepository, from_iso, to_iso
from kiosk.store.database import transaction
from kiosk.store.errors import AuditedError, AuditWriter, StoreError
from kiosk.store.journal import Journal
from kiosk.store.station_wire import (
    figures_to_wire,
    hit_to_wire,
    result_to_wire,
    undone_to_wire,
)

log = logging.getLogger(__name__)

MAX_NONCE_LENGTH = 80
MAX_UPLOAD_ITEMS = 2000  # stations send 500 at a time; 2000 fit the 1 MiB body cap
LIST_CACHE_AGE = dt.timedelta(seconds=1)


class RequestRefusedError(AuditedError):
    """A station request that is well-formed JSON but cannot be accepted (HTTP 4xx);
    ``audit`` (if any) is saved after the rollback of the refused work."""

    def __init__(self, message: str, status: int = 400, audit: AuditWriter | None = None) -> None:
        super().__init__(message, audit)
        self.status = status


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


def check_nonce(nonce: object) -> str:
    """A usable client nonce, or RequestRefusedError."""
    if not isinstance(nonce, str) or not 8 <= len(nonce) <= MAX_NONCE_LENGTH:
        raise RequestRefusedError(
            "every state-changing request needs a nonce of 8 to 80 characters"
        )
    return nonce


class StationDesk:
    """Station requests on one event database (used from one thread: the server's DB thread)."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        checkins: CheckinRepository,
        codec: TicketCodec,
        *,
        timezone_name: str,
        event_name: str,
        event_name_zh: str = "",
        night: NightWindow | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._db = db
        self._night = night
        self._checkins = checkins
        self._codec = codec
        self._timezone_name = timezone_name
        self._event_name = event_name
        self._event_name_zh = event_name_zh
        self._clock = clock
        self._list_cache: tuple[dt.datetime, int, bytes] | None = None

    @classmethod
    def open(
        cls,
        db: sqlite_utils.Database,
        secret_key: bytes,
        *,
        capacity: int | None,
        timezone_name: str,
        event_name: str,
        event_name_zh: str = "",
        night: NightWindow | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> StationDesk:
        """The desk for an event database (the server opens its own connection).

        ``night``: offline times outside it are stored at the time received (clock_skew)."""
        try:
            zone = ZoneInfo(timezone_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise StoreError(f"event.toml: unknown time zone {timezone_name!r}") from exc
        codec = TicketCodec(secret_key)
        checkins = CheckinRepository(db, codec, capacity=capacity, zone=zone)
        return cls(
            db,
            checkins,
            codec,
            timezone_name=timezone_name,
            event_name=event_name,
            event_name_zh=event_name_zh,
            night=night,
            clock=clock,
        )

    @property
    def connection(self) -> sqlite3.Connection:
        """The database connection (the server's worker batches transactions on it)."""
        return self._db.conn

    @property
    def checkins(self) -> CheckinRepository:
        """The check-in repository the desk decides with."""
        return self._checkins

    # ------------------------------------------------------------ nonce-idempotent writes

    def _once(
        self, station: str, nonce: str, kind: str, work: Callable[[sqlite3.Connection], Any]
    ) -> dict[str, Any]:
        """Run ``work`` once per nonce; a repeat gets the stored answer with replayed=true."""
        nonce = check_nonce(nonce)
        with transaction(self._db) as conn:
            row = conn.execute(
                "SELECT station, response FROM station_requests WHERE nonce = ?", (nonce,)
            ).fetchone()
            if row is not None:
                if row[0] != station:
                    owner = row[0]
                    raise RequestRefusedError(
                        "this nonce belongs to another station",
                        409,
                        audit=lambda conn: Journal.append_in(
                            conn, "station_nonce_refused", station, {"owner": owner, "kind": kind}
                        ),
                    )
                answer: dict[str, Any] = json.loads(row[1])
                answer["replayed"] = True
                return answer
            answer = work(conn)
            conn.execute(
                "INSERT INTO station_requests (nonce, station, kind, at, response) "
                "VALUES (?, ?, ?, ?, ?)",
                (nonce, station, kind, to_iso(self._clock()), json.dumps(answer)),
            )
            conn.execute(
                "UPDATE stations SET last_seen_at = ? WHERE name = ?",
                (to_iso(self._clock()), station),
            )
        answer["replayed"] = False
        return answer

    def record_once(
        self, station: str, nonce: str, kind: str, work: Callable[[sqlite3.Connection], Any]
    ) -> dict[str, Any]:
        """Run ``work`` (which joins this transaction) once per nonce, for other station
        requests that change state (a voting station's ballot); a repeat gets the answer
        stored the first time, with ``replayed`` true."""
        return self._once(station, nonce, kind, work)

    def checkin(self, station: str, nonce: str, code: str, method: str) -> dict[str, Any]:
        """One online scan."""
        if method not in ("scan", "camera"):
            raise RequestRefusedError(f"method must be 'scan' or 'camera', not {method!r}")
        if not isinstance(code, str) or len(code) > 1024:
            raise RequestRefusedError("code must be text of at most 1024 characters")
        return self._once(
            station,
            nonce,
            "checkin",
            lambda _conn: result_to_wire(self._checkins.scan(code, station, method, self._clock())),
        )

    def admit(self, station: str, nonce: str, attendee_id: int) -> dict[str, Any]:
        """An admission by hand (the usher found the person by name)."""
        if not isinstance(attendee_id, int):
            raise RequestRefusedError("attendee_id must be a number")

        def work(_conn: sqlite3.Connection) -> dict[str, Any]:
            try:
                result = self._checkins.admit_manually(attendee_id, station, self._clock())
            except LookupError as exc:
                raise RequestRefusedError(str(exc), 404) from exc
            return result_to_wire(result)

        return self._once(station, nonce, "admit", work)

    def walk_in(
        self, station: str, nonce: str, name: str, name_latin: str | None, email: str | None
    ) -> dict[str, Any]:
        """Register and admit someone at the door; the server issues the ticket."""

        def work(_conn: sqlite3.Connection) -> dict[str, Any]:
            try:
                result = self._checkins.walk_in(name, name_latin, email, station, self._clock())
            except ValueError as exc:
                raise RequestRefusedError(str(exc), 422) from exc
            return result_to_wire(result)

        return self._once(station, nonce, "walk_in", work)

    def undo(self, station: str, nonce: str) -> dict[str, Any]:
        """Annul this station's own latest admission."""
        return self._once(
            station,
            nonce,
            "undo",
            lambda _conn: undone_to_wire(self._checkins.undo_last(station, self._clock())),
        )

    # ------------------------------------------------------------ offline uploads

    def upload(self, station: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Record check-ins a station decided offline, each once; returns one answer per item."""
        if not isinstance(items, list) or len(items) > MAX_UPLOAD_ITEMS:
            raise RequestRefusedError(
                f"items must be a list of at most {MAX_UPLOAD_ITEMS} check-ins"
            )
        answers = []
        with transaction(self._db) as conn:
            for item in items:
                if not isinstance(item, dict):
                    raise RequestRefusedError("each item must be an object")
                nonce = check_nonce(item.get("nonce"))
                answer = self._reconcile_lost_reply(conn, station, nonce, item)
                if answer is None:
                    answer = self._once(
                        station,
                        nonce,
                        "offline",
                        functools.partial(self._record_offline, station=station, item=item),
                    )
                answers.append(answer | {"nonce": nonce})
        return answers

    def _reconcile_lost_reply(
        self, conn: sqlite3.Connection, station: str, nonce: str, item: dict[str, Any]
    ) -> dict[str, Any] | None:
        """An offline item whose nonce the server had already answered online.

        That happens when the server recorded a scan but its reply never arrived (killed, cut
        off): the station then decided the same scan offline, under the same nonce. If both
        agree, nothing more is recorded. If the station let the person in although the server
        had said no, the admission it made is recorded (as a conflict when someone else is
        in); if the server had admitted but the station turned the person away, the server's
        admission, which nobody saw, is annulled. None: not such a case.
        """
        row = conn.execute(
            "SELECT station, kind, response FROM station_requests WHERE nonce = ?", (nonce,)
        ).fetchone()
        if row is None or row[0] != station or row[1] == "offline":
            return None
        online: dict[str, Any] = json.loads(row[2])
        said_yes = online.get("verdict") == Verdict.ADMITTED.value
        let_in = item.get("verdict") == Verdict.ADMITTED.value
        if let_in and not said_yes:
            return self._once(
                station,
                nonce[:64] + "~offline",
                "offline",
                functools.partial(self._record_offline, station=station, item=item),
            )
        if said_yes and not let_in and online.get("checkin_id"):
            conn.execute(
                "UPDATE checkins SET annulled_at = ?, annulled_by = ? "
                "WHERE id = ? AND annulled_at IS NULL",
                (to_iso(self._clock()), station, online["checkin_id"]),
            )
            Journal.append_in(
                conn,
                "checkin_annulled",
                online.get("code"),
                {"checkin_id": online["checkin_id"], "station": station, "reason": "lost_reply"},
            )
            return online | {"replayed": True, "recorded": "annulled"}
        return online | {"replayed": True, "recorded": f"online:{online.get('verdict')}"}

    def _record_offline(
        self, conn: sqlite3.Connection, *, station: str, item: dict[str, Any]
    ) -> dict[str, Any]:
        method = item.get("method")
        if method not in METHODS or method == "walk-in":
            raise RequestRefusedError(f"offline check-ins cannot have method {method!r}")
        try:
            at = from_iso(str(item["at"]))
        except (KeyError, ValueError) as exc:
            raise RequestRefusedError(
                "each offline check-in needs its time 'at' (ISO 8601)"
            ) from exc
        verdict = str(item.get("verdict") or "")
        undone_at = item.get("undone_at")
        attendee_id, code = self._offline_subject(conn, item, method)
        data: dict[str, Any] = {"station": station, "method": method, "offline": True}
        skewed: dict[str, Any] = {}
        received = self._clock()
        if self._night is not None and not self._night.plausible(at, received):
            # a door laptop with a wrong clock: kept at the time received, and said so
            skewed = {"clock_skew": True, "station_time": to_iso(at)}
            Journal.append_in(
                conn, "clock_skew", code, skewed | {"station": station, "at": to_iso(received)}
            )
            at = received
        data |= skewed | {"at": to_iso(at)}
        if verdict != Verdict.ADMITTED.value or attendee_id is None:
            Journal.append_in(
                conn, "checkin_refused", code, data | {"verdict": verdict or "unknown"}
            )
            return {"recorded": "refused", "verdict": verdict} | skewed
        if undone_at:  # admitted and undone while offline: kept in the records, annulled
            conn.execute(
                "INSERT INTO checkins (attendee_id, code, station, method, at, annulled_at, "
                "annulled_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (attendee_id, code, station, method, to_iso(at), str(undone_at), station),
            )
            Journal.append_in(conn, "checkin_annulled", code, data | {"attendee_id": attendee_id})
            return {"recorded": "annulled", "verdict": verdict} | skewed
        earlier = conn.execute(
            "SELECT station, at, method FROM checkins WHERE attendee_id = ? "
            "AND annulled_at IS NULL",
            (attendee_id,),
        ).fetchone()
        if earlier is not None:
            conflict_id = self._add_conflict(
                conn, "double_admission", attendee_id, code, earlier, station, at, method, item
            )
            return {
                "recorded": "double_admission",
                "verdict": verdict,
                "conflict": conflict_id,
            } | skewed
        cursor = conn.execute(
            "INSERT INTO checkins (attendee_id, code, station, method, at) VALUES (?, ?, ?, ?, ?)",
            (attendee_id, code, station, method, to_iso(at)),
        )
        checkin_id = int(cursor.lastrowid or 0)
        Journal.append_in(
            conn, "checkin", code, data | {"attendee_id": attendee_id, "checkin_id": checkin_id}
        )
        answer: dict[str, Any] = {"recorded": "admitted", "verdict": verdict} | skewed
        if code is not None and self._ticket_cancelled(conn, code):
            answer["conflict"] = self._add_conflict(
                conn, "revoked_ticket", attendee_id, code, None, station, at, method, item
            )
        return answer

    def _offline_subject(
        self, conn: sqlite3.Connection, item: dict[str, Any], method: str
    ) -> tuple[int | None, str | None]:
        """The attendee an offline check-in was about (the server checks the signature)."""
        if method == "manual":
            attendee_id = item.get("attendee_id")
            if not isinstance(attendee_id, int):
                raise RequestRefusedError("an offline manual admission needs attendee_id")
            row = conn.execute(
                "SELECT code FROM tickets WHERE attendee_id = ? AND revoked_at IS NULL",
                (attendee_id,),
            ).fetchone()
            exists = conn.execute("SELECT 1 FROM attendees WHERE id = ?", (attendee_id,))
            if exists.fetchone() is None:
                return None, None
            return attendee_id, (row[0] if row else None)
        check = self._codec.check(str(item.get("code") or ""))
        if check.ticket is None:
            return None, check.normalised_code
        row = conn.execute(
            "SELECT attendee_id FROM tickets WHERE code = ?", (check.ticket.code,)
        ).fetchone()
        return (None if row is None else int(row[0])), check.ticket.code

    @staticmethod
    def _ticket_cancelled(conn: sqlite3.Connection, code: str) -> bool:
        row = conn.execute("SELECT revoked_at FROM tickets WHERE code = ?", (code,)).fetchone()
        return row is not None and row[0] is not None

    def _add_conflict(
        self,
        conn: sqlite3.Connection,
        kind: str,
        attendee_id: int,
        code: str | None,
        earlier: tuple[str, str, str] | None,
        station: str,
        at: dt.datetime,
        method: str,
        item: dict[str, Any],
    ) -> int:
        first = earlier or (None, None, None)
        cursor = conn.execute(
            "INSERT INTO door_conflicts (kind, attendee_id, code, first_station, first_at, "
            "first_method, second_station, second_at, second_method, offline, nonce, "
            "reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (
                kind,
                attendee_id,
                code,
                first[0],
                first[1],
                first[2],
                station,
                to_iso(at),
                method,
                item.get("nonce"),
                to_iso(self._clock()),
            ),
        )
        conflict_id = int(cursor.lastrowid or 0)
        Journal.append_in(
            conn,
            "checkin_conflict",
            code,
            {
                "kind": kind,
                "conflict_id": conflict_id,
                "attendee_id": attendee_id,
                "first_station": first[0],
                "first_at": first[1],
                "second_station": station,
                "second_at": to_iso(at),
            },
        )
        log.warning(
            "door conflict %s: attendee #%d at %s (%s) and %s (%s)",
            kind,
            attendee_id,
            first[0],
            first[1],
            station,
            to_iso(at),
        )
        return conflict_id

    # ------------------------------------------------------------ reading

    def ticket_list(self) -> dict[str, Any]:
        """What an offline verdict needs: code digests, names, statuses, who is in. No key."""
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
        tickets = []
        for code, attendee_id, name, latin, revoked_at, replaced, at, where, method in rows:
            status = TicketStatus.VALID
            if revoked_at is not None:
                status = TicketStatus.REPLACED if replaced else TicketStatus.REVOKED
            tickets.append(
                {
                    "code_sha256": code_digest(code),
                    "attendee_id": attendee_id,
                    "name": name,
                    "name_latin": latin,
                    "status": status.value,
                    "admitted_at": at,
                    "admitted_station": where,
                    "admitted_method": method,
                }
            )
        return {
            "generated_at": to_iso(self._clock()),
            "event": self._event_name,
            "event_zh": self._event_name_zh,
            "timezone": self._timezone_name,
            "capacity": self._checkins.capacity,
            "tickets": tickets,
        }

    def ticket_list_json(self, max_age: dt.timedelta = LIST_CACHE_AGE) -> bytes:
        """:meth:`ticket_list` as JSON bytes, made at most once per ``max_age`` while the
        database changes (and reused as long as it does not): four stations fetching the list
        at once cost one build."""
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        now = self._clock()
        cached = self._list_cache
        if cached is not None:
            built_at, built_version, body = cached
            if built_version == version or now - built_at < max_age:
                return body
        body = json.dumps(self.ticket_list(), ensure_ascii=False).encode("utf-8")
        self._list_cache = (now, version, body)
        return body

    def figures(self) -> dict[str, Any]:
        """Live counts, the arrivals per 5 minutes and the number of door conflicts."""
        figures = self._checkins.figures()
        conflicts = int(self._db.execute("SELECT count(*) FROM door_conflicts").fetchone()[0])
        return figures_to_wire(figures) | {
            "arrivals": [
                [to_iso(bucket.start), bucket.count]
                for bucket in self._checkins.arrivals(5, within=self._night_bounds())
            ],
            "conflicts": conflicts,
            "server_time": to_iso(self._clock()),
        }

    def _night_bounds(self) -> tuple[dt.datetime, dt.datetime] | None:
        return None if self._night is None else self._night.chart_bounds(self._clock())

    def search(self, text: str) -> list[dict[str, Any]]:
        """Find people by name or e-mail; e-mail addresses, phones and codes leave masked.

        The door screen shows them masked anyway; masking here means a stolen station token
        cannot be used to collect the attendees' addresses or working tickets. Codes are not
        searched at all: which fragments find someone would give a code away character by
        character (a door scans a code instead).
        """
        return [
            hit_to_wire(
                dataclasses.replace(
                    hit,
                    email=mask_email(hit.email) or None,
                    phone=mask_phone(hit.phone) or None,
                )
            )
            for hit in self._checkins.search(text, by_code=False)
        ]

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
