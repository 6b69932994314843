"""The door stations' API: a Starlette app over the event database.

One thread owns the database connection (:class:`DatabaseWorker`); every request runs its
database work there, in order, so the event loop never blocks on SQLite and no two requests
share a transaction. Every route but ``/api/v1/pair`` needs ``Authorization: Bearer TOKEN``
of an active (not revoked) station, checked against the database on each request.

What a station can do is exactly what these routes offer: check in, admit by hand, register a
walk-in, undo its own latest admission, search, read the live figures, download the ticket list
(code digests, names, statuses) and upload what it decided offline; in voting mode, read the
films on the ballot, check a ticket and cast its ballot (``/vote*``, see
:mod:`kiosk.server.station_vote`). There is no route to import, issue or revoke tickets, pair or
revoke stations, read results, turnout, any count of votes, or the journal.

No answer carries a ticket code or a vote code (they leave masked, see
:mod:`kiosk.server.station_wire`). Every route's body is checked against its schema
(:data:`SCHEMAS`): anything else is a 400 with a short reason, never a 500. Refusals (unknown
tokens, bad bodies, refused pairings) are tallied, one log line per kind per minute.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kiosk.core.refusals import RefusalTally
from kiosk.core.wire_schema import Integer, ListOf, Schema, SchemaError, Text, parse_json
from kiosk.server.limits import STATION_LIMITS
from kiosk.server.station_requests import (
    MAX_NONCE_LENGTH,
    MAX_UPLOAD_ITEMS,
    RequestRefusedError,
    StationRequests,
)
from kiosk.server.station_vote import MAX_CODE_LENGTH, MAX_FILM_ID_LENGTH, StationVoting
from kiosk.server.station_wire import PairingAnswer, pairing_to_wire
from kiosk.store.database import save_audit
from kiosk.store.errors import AuditedError, StoreError
from kiosk.store.stations import PairingRefusedError, StationRegistry

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BODY_BYTES = STATION_LIMITS.max_body_bytes  # the app's own check, as the listener's
MAX_ATTENDEE_ID = 2**31 - 1
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 320
MAX_TIME_LENGTH = 40

_NONCE = Text(MAX_NONCE_LENGTH, min_length=8)
_CODE = Text(MAX_CODE_LENGTH, min_length=0)
OFFLINE_ITEM = Schema(
    {
        "nonce": _NONCE,
        "code": Text(MAX_CODE_LENGTH, min_length=0, optional=True),
        "attendee_id": Integer(1, MAX_ATTENDEE_ID, optional=True),
        "method": Text(20),
        "at": Text(MAX_TIME_LENGTH),
        "verdict": Text(40, min_length=0, optional=True),
        "undone_at": Text(MAX_TIME_LENGTH, optional=True),
    }
)
SCHEMAS: dict[str, Schema] = {
    "/pair": Schema({"token": Text(200)}),
    "/checkin": Schema(
        {
            "nonce": _NONCE,
            "code": _CODE,
            "method": Text(10, choices=("scan", "camera"), optional=True),
        }
    ),
    "/admit": Schema({"nonce": _NONCE, "attendee_id": Integer(1, MAX_ATTENDEE_ID)}),
    "/walk-in": Schema(
        {
            "nonce": _NONCE,
            "name": Text(
                MAX_NAME_LENGTH, min_length=0
            ),  # the check-in repository says why a name is needed
            "name_latin": Text(MAX_NAME_LENGTH, min_length=0, optional=True),
            "email": Text(MAX_EMAIL_LENGTH, min_length=0, optional=True),
        }
    ),
    "/undo": Schema({"nonce": _NONCE}),
    "/upload": Schema({"items": ListOf(OFFLINE_ITEM, MAX_UPLOAD_ITEMS)}),
    "/vote": Schema(
        {"nonce": _NONCE, "code": Text(MAX_CODE_LENGTH), "film": Text(MAX_FILM_ID_LENGTH)}
    ),
    "/vote/check": Schema({"code": Text(MAX_CODE_LENGTH)}),
}
TOUCH_EVERY = dt.timedelta(seconds=15)
API = "/api/v1"


@dataclass(frozen=True)
class ServerContext:
    """What the station API works on, built inside the database thread."""

    requests: StationRequests
    registry: StationRegistry
    voting: StationVoting | None = None  # the Viewer's Award for voting stations


@dataclass
class _Job:
    work: Callable[[ServerContext], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


class DatabaseWorker:
    """One thread that owns the event database connection; requests queue for it.

    Group commit: the jobs waiting when the thread comes round run in ONE ``BEGIN IMMEDIATE``
    transaction, each inside its own SAVEPOINT (a refused request rolls back only itself), and
    their answers are released only after the COMMIT. Four stations scanning at once then share
    one fsync instead of queueing for four, and no answer ever leaves before it is durable.
    """

    def __init__(self, open_context: Callable[[], ServerContext], max_batch: int = 64) -> None:
        self._open_context = open_context
        self._max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="event-db", daemon=True)
        self._thread.start()

    async def run(self, work: Callable[[ServerContext], T]) -> T:
        """Run ``work`` in the database thread and wait until it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(work, loop, future))
        return await future

    def close(self) -> None:
        """Finish queued work and stop the thread."""
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            context = self._open_context()
        except Exception as exc:  # every request is then answered with the reason
            log.exception("the event database could not be opened")
            self._refuse_all(StoreError(f"the event database could not be opened: {exc}"))
            return
        conn = context.requests.connection
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._jobs.put(None)  # stop after this batch
                    break
                batch.append(job)
            self._run_batch(conn, context, batch)

    def _refuse_all(self, failure: Exception) -> None:
        while (job := self._jobs.get()) is not None:
            job.loop.call_soon_threadsafe(_settle, job.future, False, failure)

    @staticmethod
    def _run_batch(conn: sqlite3.Connection, context: ServerContext, batch: list[_Job]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, job.work(context)))
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    if isinstance(exc, AuditedError):  # the refusal's record outlives its work
                        save_audit(conn, exc, own_transaction=False)
                    outcomes.append((False, exc))
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except Exception as exc:  # the commit itself failed (disk full, I/O): nothing is kept
            log.exception("event database batch failed")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failure = StoreError(f"the event database could not save this: {exc}")
            outcomes = [(False, failure)] * len(batch)
        for job, (ok, value) in zip(batch, outcomes, strict=True):
            job.loop.call_soon_threadsafe(_settle, job.future, ok, value)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class DatabaseReader:
    """A second thread with its own connection for reads (ticket list, figures, search).

    WAL lets it read while the writer commits, so a station downloading the whole ticket list
    never holds up another station's scan.
    """

    def __init__(self, open_context: Callable[[], ServerContext]) -> None:
        self._open_context = open_context
        self._context: ServerContext | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="event-db-read")

    def _here(self) -> ServerContext:
        if self._context is None:
            self._context = self._open_context()
        return self._context

    async def run(self, work: Callable[[ServerContext], T]) -> T:
        """Run ``work`` in the reading thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: work(self._here()))

    def close(self) -> None:
        """Stop the thread."""
        self._executor.shutdown(wait=True)


class UnauthorizedError(Exception):
    """No valid station token (unknown, revoked, or none)."""


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the bearer token as presented, the address, when."""

    token: str
    address: str | None
    now: dt.datetime


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _checked_body(request: Request, route: str) -> dict[str, Any]:
    """The request's JSON object checked against the route's schema (RequestRefusedError)."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise RequestRefusedError("request too large", 413)
    try:
        return SCHEMAS[route].check(parse_json(body))
    except SchemaError as exc:
        raise RequestRefusedError(str(exc)) from None


class StationApi:
    """The routes, bound to the database threads (no module-level state).

    Every job authenticates the caller inside the database thread that does the work, so a
    check-in is one trip to the writer, and a token revoked a moment ago is refused at once.
    """

    def __init__(
        self,
        worker: DatabaseWorker,
        reader: DatabaseReader,
        refusals: RefusalTally,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._worker = worker
        self._reader = reader
        self._refusals = refusals
        self._clock = clock
        self._touched: dict[str, dt.datetime] = {}

    def routes(self) -> list[Route]:
        """Every route of the station API."""
        authed: list[tuple[str, Callable[[Request, Caller], Awaitable[Response]], str]] = [
            ("/hello", self.hello, "GET"),
            ("/checkin", self.checkin, "POST"),
            ("/admit", self.admit, "POST"),
            ("/walk-in", self.walk_in, "POST"),
            ("/undo", self.undo, "POST"),
            ("/upload", self.upload, "POST"),
            ("/tickets", self.tickets, "GET"),
            ("/figures", self.figures, "GET"),
            ("/search", self.search, "GET"),
            ("/vote", self.vote, "POST"),
            ("/vote/check", self.vote_check, "POST"),
            ("/vote/films", self.vote_films, "GET"),
        ]
        routes = [Route(f"{API}/pair", self.pair, methods=["POST"])]
        routes += [
            Route(f"{API}{path}", self._authenticated(handler), methods=[method])
            for path, handler, method in authed
        ]
        return routes

    def _authenticated(
        self, handler: Callable[[Request, Caller], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            header = request.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            address = request.client.host if request.client else None
            if scheme.lower() != "bearer" or not token or len(token) > 200:
                self._refusals.refused("no station token", str(address))
                return _error("a station token is needed (Authorization: Bearer …)", 401)
            try:
                return await handler(request, Caller(token, address, self._clock()))
            except UnauthorizedError:
                self._refusals.refused("unknown or revoked station token", str(address))
                return _error("this station token is not valid (unknown or revoked)", 401)
            except RequestRefusedError as exc:
                self._refusals.refused(f"station request refused ({exc.status})", str(address))
                return _error(str(exc), exc.status)
            except StoreError as exc:
                log.error("station request from %s failed: %s", address, exc)
                return _error(str(exc), 503)

        return endpoint

    def _station(self, ctx: ServerContext, caller: Caller) -> str:
        """The caller's station name (inside a database thread); UnauthorizedError if none."""
        station = ctx.registry.authenticate(caller.token)
        if station is None:
            raise UnauthorizedError
        last = self._touched.get(station)
        if last is None or caller.now - last > TOUCH_EVERY:
            self._touched[station] = caller.now
            ctx.registry.touch(station, caller.address, caller.now)
        return station

    async def _write(self, caller: Caller, work: Callable[[ServerContext, str], T]) -> T:
        return await self._worker.run(lambda ctx: work(ctx, self._station(ctx, caller)))

    async def _read(self, caller: Caller, work: Callable[[ServerContext, str], T]) -> T:
        return await self._reader.run(lambda ctx: work(ctx, self._station(ctx, caller)))

    async def pair(self, request: Request) -> Response:
        """Exchange a one-time pairing token for a station token."""
        address = request.client.host if request.client else None
        try:
            body = await _checked_body(request, "/pair")
        except RequestRefusedError as exc:
            self._refusals.refused("bad pairing request", str(address))
            return _error(str(exc), exc.status)
        token = body["token"]
        now = self._clock()
        try:
            answer = await self._worker.run(
                lambda ctx: PairingAnswer(
                    *ctx.registry.join(token, address, now), ctx.requests.timezone
                )
            )
        except PairingRefusedError as exc:
            self._refusals.refused("pairing refused", f"{address}: {exc}")
            return _error(str(exc), 403)
        return JSONResponse(pairing_to_wire(answer))

    async def hello(self, request: Request, caller: Caller) -> Response:
        """Who am I: the station name as the server knows it, and the server's clock."""
        del request
        station = await self._read(caller, lambda _ctx, station: station)
        return JSONResponse({"station": station, "server_time": caller.now.isoformat()})

    async def checkin(self, request: Request, caller: Caller) -> Response:
        """One scan, decided exactly once per nonce."""
        body = await _checked_body(request, "/checkin")
        nonce, code, method = body["nonce"], body["code"], body["method"]
        answer = await self._write(
            caller,
            lambda ctx, station: ctx.requests.checkin(station, nonce, code, method or "scan"),
        )
        return JSONResponse(answer)

    async def admit(self, request: Request, caller: Caller) -> Response:
        """An admission by hand."""
        body = await _checked_body(request, "/admit")
        nonce, attendee_id = body["nonce"], body["attendee_id"]
        answer = await self._write(
            caller, lambda ctx, station: ctx.requests.admit(station, nonce, attendee_id)
        )
        return JSONResponse(answer)

    async def walk_in(self, request: Request, caller: Caller) -> Response:
        """A walk-in: the server registers the person, issues the ticket and admits."""
        body = await _checked_body(request, "/walk-in")
        answer = await self._write(
            caller,
            lambda ctx, station: ctx.requests.walk_in(
                station, body["nonce"], body["name"], body["name_latin"], body["email"]
            ),
        )
        return JSONResponse(answer)

    async def undo(self, request: Request, caller: Caller) -> Response:
        """Annul this station's latest admission."""
        body = await _checked_body(request, "/undo")
        nonce = body["nonce"]
        answer = await self._write(caller, lambda ctx, station: ctx.requests.undo(station, nonce))
        return JSONResponse(answer)

    async def upload(self, request: Request, caller: Caller) -> Response:
        """Check-ins decided offline, each recorded once."""
        body = await _checked_body(request, "/upload")
        items = body["items"]
        answers = await self._write(
            caller, lambda ctx, station: ctx.requests.upload(station, items)
        )
        return JSONResponse({"results": answers})

    async def tickets(self, request: Request, caller: Caller) -> Response:
        """The ticket list for offline decisions (code digests, no codes, no key)."""
        del request
        body = await self._read(caller, lambda ctx, _s: ctx.requests.ticket_list_json())
        return Response(body, media_type="application/json")

    async def figures(self, request: Request, caller: Caller) -> Response:
        """Live counts and arrivals."""
        del request
        return JSONResponse(await self._read(caller, lambda ctx, _s: ctx.requests.figures()))

    async def search(self, request: Request, caller: Caller) -> Response:
        """Find people by name, e-mail or part of the code."""
        text = request.query_params.get("q", "")[:200]
        hits = await self._read(caller, lambda ctx, _s: ctx.requests.search(text))
        return JSONResponse({"hits": hits})

    # ------------------------------------------------------------ voting stations

    async def vote(self, request: Request, caller: Caller) -> Response:
        """A voting station's ballot, decided once per nonce; the answer names no film."""
        body = await _checked_body(request, "/vote")
        nonce, code, film = body["nonce"], body["code"], body["film"]
        answer = await self._write(
            caller,
            lambda ctx, station: _voting(ctx).cast(ctx.requests, station, nonce, code, film),
        )
        return JSONResponse(answer)

    async def vote_check(self, request: Request, caller: Caller) -> Response:
        """May this scanned ticket vote now? (Nothing is recorded.)"""
        body = await _checked_body(request, "/vote/check")
        code = body["code"]
        return JSONResponse(await self._read(caller, lambda ctx, _s: _voting(ctx).check(code)))

    async def vote_films(self, request: Request, caller: Caller) -> Response:
        """Whether the vote is open, and the films to choose from (titles, thumbnails)."""
        del request
        return JSONResponse(await self._read(caller, lambda ctx, _s: _voting(ctx).films()))


def _voting(ctx: ServerContext) -> StationVoting:
    if ctx.voting is None:
        raise RequestRefusedError("this server takes no ballots", 409)
    return ctx.voting


def station_app(
    worker: DatabaseWorker, reader: DatabaseReader, refusals: RefusalTally
) -> Starlette:
    """The Starlette app door stations talk to (refusals counted in ``refusals``)."""
    return Starlette(routes=StationApi(worker, reader, refusals).routes())
