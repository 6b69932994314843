"""The OSC listener on 127.0.0.1 with real UDP and TCP clients (python-osc), no console.

The console's side (`run`) is a recorder here; tests/ui/test_remote_console.py drives a real
console and looks at the projector.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from kiosk.core.remote import RemoteCommand, RemoteGate, RemoteSettings
from kiosk.remote.osc_server import MAX_TCP_CONNECTIONS, OscServer, Outcome, slip_encode

PASSCODE = "booth-2026"


def message(address: str, *arguments: str | int | float) -> bytes:
    builder = OscMessageBuilder(address=address)
    for argument in arguments:
        builder.add_arg(argument)
    return bytes(builder.build().dgram)


def reply_of(data: bytes) -> tuple[str, dict[str, object]]:
    parsed = OscMessage(data)
    return parsed.address, json.loads(str(parsed.params[0]))


@pytest.fixture
def server() -> Iterator[tuple[OscServer, list[tuple[str, str]]]]:
    ran: list[tuple[str, str]] = []

    def run(command: RemoteCommand, source: str) -> Outcome:
        ran.append((command.address, source))
        return Outcome("ok")

    gate = RemoteGate(RemoteSettings(osc=True, passcode=PASSCODE), time.monotonic)
    osc = OscServer(gate, run, lambda: {"on_now": "holding slide"}, host="127.0.0.1", port=0)
    osc.start()
    yield osc, ran
    osc.stop()


def udp_exchange(sock: socket.socket, port: int, data: bytes) -> tuple[str, dict[str, object]]:
    sock.sendto(data, ("127.0.0.1", port))
    answer, _ = sock.recvfrom(8192)
    return reply_of(answer)


def test_udp_connect_command_and_state(server: tuple[OscServer, list[tuple[str, str]]]) -> None:
    osc, ran = server
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        assert udp_exchange(sock, osc.port, message("/go"))[1]["status"] == "denied"
        assert ran == []
        address, body = udp_exchange(sock, osc.port, message("/connect", PASSCODE))
        assert address == "/reply/connect" and body["status"] == "ok"
        address, body = udp_exchange(sock, osc.port, message("/go"))
        assert address == "/reply/go" and body["status"] == "ok"
        assert ran == [("/go", "OSC udp 127.0.0.1")]
        _, body = udp_exchange(sock, osc.port, message("/state"))
        assert body["data"] == {"on_now": "holding slide"}
        _, body = udp_exchange(sock, osc.port, message("/updates", 1))
        assert body["data"] == "subscribed"
        osc.push_state({"on_now": "title card: Film"})
        address, body = reply_of(sock.recvfrom(8192)[0])
        assert address == "/update/state" and body["on_now"] == "title card: Film"


def test_tcp_slip_frames(server: tuple[OscServer, list[tuple[str, str]]]) -> None:
    osc, ran = server
    with socket.create_connection(("127.0.0.1", osc.port), timeout=5) as sock:
        sock.sendall(slip_encode(message("/connect", PASSCODE)) + slip_encode(message("/skip")))
        received = b""
        while received.count(b"\xc0") < 4:
            received += sock.recv(4096)
    frames = [f for f in received.split(b"\xc0") if f]
    assert [reply_of(f)[0] for f in frames] == ["/reply/connect", "/reply/skip"]
    assert ran == [("/skip", "OSC tcp 127.0.0.1")]


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_garbage_and_oversized_input_do_not_stop_the_listener(
    server: tuple[OscServer, list[tuple[str, str]]],
) -> None:
    osc, ran = server
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        for junk in (b"", b"\x00" * 7, b"/go\x00,s\x00\x00", b"#bundle\x00" + b"\xff" * 40):
            sock.sendto(junk, ("127.0.0.1", osc.port))
        assert udp_exchange(sock, osc.port, message("/connect", PASSCODE))[1]["status"] == "ok"
    held = []
    for _ in range(MAX_TCP_CONNECTIONS + 3):  # more than the cap: the rest are closed at once
        held.append(socket.create_connection(("127.0.0.1", osc.port), timeout=5))
    closed = 0
    for sock in held:
        sock.settimeout(0.5)
        try:
            if sock.recv(1) == b"":
                closed += 1
        except TimeoutError:
            pass
        sock.close()
    assert closed >= 3
    with socket.create_connection(("127.0.0.1", osc.port), timeout=5) as sock:
        sock.sendall(b"\x01" * 20000)  # a frame that never ends: the connection is dropped
        sock.settimeout(5)
        assert sock.recv(1) == b""
    assert ran == []
