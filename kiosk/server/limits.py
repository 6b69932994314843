"""Limits before work: what a listener refuses before any app code, token check or body read.

The event server runs on the laptop that plays the films, and its vote page is on the venue
Wi-Fi. Everything here bounds what one client can make it hold, in the order a request arrives:

1. **Accepting** (:class:`GuardedListeningSocket`): open connections are counted per address
   and in total; one over either cap is closed at once (TLS ones too, before their handshake).
2. **Headers** (:func:`guarded_protocol`): uvicorn's h11 protocol with a cap on the header
   bytes (h11's ``max_incomplete_event_size``; httptools has none, so it is not used) and a
   deadline for the whole request head (uvicorn has none: a half-sent request waited forever,
   and any byte reset its keep-alive timer).
3. **Bodies** (:class:`BodyLimit`, an ASGI middleware outside the app): ``Content-Length``
   over the cap is answered 413 without reading a byte; a body without one is counted while it
   streams and cut at the cap; a body that stalls is answered 408. Bodies above
   :data:`BIG_BODY_BYTES` (only a station's offline upload is that big) take one of
   :data:`BIG_BODY_SLOTS` slots, so memory stays bounded whatever many clients send at once.

Every refusal is counted in a :class:`~kiosk.core.refusals.RefusalTally` (one log line per kind
per minute), never logged one by one.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import resource
import socket
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from kiosk.core.refusals import RefusalTally
from kiosk.services.child_process import CHILD_NICE, at_least_niceness

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BIG_BODY_BYTES = 64 * 1024
BIG_BODY_SLOTS = 2
FILES_KEPT_FOR_THE_REST = 128  # database, logs, thumbnails, pipes: never given to clients


@dataclass(frozen=True)
class ListenerLimits:
    """What one listener accepts from its clients."""

    max_body_bytes: int
    per_address: int
    total: int
    max_header_bytes: int = 8 * 1024
    header_timeout_s: float = 10.0
    body_timeout_s: float = 10.0
    keep_alive_s: float = 5.0

    def within(self, open_files: int) -> ListenerLimits:
        """These limits with the total lowered to fit ``open_files`` file descriptors."""
        room = max(16, open_files - FILES_KEPT_FOR_THE_REST)
        total = min(self.total, room)
        return ListenerLimits(
            self.max_body_bytes,
            min(self.per_address, total),
            total,
            self.max_header_bytes,
            self.header_timeout_s,
            self.body_timeout_s,
            self.keep_alive_s,
        )


# The phone page: a ballot is a few dozen bytes; 700 phones may share one NAT address.
VOTE_PAGE_LIMITS = ListenerLimits(max_body_bytes=1024, per_address=160, total=640)
# The door stations: the largest legal request is an offline upload of 500 check-ins (~150 KB);
# a few stations, each with two connections (scans, sync).
STATION_LIMITS = ListenerLimits(
    max_body_bytes=1024 * 1024, per_address=16, total=64, max_header_bytes=16 * 1024
)


# ------------------------------------------------------------------ the process


def raise_open_files_limit() -> int:
    """Raise RLIMIT_NOFILE's soft limit to the hard one (a desktop session starts at 1024 or
    less); returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 65536)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, hard, exc)
    log.info("open-files limit %d", soft)
    return soft


def lower_priority(niceness: int = CHILD_NICE) -> int:
    """Run this process at a lower CPU priority (the films come first), unless it already
    runs that low (the console starts its server through `nice`); returns the niceness."""
    now = at_least_niceness(niceness)
    if now < niceness:
        log.warning("could not lower the server's CPU priority (niceness %d)", now)
    return now


# ------------------------------------------------------------------ 1. accepting


class ConnectionLedger:
    """Open connections of one listener, per address and in total."""

    def __init__(self, per_address: int, total: int) -> None:
        self.per_address = per_address
        self.total = total
        self._by_address: Counter[str] = Counter()
        self._lock = threading.Lock()

    def admit(self, address: str) -> bool:
        """Count one more connection from ``address``; False (not counted) if over a cap."""
        with self._lock:
            if sum(self._by_address.values()) >= self.total:
                return False
            if self._by_address[address] >= self.per_address:
                return False
            self._by_address[address] += 1
            return True

    def release(self, address: str) -> None:
        """One connection from ``address`` closed."""
        with self._lock:
            self._by_address[address] -= 1
            if self._by_address[address] <= 0:
                del self._by_address[address]

    def open_count(self) -> int:
        """Connections open now."""
        with self._lock:
            return sum(self._by_address.values())


class _CountedSocket(socket.socket):
    """An accepted connection that gives its place in the ledger back when closed."""

    def __init__(self, accepted: socket.socket, ledger: ConnectionLedger, address: str) -> None:
        super().__init__(accepted.family, accepted.type, accepted.proto, fileno=accepted.detach())
        self._ledger = ledger
        self._address = address
        self._counted = True

    def close(self) -> None:
        if self._counted:
            self._counted = False
            self._ledger.release(self._address)
        super().close()


class GuardedListeningSocket(socket.socket):
    """A listening TCP socket whose ``accept`` (called by asyncio) enforces the ledger."""

    def __init__(self, ledger: ConnectionLedger, refusals: RefusalTally) -> None:
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when
        # the socket says it is TCP; without it every reply waits ~40 ms for a delayed ACK.
        super().__init__(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._ledger = ledger
        self._refusals = refusals

    @property
    def ledger(self) -> ConnectionLedger:
        """The listener's open connections."""
        return self._ledger

    def accept(self) -> tuple[socket.socket, Any]:
        """Accept one connection, or close it at once if its address or the total is full."""
        accepted, address = super().accept()
        host = str(address[0])
        if not self._ledger.admit(host):
            accepted.close()
            self._refusals.refused("too many connections", host)
            # asyncio's accept loop takes this as "nothing more now" and waits for the next one
            raise ConnectionAbortedError(errno.ECONNABORTED, "connection cap reached")
        return _CountedSocket(accepted, self._ledger, host), address


# ------------------------------------------------------------------ 2. headers


def guarded_protocol(limits: ListenerLimits, refusals: RefusalTally) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline for each request head (from the connection or
    the previous answer) and the listener's header-size cap."""

    class GuardedH11Protocol(H11Protocol):
        """A request's line and headers must all arrive within ``header_timeout_s``."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm(limits.header_timeout_s)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm(limits.keep_alive_s + limits.header_timeout_s)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                refusals.refused("request head too slow", self.client[0] if self.client else "?")
                self.transport.close()

    return GuardedH11Protocol


class UvicornNoiseFilter(logging.Filter):
    """Counts uvicorn's one-line-per-request warnings (broken HTTP, oversized headers) in a
    tally instead of letting each through."""

    COUNTED: ClassVar[dict[str, str]] = {
        "Invalid HTTP request received.": "malformed HTTP or oversized headers",
        "Exceeded concurrency limit.": "server busy",
    }

    def __init__(self, refusals: RefusalTally) -> None:
        super().__init__()
        self._refusals = refusals

    def filter(self, record: logging.LogRecord) -> bool:
        kind = self.COUNTED.get(str(record.msg))
        if kind is None:
            return True
        self._refusals.refused(kind)
        return False


# ------------------------------------------------------------------ 3. bodies


class _BodyRefusedError(Exception):
    """Why a body was not read to the end (status and reason of the answer)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class BodyLimit:
    """ASGI middleware: no body over the cap is read, none is waited for longer than the
    timeout, and at most :data:`BIG_BODY_SLOTS` big ones are read at once."""

    def __init__(self, app: ASGIApp, limits: ListenerLimits, refusals: RefusalTally) -> None:
        self._app = app
        self._limits = limits
        self._refusals = refusals
        self._big_bodies = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "?"
        try:
            declared = _declared_length(scope)
        except _BodyRefusedError as refused:
            self._refusals.refused("bad Content-Length", address)
            await _answer(send, refused.status, refused.reason)
            return
        if declared is not None and declared > self._limits.max_body_bytes:
            self._refusals.refused("body too large", address)
            await _answer(send, 413, "request body too large")
            return
        big = declared is None or declared > BIG_BODY_BYTES
        if big and scope.get("method") in ("POST", "PUT", "PATCH"):
            if self._big_bodies >= BIG_BODY_SLOTS:
                self._refusals.refused("busy with big bodies", address)
                await _answer(send, 503, "busy, try again")
                return
            self._big_bodies += 1
            try:
                await self._guarded(scope, receive, send, address)
            finally:
                self._big_bodies -= 1
            return
        await self._guarded(scope, receive, send, address)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        """Run the app with a receive that answers 413/408 itself when the body goes over the
        cap or stalls, and then tells the app the client is gone (whatever the app sends after
        that is dropped, and what it raises about the missing body is not an error)."""
        received = 0
        started = False
        refused: _BodyRefusedError | None = None
        cap = self._limits.max_body_bytes
        timeout = self._limits.body_timeout_s

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused is not None:
                return {"type": "http.disconnect"}
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except TimeoutError:
                refused = _BodyRefusedError(408, "request body too slow")
            else:
                if message["type"] != "http.request":
                    return message
                received += len(message.get("body", b""))
                if received <= cap:
                    return message
                refused = _BodyRefusedError(413, "request body too large")
            self._refusals.refused(refused.reason, address)
            if not started:
                await _answer(send, refused.status, refused.reason)
            return {"type": "http.disconnect"}

        async def watched_send(message: Message) -> None:
            nonlocal started
            if refused is not None:
                return  # answered already
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, limited_receive, watched_send)
        except Exception:
            if refused is None:
                raise
            # the app learnt the client was gone mid-body (Starlette: ClientDisconnect)


def _declared_length(scope: Scope) -> int | None:
    values = [value for name, value in scope.get("headers", []) if name == b"content-length"]
    if not values:
        return None
    if len(values) > 1 or not values[0].isdigit() or len(values[0]) > 12:
        raise _BodyRefusedError(400, "bad Content-Length")
    return int(values[0])


async def _answer(send: Send, status: int, reason: str) -> None:
    body = ('{"error": "' + reason + '"}').encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
