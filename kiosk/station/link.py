"""A door station's HTTPS connection to the event server, with the certificate pinned.

The server's certificate is self-signed; the station trusts it because its SHA-256 fingerprint
is the one in the pairing QR code, checked after every TLS handshake before a single byte of
the request is sent. Another certificate — a different laptop answering on that address, a
regenerated certificate — is refused with :class:`CertificateMismatchError`.

One :class:`ServerLink` keeps one keep-alive connection; requests from several threads (the
door window's writer, its reader and the GUI's search) take turns on it. Its ``timeout`` is
for the whole request (connecting, the TLS handshake, sending, the whole answer), not for each
read: a starved server that sends its answer in pieces cannot hold a scan past it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import ssl
import threading
import time
from types import TracebackType
from typing import Any
from urllib.parse import quote

from kiosk.core.stations import PairingPayload, certificate_fingerprint
from kiosk.server.station_wire import PairingAnswer, pairing_from_wire
from kiosk.station.folder import StationCredentials

log = logging.getLogger(__name__)

API = "/api/v1"
SCAN_TIMEOUT_S = 1.0  # a scan falls back to offline after this long without its whole answer
SYNC_TIMEOUT_S = 10.0


class ServerUnreachableError(Exception):
    """No answer from the server (down, cut off, too slow): decide offline."""


class CertificateMismatchError(ServerUnreachableError):
    """The server presented another certificate than the pinned one: never talk to it."""


class ServerRefusedError(Exception):
    """The server answered with an error (status and its message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{message} (HTTP {status})")
        self.status = status
        self.message = message

    @property
    def revoked(self) -> bool:
        """The station's token is no longer valid (revoked or re-paired)."""
        return self.status == 401


def _tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # No CA can vouch for a per-event self-signed certificate: the pin below is the check.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class ServerLink:
    """Requests to the event server over one pinned, kept-alive TLS connection."""

    def __init__(
        self,
        host: str,
        port: int,
        fingerprint: str,
        token: str | None = None,
        *,
        timeout: float = SCAN_TIMEOUT_S,
    ) -> None:
        self.host = host
        self.port = port
        self.fingerprint = fingerprint.lower()
        self.token = token
        self.timeout = timeout
        self._context = _tls_context()
        self._conn: http.client.HTTPSConnection | None = None
        self._turn = threading.RLock()  # one request at a time on the one connection
        self.peer_der: bytes | None = None

    @classmethod
    def for_station(
        cls, credentials: StationCredentials, *, timeout: float = SCAN_TIMEOUT_S
    ) -> ServerLink:
        """The link of a paired station."""
        return cls(
            credentials.host,
            credentials.port,
            credentials.fingerprint,
            credentials.token,
            timeout=timeout,
        )

    def close(self) -> None:
        """Drop the connection (the next request makes a new one)."""
        with self._turn:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self, deadline: float) -> http.client.HTTPSConnection:
        if self._conn is not None:
            return self._conn
        # connecting and the handshake each wait at most what is left (the handshake's reads
        # share one deadline in the ssl module); a loopback or LAN connect takes no time
        left = max(deadline - time.monotonic(), 0.001)
        conn = http.client.HTTPSConnection(
            self.host, self.port, context=self._context, timeout=left
        )
        try:
            conn.connect()
        except (OSError, ssl.SSLError) as exc:
            conn.close()
            raise ServerUnreachableError(f"cannot reach {self.host}:{self.port}: {exc}") from exc
        sock = conn.sock
        der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        if der is None or certificate_fingerprint(der) != self.fingerprint:
            conn.close()
            log.error("server at %s:%d presented an unpinned certificate", self.host, self.port)
            raise CertificateMismatchError(
                f"The server at {self.host}:{self.port} presented a different certificate than "
                f"the one paired; not talking to it. Pair again if the server was rebuilt. "
                f"/ 伺服器的證書與配對時不同，已拒絕連線；如伺服器已重建，請重新配對。"
            )
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.peer_der = der
        self._conn = conn
        return conn

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, retry: bool = True
    ) -> dict[str, Any]:
        """One request; retried once on a dropped keep-alive connection (requests carry nonces,
        so a retry never counts twice). ServerUnreachableError or ServerRefusedError on failure."""
        with self._turn:
            return self._request(method, path, body, time.monotonic() + self.timeout, retry=retry)

    def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        deadline: float,
        *,
        retry: bool,
    ) -> dict[str, Any]:
        payload = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            conn = self._connection(deadline)
            with _Cutoff(conn, deadline):
                conn.request(method, API + path, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read()
        except CertificateMismatchError:
            raise
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            self.close()
            late = time.monotonic() >= deadline
            if retry and not late and not isinstance(exc, TimeoutError | socket.timeout):
                return self._request(method, path, body, deadline, retry=False)
            if late:
                exc = TimeoutError(f"no whole answer within {self.timeout:g} s ({exc})")
            raise ServerUnreachableError(f"{self.host}:{self.port}: {exc}") from exc
        try:
            data = json.loads(raw or b"{}")
        except ValueError as exc:
            raise ServerRefusedError(response.status, "the server's answer is not JSON") from exc
        if response.status >= 400:
            message = data.get("error", "") if isinstance(data, dict) else ""
            raise ServerRefusedError(response.status, str(message) or response.reason)
        if not isinstance(data, dict):
            raise ServerRefusedError(response.status, "the server's answer is not a JSON object")
        return data

    # ------------------------------------------------------------ the API

    def pair(self, pairing_token: str) -> dict[str, Any]:
        """Exchange the one-time pairing token for a station token."""
        return self.request("POST", "/pair", {"token": pairing_token}, retry=False)

    def hello(self) -> dict[str, Any]:
        """Check the token and the connection."""
        return self.request("GET", "/hello")

    def checkin(self, nonce: str, code: str, method: str) -> dict[str, Any]:
        """One online scan."""
        return self.request("POST", "/checkin", {"nonce": nonce, "code": code, "method": method})

    def admit(self, nonce: str, attendee_id: int) -> dict[str, Any]:
        """An admission by hand."""
        return self.request("POST", "/admit", {"nonce": nonce, "attendee_id": attendee_id})

    def walk_in(
        self, nonce: str, name: str, name_latin: str | None, email: str | None
    ) -> dict[str, Any]:
        """A walk-in (the server issues the ticket)."""
        return self.request(
            "POST",
            "/walk-in",
            {"nonce": nonce, "name": name, "name_latin": name_latin, "email": email},
        )

    def undo(self, nonce: str) -> dict[str, Any]:
        """Annul this station's latest admission."""
        return self.request("POST", "/undo", {"nonce": nonce})

    def upload(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Offline check-ins."""
        return self.request("POST", "/upload", {"items": items})

    def tickets(self) -> dict[str, Any]:
        """The ticket list."""
        return self.request("GET", "/tickets")

    def figures(self) -> dict[str, Any]:
        """Live counts and arrivals."""
        return self.request("GET", "/figures")

    def search(self, text: str) -> dict[str, Any]:
        """Find people."""
        return self.request("GET", f"/search?q={quote(text)}")

    def vote(self, nonce: str, code: str, film_id: str) -> dict[str, Any]:
        """A voting station's ballot (decided once per nonce)."""
        return self.request("POST", "/vote", {"nonce": nonce, "code": code, "film": film_id})

    def vote_check(self, code: str) -> dict[str, Any]:
        """May this ticket vote now?"""
        return self.request("POST", "/vote/check", {"code": code})

    def vote_films(self) -> dict[str, Any]:
        """Whether the vote is open, and the films on the ballot."""
        return self.request("GET", "/vote/films")


class _Cutoff:
    """Shuts a connection's socket at a deadline, so a read blocked on it returns at once.

    The socket's own timeout is per read: an answer that arrives in pieces (a starved server
    sends the head and the body as two TLS records) could hold a scan for a timeout per piece
    (1.7 s measured for a 1 s timeout, docs/dev/testing.md). The connection is then unusable;
    the caller closes it and the next request makes a new one."""

    def __init__(self, conn: http.client.HTTPSConnection, deadline: float) -> None:
        self._conn = conn
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._cut)
        self._timer.daemon = True

    def __enter__(self) -> None:
        self._timer.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._timer.cancel()

    def _cut(self) -> None:
        sock = self._conn.sock
        if sock is None:
            return
        # the plain socket's shutdown (the TLS layer's would race the reading thread); an
        # OSError: closed meanwhile
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def pair_station(payload: PairingPayload) -> tuple[PairingAnswer, bytes]:
    """Pair with the server a payload names: (its answer, the certificate PEM).

    The fingerprint is checked on the TLS handshake before the pairing token is sent, so the
    token never reaches a server that is not the one on the QR code.
    """
    link = ServerLink(payload.host, payload.port, payload.fingerprint, timeout=SYNC_TIMEOUT_S)
    try:
        answer = link.pair(payload.token)
        der = link.peer_der
    finally:
        link.close()
    assert der is not None  # set by the handshake that carried the request
    return pairing_from_wire(answer), ssl.DER_cert_to_PEM_cert(der).encode()
