"""Run the event's web apps in one process: each on its own port, with or without TLS.

`serve` starts a list of :class:`Listener` — today the door stations' API over TLS; a second
app (for example the audience vote page on plain HTTP) is one more entry in the list. Sockets
are bound before anything starts, so port 0 (the OS chooses) works and the real port is known.
SIGINT and SIGTERM stop every listener together.

Each listener has its :class:`~kiosk.server.limits.ListenerLimits`: connections counted when
accepted, a deadline and a size cap for request heads, a cap and a deadline for bodies, all
before the app runs (see :mod:`kiosk.server.limits`). Refusals are tallied per listener, one
log line per kind per minute; so are errors on accept (out of file descriptors).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from kiosk.core.refusals import RefusalTally
from kiosk.server.limits import (
    STATION_LIMITS,
    BodyLimit,
    ConnectionLedger,
    GuardedListeningSocket,
    ListenerLimits,
    UvicornNoiseFilter,
    guarded_protocol,
)
from kiosk.store.server_identity import ServerIdentity

log = logging.getLogger(__name__)

ASGIApp = Any  # an ASGI application (Starlette, FastAPI, …)


@dataclass(frozen=True)
class Listener:
    """One app on one port: ``tls`` None means plain HTTP."""

    name: str
    app: ASGIApp
    port: int
    tls: ServerIdentity | None = None
    host: str = "0.0.0.0"
    limits: ListenerLimits = STATION_LIMITS


@dataclass(frozen=True)
class BoundListener:
    """A listener with its socket bound: ``port`` is the real one (also for port 0)."""

    listener: Listener
    sock: GuardedListeningSocket
    limits: ListenerLimits  # the listener's, with the total fitted to the open-files limit
    refusals: RefusalTally

    @property
    def port(self) -> int:
        """The port the OS gave."""
        return int(self.sock.getsockname()[1])


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to :func:`run_listeners` (it stops them all)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(listener: Listener, refusals: RefusalTally | None = None) -> BoundListener:
    """Bind a listener's socket now (OSError with the port when it is taken).

    ``refusals``: the tally its app already counts in (one summary per kind for both)."""
    open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    limits = listener.limits.within(open_files)
    if refusals is None:
        refusals = RefusalTally(logging.getLogger(f"{__name__}.{listener.name}"), time.monotonic)
    sock = GuardedListeningSocket(ConnectionLedger(limits.per_address, limits.total), refusals)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((listener.host, listener.port))
    except OSError as exc:
        sock.close()
        raise OSError(
            f"{listener.name}: port {listener.port} on {listener.host} is not free ({exc}); "
            f"choose another with --port"
        ) from exc
    sock.listen(256)
    sock.set_inheritable(True)
    return BoundListener(listener, sock, limits, refusals)


def _server_for(bound: BoundListener) -> _Server:
    listener = bound.listener
    limits = bound.limits
    config = uvicorn.Config(
        BodyLimit(listener.app, limits, bound.refusals),
        http=guarded_protocol(limits, bound.refusals),
        h11_max_incomplete_event_size=limits.max_header_bytes,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=int(limits.keep_alive_s),
        ssl_certfile=str(listener.tls.cert_path) if listener.tls else None,
        ssl_keyfile=str(listener.tls.key_path) if listener.tls else None,
    )
    return _Server(config)


def run_listeners(
    bound: Sequence[BoundListener],
    on_started: Callable[[], None] | None = None,
    stop_event: threading.Event | None = None,
) -> None:
    """Serve every bound listener until SIGINT/SIGTERM (main thread) or ``stop_event``."""
    servers = [_server_for(item) for item in bound]
    process_refusals = RefusalTally(log, time.monotonic)
    noise = UvicornNoiseFilter(process_refusals)
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.addFilter(noise)

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping the event server", signum)
        for server in servers:
            server.should_exit = True

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    async def watch_stop_event() -> None:
        while stop_event is not None and not stop_event.is_set():
            await asyncio.sleep(0.05)
        for server in servers:
            server.should_exit = True

    def on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if message.startswith("socket.accept()"):  # EMFILE and friends: asyncio retries
            process_refusals.refused("accept failed", str(context.get("exception", "")))
            return
        loop.default_exception_handler(context)

    async def flush_tallies() -> None:
        while True:
            await asyncio.sleep(5)
            process_refusals.flush()
            for item in bound:
                item.refusals.flush()

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(on_loop_error)
        flusher = asyncio.create_task(flush_tallies())
        tasks = [
            asyncio.create_task(server.serve(sockets=[item.sock]))
            for server, item in zip(servers, bound, strict=True)
        ]
        if stop_event is not None:
            watcher = asyncio.create_task(watch_stop_event())
            tasks[0].add_done_callback(lambda _task: watcher.cancel())
        while not all(server.started for server in servers):
            if any(task.done() for task in tasks):
                break
            await asyncio.sleep(0.02)
        else:
            if on_started is not None:
                on_started()
        await asyncio.gather(*tasks)
        flusher.cancel()

    try:
        asyncio.run(main())
    finally:
        uvicorn_log.removeFilter(noise)
        process_refusals.flush()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for item in bound:
            item.sock.close()
