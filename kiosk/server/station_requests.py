"""What the event server does for door stations, exactly once, and how it refuses.

Every request that changes state carries a client nonce. :class:`StationRequests` looks the
nonce up in the :class:`~kiosk.store.request_log.RequestLog`, has the check-in repository do
the work and stores the answer under the nonce in ONE ``BEGIN IMMEDIATE`` transaction, so a
retried request — the reply lost, the server killed before answering — gets the same answer
and never admits twice. A nonce used by another station is refused.

Check-ins a station made while it could not reach the server arrive later in an upload; the
repository records each at the time and station where it happened
(:meth:`~kiosk.store.checkins.CheckinRepository.record_offline`). Refusals carry the HTTP
status the station API answers with (:class:`RequestRefusedError`); the store knows no HTTP.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

import sqlite_utils

from kiosk.core.admissions import (
    METHODS,
    ONLINE_SCAN_METHODS,
    DoorConflict,
    OfflineRecord,
    from_iso,
    to_iso,
)
from kiosk.core.checkin import Verdict, mask_email, mask_phone
from kiosk.core.event import EventConfig
from kiosk.core.station_clock import NightWindow
from kiosk.core.tickets import TicketCodec
from kiosk.server.station_wire import (
    figures_to_wire,
    hit_to_wire,
    listed_to_wire,
    result_to_wire,
    undone_to_wire,
)
from kiosk.store.checkins import CheckinRepository
from kiosk.store.database import transaction
from kiosk.store.errors import AuditedError, AuditWriter
from kiosk.store.journal import Journal
from kiosk.store.request_log import RequestLog

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


def check_nonce(nonce: object) -> str:
    """A usable client nonce, or RequestRefusedError."""
    if not isinstance(nonce, str) or not 8 <= len(nonce) <= MAX_NONCE_LENGTH:
        raise RequestRefusedError(
            "every state-changing request needs a nonce of 8 to 80 characters"
        )
    return nonce


class StationRequests:
    """Station requests on one event database (used from one thread: the server's DB thread)."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        checkins: CheckinRepository,
        config: EventConfig,
        *,
        night: NightWindow | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._db = db
        self._night = night
        self._checkins = checkins
        self._config = config
        self._clock = clock
        self._list_cache: tuple[dt.datetime, int, bytes] | None = None

    @classmethod
    def open(
        cls,
        db: sqlite_utils.Database,
        secret_key: bytes,
        config: EventConfig,
        *,
        night: NightWindow | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> StationRequests:
        """The handler for an event database (the server opens its own connection).

        ``night``: offline times outside it are stored at the time received (clock_skew)."""
        checkins = CheckinRepository(
            db, TicketCodec(secret_key), capacity=config.capacity, zone=config.zone
        )
        return cls(db, checkins, config, night=night, clock=clock)

    @property
    def connection(self) -> sqlite3.Connection:
        """The database connection (the server's worker batches transactions on it)."""
        return self._db.conn

    @property
    def checkins(self) -> CheckinRepository:
        """The check-in repository the requests go through."""
        return self._checkins

    # ------------------------------------------------------------ nonce-idempotent writes

    def _once(
        self, station: str, nonce: str, kind: str, work: Callable[[sqlite3.Connection], Any]
    ) -> dict[str, Any]:
        """Run ``work`` once per nonce; a repeat gets the stored answer with replayed=true."""
        nonce = check_nonce(nonce)
        with transaction(self._db) as conn:
            logged = RequestLog.find(conn, nonce)
            if logged is not None:
                if logged.station != station:
                    owner = logged.station
                    raise RequestRefusedError(
                        "this nonce belongs to another station",
                        409,
                        audit=lambda conn: Journal.append_in(
                            conn, "station_nonce_refused", station, {"owner": owner, "kind": kind}
                        ),
                    )
                return logged.answer | {"replayed": True}
            answer: dict[str, Any] = work(conn)
            RequestLog.remember(conn, nonce, station, kind, answer, self._clock())
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
        if method not in ONLINE_SCAN_METHODS:
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
        logged = RequestLog.find(conn, nonce)
        if logged is None or logged.station != station or logged.kind == "offline":
            return None
        online = logged.answer
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
            self._checkins.annul(
                int(online["checkin_id"]),
                station,
                self._clock(),
                online.get("code"),
                {"reason": "lost_reply"},
            )
            return online | {"replayed": True, "recorded": "annulled"}
        return online | {"replayed": True, "recorded": f"online:{online.get('verdict')}"}

    def _record_offline(
        self, _conn: sqlite3.Connection, *, station: str, item: dict[str, Any]
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
        try:
            subject = self._checkins.offline_subject(
                method, item.get("attendee_id"), str(item.get("code") or "")
            )
        except ValueError as exc:
            raise RequestRefusedError(str(exc)) from exc
        received = self._clock()
        undone_at = item.get("undone_at")
        record: OfflineRecord = self._checkins.record_offline(
            station,
            method,
            at,
            verdict,
            subject,
            undone_at=str(undone_at) if undone_at else None,
            nonce=item.get("nonce"),
            received=received,
            plausible=self._night is None or self._night.plausible(at, received),
        )
        return record.to_json() | {"verdict": verdict}

    # ------------------------------------------------------------ reading

    @property
    def timezone(self) -> str:
        """The event's time zone as event.toml names it (told to a station when it pairs and
        in every ticket list)."""
        return self._config.timezone

    def ticket_list(self) -> dict[str, Any]:
        """What an offline verdict needs: code digests, names, statuses, who is in. No key."""
        return {
            "generated_at": to_iso(self._clock()),
            "event": self._config.name_en,
            "event_zh": self._config.name_zh,
            "timezone": self.timezone,
            "capacity": self._checkins.capacity,
            "tickets": [listed_to_wire(listed) for listed in self._checkins.listed_tickets()],
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
        return figures_to_wire(figures) | {
            "arrivals": [
                [to_iso(bucket.start), bucket.count]
                for bucket in self._checkins.arrivals(5, within=self._night_bounds())
            ],
            "conflicts": self._checkins.conflict_count(),
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
        return self._checkins.conflicts()
