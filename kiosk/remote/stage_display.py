"""The stage display: a read-only page for the host's tablet or the booth's second monitor.

Served by the console itself (it is the process that knows what is on): `GET /stage?t=TOKEN`
is the page, `GET /stage/events?t=TOKEN` a server-sent-events stream that is pushed the state
(what is on now, time left, what comes next, the next reveal step's name) the moment it
changes. The token comes from the pairing QR on the console's Remote tab; without it, or from
an address not allowed in `[remote]`, the answer is 403. Nothing here can change the show.

Bounds: at most `MAX_CLIENTS` streams and `MAX_REQUESTS` requests in flight; a request line or
header over 8 KB, or one that does not arrive within 10 s, is dropped.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

MAX_CLIENTS = 16
MAX_REQUESTS = 32
KEEPALIVE_S = 15.0
REQUEST_TIMEOUT_S = 10.0
NOT_PAIRED = (
    "此連結無效，請在控制台重新掃描二維碼。\nThis link is not valid: scan the console's QR again.\n"
).encode()


class StageDisplay:
    """Serves the stage display on `host:port` until `stop()`; `publish` pushes a new state."""

    def __init__(self, token: str, allows: Callable[[str], bool], *, host: str, port: int) -> None:
        self._token = token
        self._allows = allows
        self._host = host
        self._port = port
        self._state: dict[str, Any] = {}
        self._version = 0
        self._changed = threading.Condition()
        self._streams = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def port(self) -> int:
        """The port served (the one asked for, or the system's choice for 0)."""
        return int(self._server.server_address[1]) if self._server else self._port

    def start(self) -> None:
        """Bind and serve in a background thread (OSError if the port is taken)."""
        self._server = _Server((self._host, self._port), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="stage-display", daemon=True
        )
        self._thread.start()
        log.info("stage display on %s port %d", self._host, self.port)

    def stop(self) -> None:
        """Stop serving; open streams end."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    def publish(self, state: dict[str, Any]) -> None:
        """A new state for every open page (called on any thread; never blocks on a client)."""
        with self._changed:
            self._state = dict(state)
            self._version += 1
            self._changed.notify_all()

    def token_ok(self, given: str) -> bool:
        """True if `given` is the pairing token (compared in constant time)."""
        return hmac.compare_digest(given.encode("utf-8"), self._token.encode("utf-8"))

    def allows(self, host: str) -> bool:
        """True if `host` may read the stage display at all."""
        return self._allows(host)

    # --- one stream -----------------------------------------------------------------------

    def open_stream(self) -> bool:
        """Count one more stream; False past the cap."""
        with self._changed:
            if self._streams >= MAX_CLIENTS:
                return False
            self._streams += 1
            return True

    def close_stream(self) -> None:
        """One stream ended."""
        with self._changed:
            self._streams -= 1

    def next_state(self, seen: int) -> tuple[int, dict[str, Any] | None]:
        """Wait (at most KEEPALIVE_S) for a state newer than version `seen`.

        Returns (version, state), state None on a keep-alive time-out; version -1 when the
        display is stopping."""
        with self._changed:
            if not self._stopping and self._version == seen:
                self._changed.wait(KEEPALIVE_S)
            if self._stopping:
                return -1, None
            if self._version == seen:
                return seen, None
            return self._version, dict(self._state)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], display: StageDisplay
    ) -> None:
        self.display = display
        self._slots = threading.BoundedSemaphore(MAX_REQUESTS)
        super().__init__(address, handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        if not self.display.allows(str(client_address[0])):
            return False  # not even an answer for a stranger
        return self._slots.acquire(blocking=False)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)

    def close_request(self, request: Any) -> None:
        super().close_request(request)
        self._slots.release()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = REQUEST_TIMEOUT_S
    protocol_version = "HTTP/1.1"
    server_version = "AIFF-stage"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("stage display %s: %s", self.client_address[0], format % args)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        token = parse_qs(parts.query).get("t", [""])[0]
        display = self.server.display
        if parts.path not in ("/stage", "/stage/events"):
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")
        elif not display.token_ok(token):
            self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", NOT_PAIRED)
        elif parts.path == "/stage":
            page = resources.files("kiosk.remote").joinpath("stage_display.html").read_bytes()
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", page)
        else:
            self._stream()

    def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def _stream(self) -> None:
        display = self.server.display
        if not display.open_stream():
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", b"too many displays\n")
            return
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            version = 0
            while True:
                version, state = display.next_state(version)
                if version < 0:
                    return
                if state is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    data = json.dumps(state, ensure_ascii=False)
                    self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()
        except OSError:
            return  # the tablet went away
        finally:
            display.close_stream()
