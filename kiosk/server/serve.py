"""Run the event's web apps in one process: each on its own port, with or without TLS.

`serve` starts a list of :class:`Listener` — today the door stations' API over TLS; a second
app (for example the audience vote page on plain HTTP) is one more entry in the list. Sockets
are bound before anything starts, so port 0 (the OS chooses) works and the real port is known.
SIGINT and SIGTERM stop every listener together.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

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


@dataclass(frozen=True)
class BoundListener:
    """A listener with its socket bound: ``port`` is the real one (also for port 0)."""

    listener: Listener
    sock: socket.socket

    @property
    def port(self) -> int:
        """The port the OS gave."""
        return int(self.sock.getsockname()[1])


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to :func:`run_listeners` (it stops them all)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(listener: Listener) -> BoundListener:
    """Bind a listener's socket now (OSError with the port when it is taken)."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when
    # the socket says it is TCP; without it every reply waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
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
    return BoundListener(listener, sock)


def _server_for(bound: BoundListener) -> _Server:
    listener = bound.listener
    config = uvicorn.Config(
        listener.app,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
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

    async def main() -> None:
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

    try:
        asyncio.run(main())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for item in bound:
            item.sock.close()
