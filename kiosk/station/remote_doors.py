"""A door station that works through the event server, and without it when it must.

:class:`RemoteDoors` offers the door window and the CLI the same operations as the local
check-in repository (scan, admit by hand, walk-in, undo, search, figures, arrivals). Online,
each scan is one request with a fresh nonce and the server decides. When the server does not
answer within :data:`~kiosk.station.link.SCAN_TIMEOUT_S`, the station decides from its
ticket list by the same rules, queues the check-in durably (under the same nonce, so if the
server did record the lost request, the upload gets that answer instead of a second admission)
and says so: ``offline=True`` on the result, and :meth:`RemoteDoors.link_state` for the header.
Whoever finds the server gone or back (a scan, a search, the sync, the voting mode) tells the
watchers of :meth:`RemoteDoors.watch_link` at once, on its own thread: the header never says
"Online" while the verdict under it says offline.

:class:`StationSync` (a background thread in the door window; one call in the CLI) uploads the
queue, then goes back online, refreshes the live figures and keeps the ticket list current.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.core import glossary
from kiosk.core.admissions import (
    ArrivalBucket,
    Attempt,
    AttendeeHit,
    DoorFigures,
    Lookup,
    ScanResult,
    UndoneAdmission,
    admitted,
    arrival_buckets,
    from_iso,
    judge,
    judge_listed,
)
from kiosk.core.checkin import Admission, TicketRecord, Verdict
from kiosk.core.stations import code_digest
from kiosk.core.tickets import normalise_scanned
from kiosk.server.station_wire import (
    figures_from_wire,
    hit_from_wire,
    result_from_wire,
    undone_from_wire,
)
from kiosk.station.folder import StationCredentials, StationStore, new_nonce
from kiosk.station.link import (
    SYNC_TIMEOUT_S,
    ServerLink,
    ServerRefusedError,
    ServerUnreachableError,
)
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)

LIST_REFRESH = dt.timedelta(seconds=30)
SYNC_INTERVAL_S = 2.0
CHECK_TIMEOUT_S = 2.0  # the sync's link check (figures): a hung server shows offline this soon
OFFLINE_RETRY_S = 0.5  # while offline, look for the server more often: back online sooner
UPLOAD_BATCH = 500
WALK_IN_NEEDS_SERVER = (
    f"{glossary.WALK_INS.en} need the server, which issues their ticket; this station is "
    f"offline. / {glossary.WALK_IN.zh}需由伺服器發出門票，本站目前離線。"
)


@dataclass(frozen=True)
class LinkState:
    """What the station's header says about its connection."""

    online: bool
    revoked: bool
    list_fetched_at: dt.datetime | None
    pending_uploads: int
    server: str
    last_error: str = ""
    clock_offset: dt.timedelta | None = None  # the server's clock minus this laptop's

    def list_age(self, now: dt.datetime) -> dt.timedelta | None:
        """How old the ticket list is (None: never downloaded)."""
        return None if self.list_fetched_at is None else now - self.list_fetched_at


class StationRevokedError(StoreError):
    """The server no longer accepts this station's token: it must not admit anyone."""


def _revoked_error() -> StationRevokedError:
    return StationRevokedError(
        "This station was revoked on the console; it cannot admit anyone. Pair it again. "
        "/ 此入口站已在控制台被撤銷，不能再讓人入場，請重新配對。"
    )


class _SharedState:
    """Online flag, revocation and cached figures shared by the window and the sync thread,
    the station database's two header counts as last counted, and who to tell when the link
    or those counts change."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.online = True
        self.revoked = False
        self.figures: dict[str, Any] | None = None
        self.figures_serial = 0
        self.last_error = ""
        self.clock_offset: dt.timedelta | None = None
        self.watchers: list[Callable[[], None]] = []
        # counted by the thread that changed them (never the window's): see RemoteDoors.recount
        self.counting = threading.Lock()  # one count-and-publish at a time (never the GUI's)
        self.list_fetched_at: dt.datetime | None = None
        self.pending_uploads = 0

    def tell_watchers(self) -> None:
        """The link changed: call every watcher (on this thread, outside the lock)."""
        with self.lock:
            watchers = list(self.watchers)
        for watcher in watchers:
            try:
                watcher()
            except Exception:  # a watcher's failure never stops a scan or the sync
                log.exception("a link watcher failed")


class RemoteDoors:
    """The door operations of a paired station (the window, its writer and reader share it; sync
    has its own)."""

    def __init__(
        self,
        credentials: StationCredentials,
        store: StationStore,
        link: ServerLink,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        paired_zone: dt.tzinfo | None = None,
    ) -> None:
        """``paired_zone``: the event's time zone the server told at pairing (see
        :meth:`~kiosk.station.folder.StationFolder.paired_zone`)."""
        self.credentials = credentials
        self._paired_zone = paired_zone
        self.station = credentials.station
        self._store = store
        self._link = link
        self._clock = clock
        self._state = _SharedState()
        self._seen_serial = -1
        self.recount(store)  # as the station opens, before any window

    @property
    def zone(self) -> dt.tzinfo:
        """The event's time zone, as event.toml says: from the latest ticket list, else as the
        server told it at pairing (UTC only for a station paired with a server too old to tell,
        until its first list)."""
        return self._store.zone() or self._paired_zone or dt.UTC

    @property
    def capacity(self) -> int | None:
        """The hall's capacity (from the ticket list)."""
        return self._store.capacity()

    @property
    def store(self) -> StationStore:
        """The station's own database."""
        return self._store

    def close(self) -> None:
        """Close the server connection and the station database."""
        self._link.close()
        self._store.close()

    def shared(self) -> _SharedState:
        """The state a :class:`StationSync` updates (same object)."""
        return self._state

    def link_state(self) -> LinkState:
        """Online or offline, how old the list is, how many check-ins wait for the server:
        from memory only (the window's GUI thread asks), the counts as :meth:`recount` last
        counted them."""
        state = self._state
        with state.lock:
            online, revoked, error = state.online, state.revoked, state.last_error
            offset = state.clock_offset
            fetched, pending = state.list_fetched_at, state.pending_uploads
        return LinkState(
            online=online and not revoked,
            revoked=revoked,
            list_fetched_at=fetched,
            pending_uploads=pending,
            server=self.credentials.base_url,
            last_error=error,
            clock_offset=offset,
        )

    def recount(self, store: StationStore) -> None:
        """Count the list's age and the uploads waiting in ``store`` (on the calling thread:
        the writer after it queued a check-in, the sync after it uploaded or fetched the list)
        and keep them for :meth:`link_state`; a change is told to the watchers. Counting and
        keeping are one step, so the last count kept is never older than the last change
        counted."""
        state = self._state
        with state.counting:
            fetched, pending = store.list_fetched_at(), store.pending_count()
            with state.lock:
                changed = (fetched, pending) != (state.list_fetched_at, state.pending_uploads)
                state.list_fetched_at, state.pending_uploads = fetched, pending
        if changed:
            state.tell_watchers()

    def watch_link(self, watcher: Callable[[], None]) -> Callable[[], None]:
        """Call ``watcher`` whenever the station goes online, offline or is revoked, on the
        thread that found out (the window hands it to its GUI thread); returns the call that
        stops watching."""
        with self._state.lock:
            self._state.watchers.append(watcher)

        def unwatch() -> None:
            with self._state.lock:
                if watcher in self._state.watchers:
                    self._state.watchers.remove(watcher)

        return unwatch

    def set_online(self, online: bool, error: str = "") -> None:
        """Record whether the server answered (called by the scan path and the sync); a change
        is told to the watchers at once."""
        with self._state.lock:
            changed = self._state.online != online
            if changed:
                log.warning(
                    "station %s is now %s %s",
                    self.station,
                    "online" if online else "OFFLINE",
                    error,
                )
            self._state.online = online
            self._state.last_error = error
        if changed:
            self._state.tell_watchers()

    def is_revoked(self) -> bool:
        """True once the server refused this station's token."""
        with self._state.lock:
            return self._state.revoked

    def mark_revoked(self) -> None:
        """The server refused this station's token: refuse from now on (told to the watchers)."""
        with self._state.lock:
            changed = not self._state.revoked
            self._state.revoked = True
        if changed:
            self._state.tell_watchers()

    def _is_online(self) -> bool:
        with self._state.lock:
            if self._state.revoked:
                raise _revoked_error()
            return self._state.online

    def _refused(self, exc: ServerRefusedError) -> StoreError:
        if exc.revoked:
            self.mark_revoked()
            return _revoked_error()
        return StoreError(f"The server refused: {exc.message} / 伺服器拒絕：{exc.message}")

    # ------------------------------------------------------------ scanning

    def scan(self, code_text: str, station: str, method: str, now: dt.datetime) -> ScanResult:
        """One scan: the server decides; offline, the ticket list does (and it is queued)."""
        del station  # the server knows this station by its token
        nonce = new_nonce()
        if self._is_online() and not self._admitted_here_offline(code_text):
            try:
                answer = self._link.checkin(nonce, code_text, method)
            except ServerUnreachableError as exc:
                self.set_online(False, str(exc))
            except ServerRefusedError as exc:
                raise self._refused(exc) from exc
            else:
                result = result_from_wire(answer)
                self._remember(result)
                log.info(
                    "scan at %s (online): %s %s", self.station, result.verdict.value, result.code
                )
                # the server never sends a code back (masked): the one scanned here is known
                return dataclasses.replace(result, code=normalise_scanned(code_text) or result.code)
        result = self._scan_offline(nonce, code_text, method, now)
        log.info("scan at %s (offline): %s %s", self.station, result.verdict.value, result.code)
        return result

    def _admitted_here_offline(self, code_text: str) -> bool:
        """This station let the ticket's holder in offline and has not uploaded it yet.

        The station goes back online once the queue that waited is uploaded, not only when it
        is empty (it could stay offline behind a queue the offline scans keep adding to, while
        the server answers). Until the rest is uploaded the server does not know about those
        admissions: the station decides such a ticket from its queue (already checked in),
        never asks the server, which would let a second person in on it."""
        if not self._store.pending_count():
            return False
        code = normalise_scanned(code_text)
        listed = self._store.listed(code_digest(code)) if code else None
        return listed is not None and self._store.queued_admission(listed.attendee_id) is not None

    def _scan_offline(
        self, nonce: str, code_text: str, method: str, now: dt.datetime
    ) -> ScanResult:
        code = normalise_scanned(code_text)
        listed = self._store.listed(code_digest(code)) if code else None
        admission: Admission | None = None
        if listed is not None:
            admission = listed.admission or self._own_admission(listed.attendee_id)
        result = judge_listed(
            code,
            listed,
            Lookup(None, admission, self._store.admitted_count()),
            Attempt(self.station, method, now, offline=True),
            capacity=self.capacity,
            zone=self.zone,
        )
        return self._queue(nonce, result)

    def _queue(self, nonce: str, result: ScanResult) -> ScanResult:
        """Keep an offline decision in the queue for the server (admitted or not)."""
        if result.verdict is Verdict.ADMITTED:
            result = admitted(result)
        self._store.enqueue(
            nonce=nonce,
            code=result.code,
            attendee_id=result.attendee_id,
            method=result.method,
            at=result.at,
            verdict=result.verdict.value,
            name=result.name,
        )
        self.recount(self._store)  # the header's "N to upload", counted here, not on the GUI
        return result

    def _own_admission(self, attendee_id: int) -> Admission | None:
        queued = self._store.queued_admission(attendee_id)
        if queued is None:
            return None
        return Admission(queued.at, self.station, queued.method)

    def _remember(self, result: ScanResult) -> None:
        """Keep the local list in step with what the server just said about this person."""
        if result.attendee_id is not None and result.admission is not None:
            self._store.mark_admitted(result.attendee_id, result.admission)

    def admit_manually(self, attendee_id: int, station: str, now: dt.datetime) -> ScanResult:
        """Admit a person found by name (online: the server decides; offline: the list)."""
        del station
        nonce = new_nonce()
        queued_here = self._store.queued_admission(attendee_id) is not None  # see the scan's
        if self._is_online() and not queued_here:
            try:
                answer = self._link.admit(nonce, attendee_id)
            except ServerUnreachableError as exc:
                self.set_online(False, str(exc))
            except ServerRefusedError as exc:
                raise self._refused(exc) from exc
            else:
                result = result_from_wire(answer)
                self._remember(result)
                return result
        listed = self._store.listed_by_attendee(attendee_id)
        if listed is None:
            raise LookupError(f"There is no attendee number {attendee_id} in this station's list.")
        ticket = TicketRecord("", attendee_id, listed.name, listed.name_latin)
        admission = listed.admission or self._own_admission(attendee_id)
        result = judge(
            None,
            Lookup(ticket, admission, self._store.admitted_count()),
            Attempt(self.station, "manual", now, offline=True),
            code=None,
            capacity=self.capacity,
            zone=self.zone,
        )
        return self._queue(nonce, result)

    def walk_in(
        self, name: str, name_latin: str | None, email: str | None, station: str, now: dt.datetime
    ) -> ScanResult:
        """Register and admit someone: only the server can issue their ticket."""
        del station, now
        if not self._is_online():
            raise StoreError(WALK_IN_NEEDS_SERVER)
        try:
            answer = self._link.walk_in(new_nonce(), name, name_latin or None, email or None)
        except ServerUnreachableError as exc:
            self.set_online(False, str(exc))
            raise StoreError(WALK_IN_NEEDS_SERVER) from exc
        except ServerRefusedError as exc:
            if exc.status == 422:
                raise ValueError(exc.message) from exc
            raise self._refused(exc) from exc
        result = result_from_wire(answer)
        return result

    def undo_last(self, station: str, now: dt.datetime) -> UndoneAdmission | None:
        """Annul this station's latest admission: a queued offline one first, else the server's."""
        del station
        queued = self._store.last_own_admission()
        if queued is not None:
            self._store.undo_queued(queued.id, now)
            return UndoneAdmission(
                0,
                queued.attendee_id or 0,
                queued.name or "",
                None,
                queued.code,
                queued.at,
                queued.method,
            )
        if not self._is_online():
            raise StoreError(
                "Undo of an admission the server has recorded needs the server (offline). "
                "/ 離線時無法撤銷已上傳的入場紀錄。"
            )
        try:
            answer = self._link.undo(new_nonce())
        except ServerUnreachableError as exc:
            self.set_online(False, str(exc))
            raise StoreError(
                "The server did not answer; try Undo again. / 伺服器沒有回應，請再試。"
            ) from exc
        except ServerRefusedError as exc:
            raise self._refused(exc) from exc
        undone = undone_from_wire(answer)
        if undone is not None:
            self._store.clear_admission(undone.attendee_id)
        return undone

    # ------------------------------------------------------------ reading

    def search(self, text: str, limit: int = 50) -> list[AttendeeHit]:
        """Find people: on the server, or in the ticket list when offline."""
        if not text.strip():
            return []
        if self._is_online():
            try:
                return [hit_from_wire(hit) for hit in self._link.search(text)["hits"]][:limit]
            except ServerUnreachableError as exc:
                self.set_online(False, str(exc))
            except ServerRefusedError as exc:
                raise self._refused(exc) from exc
        return [
            AttendeeHit(
                attendee_id=item.attendee_id,
                name=item.name,
                name_latin=item.name_latin,
                email=None,
                status="registered",
                code=None,
                admission=item.admission or self._own_admission(item.attendee_id),
            )
            for item in self._store.search(text, limit)
        ]

    def figures(self) -> DoorFigures:
        """Live counts: the server's (as last polled) online, the station's own offline."""
        with self._state.lock:
            cached = self._state.figures if self._state.online else None
        if cached is not None:
            return figures_from_wire(cached)
        return DoorFigures(
            self._store.admitted_count(), self._store.registered_count(), self.capacity, 0, 0
        )

    def arrivals(self, bucket_minutes: int = 5) -> list[ArrivalBucket]:
        """Arrivals per time slot: the server's (as last polled) online, the station's own
        (its list and its offline admissions) offline."""
        with self._state.lock:
            cached = self._state.figures if self._state.online else None
        if cached is None:
            return arrival_buckets(self._store.admission_times(), bucket_minutes, self.zone)
        return [
            ArrivalBucket(from_iso(start).astimezone(self.zone), int(count))
            for start, count in cached.get("arrivals", [])
        ]

    def has_changed(self) -> bool:
        """True when the sync brought new figures since the last call."""
        with self._state.lock:
            serial = self._state.figures_serial
        changed = serial != self._seen_serial
        self._seen_serial = serial
        return changed


class StationSync:
    """Uploads the offline queue, goes back online, polls figures, refreshes the ticket list.

    Each round checks the link by asking for the figures on ``check_link`` (a short timeout,
    :data:`CHECK_TIMEOUT_S`: a server that died or hung shows offline within a few seconds);
    uploads and the ticket list go over ``link`` (its timeout allows for a busy server).
    """

    def __init__(
        self,
        doors: RemoteDoors,
        store: StationStore,
        link: ServerLink,
        *,
        check_link: ServerLink | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """``check_link``: the link check's own connection (default: ``link``)."""
        self._doors = doors
        self._state = doors.shared()
        self._store = store
        self._link = link
        self._check_link = check_link or link
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run :meth:`sync_once` every ~2 s in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="station-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (waits for the current round)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=SYNC_TIMEOUT_S + 2)
        self._link.close()
        self._check_link.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            online = False
            try:
                online = self.sync_once()
            except Exception:  # keep syncing whatever happens; the log says what
                log.exception("station sync failed")
            calm = online and not self._store.pending_count()
            self._stop.wait(SYNC_INTERVAL_S if calm else OFFLINE_RETRY_S)

    def sync_once(self, *, refresh_list: bool | None = None) -> bool:
        """One round; returns True when the server answered (the station is online).

        It uploads the check-ins that were waiting when it began, then goes online: those
        decided offline during the round go up in the next one (0.5 s later), and until then
        a ticket admitted offline here is decided from the queue (see :class:`RemoteDoors`).
        Chasing the queue instead kept a door scanning every 20 ms offline for seconds while
        the server answered every upload (docs/dev/testing.md, "The schedule")."""
        try:
            self.upload_pending(at_most=self._store.pending_count())
            figures = self._check_link.figures()
            fetched = self._store.list_fetched_at()
            stale = fetched is None or self._clock() - fetched > LIST_REFRESH
            if refresh_list or (refresh_list is None and stale):
                self.refresh_list()
        except ServerUnreachableError as exc:
            self._doors.set_online(False, str(exc))
            return False
        except ServerRefusedError as exc:
            if exc.revoked:
                self._doors.mark_revoked()
            log.error("server refused the sync: %s", exc)
            return False
        offset = _clock_offset(figures, self._clock())
        with self._state.lock:
            self._state.figures = figures
            self._state.figures_serial += 1
            self._state.clock_offset = offset
        self._doors.set_online(True)
        return True

    def upload_pending(self, at_most: int | None = None) -> int:
        """Send queued offline check-ins, oldest first, until none is left (or ``at_most`` were
        confirmed); returns how many were confirmed."""
        confirmed = 0
        while at_most is None or confirmed < at_most:
            limit = UPLOAD_BATCH if at_most is None else min(UPLOAD_BATCH, at_most - confirmed)
            batch = self._store.pending(limit)
            if not batch:
                if confirmed:
                    self._doors.recount(self._store)
                return confirmed
            answer = self._link.upload([item.to_upload() for item in batch])
            results = answer.get("results", [])
            self._store.confirm(results, self._clock())
            confirmed += len(results)
            log.info("uploaded %d offline check-ins", len(results))
            if not results:
                break  # the server recorded none of them: the next round tries again
        return confirmed

    def refresh_list(self) -> int:
        """Download the ticket list now; returns its size."""
        data = self._link.tickets()
        size = self._store.replace_ticket_list(data, self._clock())
        self._doors.recount(self._store)  # the header's list age
        return size


def _clock_offset(figures: dict[str, Any], now: dt.datetime) -> dt.timedelta | None:
    """The server's clock minus this laptop's, from the figures' ``server_time`` (None: the
    server did not say). Off by the answer's travel time at most: well under the tolerance."""
    try:
        return from_iso(str(figures["server_time"])) - now
    except (KeyError, ValueError, TypeError):
        return None
