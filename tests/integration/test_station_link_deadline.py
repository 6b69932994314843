"""A door station's request has one deadline for its whole answer, not one per read.

A real TLS server on 127.0.0.1 (the event's kind of certificate) sends its answer in pieces,
each well within the link's timeout, as a starved event server does (under `make test-loaded`
a 1 s scan took 1.7 s that way). The scan must give up at its timeout and the link must work
again on the next request.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.station.link import ServerLink, ServerUnreachableError
from kiosk.store.server_identity import ensure_identity

pytestmark = pytest.mark.serial  # real time: how long a request waits

TIMEOUT_S = 0.6
PIECE_EVERY_S = 0.3  # each piece within the timeout of one read
BODY = b'{"station": "Door 1"}'


@dataclass
class TricklingServer:
    """Answers its first connection one byte at a time, every later one at once."""

    port: int
    fingerprint: str
    stop: threading.Event


def _serve(listener: ssl.SSLSocket, stop: threading.Event) -> None:
    first = True
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except (TimeoutError, ssl.SSLError, OSError):
            continue
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)  # the request (small: one record)
                head = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n"
                )
                if not first:
                    conn.sendall(head + BODY)
                    continue
                first = False
                time.sleep(PIECE_EVERY_S)
                conn.sendall(head)
                for byte in BODY:
                    time.sleep(PIECE_EVERY_S)
                    conn.sendall(bytes([byte]))
            except OSError:
                continue  # the station gave up and shut the connection: as it should


@pytest.fixture
def trickling(tmp_path: Path) -> Iterator[TricklingServer]:
    identity = ensure_identity(tmp_path / "server", "Deadline test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(identity.cert_path, identity.key_path)
    plain = socket.create_server(("127.0.0.1", 0))
    plain.settimeout(0.2)
    listener = context.wrap_socket(plain, server_side=True)
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, stop), daemon=True)
    thread.start()
    try:
        yield TricklingServer(listener.getsockname()[1], identity.fingerprint, stop)
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


def test_an_answer_in_pieces_cannot_hold_a_request_past_its_timeout(
    trickling: TricklingServer,
) -> None:
    link = ServerLink(
        "127.0.0.1", trickling.port, trickling.fingerprint, "token", timeout=TIMEOUT_S
    )
    try:
        started = time.monotonic()
        with pytest.raises(ServerUnreachableError, match="no whole answer within"):
            link.hello()
        took = time.monotonic() - started
        # per read, the pieces (every 0.3 s) would have kept it waiting 0.3 s x 22 = 6.6 s
        assert took < TIMEOUT_S + 1.0, f"the request waited {took:.2f} s"
        assert link.hello() == {"station": "Door 1"}  # a new connection, answered at once
    finally:
        link.close()
