"""The console's OSC listener: UDP and TCP (OSC 1.1, SLIP-framed) on one port, bounded.

Every message goes through the `RemoteGate` first (allowed sender, passcode, rate); a command it
lets through is handed to `run`, which carries it out on the console's GUI thread and says what
happened; the reply goes back to the sender the way QLab answers: `/reply/<address>` with one
JSON string `{"address", "status", "data"}`. A sender that sent `/updates 1` is pushed
`/update/state` (one JSON string) whenever the console calls `push_state`.

Bounds, because the booth network is not trusted: one datagram or TCP frame is at most
`MAX_PACKET` bytes; at most `MAX_TCP_CONNECTIONS` TCP connections (`MAX_TCP_PER_HOST` per
address), each closed after `TCP_IDLE_S` of silence; UDP is read by one thread (a flood queues
in the kernel, it does not make threads); bundles' time tags are ignored (nothing waits).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket, ParseError

from kiosk.core.remote import STATE, UPDATES, Answer, RemoteCommand, RemoteGate, Verdict

log = logging.getLogger(__name__)

MAX_PACKET = 8192
MAX_TCP_CONNECTIONS = 8
MAX_TCP_PER_HOST = 4
TCP_IDLE_S = 600.0
SLIP_END = b"\xc0"
SLIP_ESC = b"\xdb"


@dataclass(frozen=True)
class Outcome:
    """What a command did on the console: its reply status and words."""

    status: str  # ok, refused (the console's guard said no), error
    message: str = ""


RunCommand = Callable[[RemoteCommand, str], Outcome]  # (command, "OSC udp 10.0.5.20") -> outcome


def osc_message(address: str, payload: dict[str, Any]) -> bytes:
    """One OSC message carrying `payload` as a JSON string (QLab's reply format)."""
    builder = OscMessageBuilder(address=address)
    builder.add_arg(json.dumps(payload, ensure_ascii=False), OscMessageBuilder.ARG_TYPE_STRING)
    return bytes(builder.build().dgram)


def slip_encode(packet: bytes) -> bytes:
    """An OSC 1.1 TCP frame."""
    body = packet.replace(SLIP_ESC, SLIP_ESC + b"\xdd").replace(SLIP_END, SLIP_ESC + b"\xdc")
    return SLIP_END + body + SLIP_END


def slip_decode(frame: bytes) -> bytes:
    """The packet inside one SLIP frame (the END bytes already split off)."""
    return frame.replace(SLIP_ESC + b"\xdc", SLIP_END).replace(SLIP_ESC + b"\xdd", SLIP_ESC)


class OscServer:
    """Listens on `host:port` for OSC over UDP and TCP until `stop()`."""

    def __init__(
        self,
        gate: RemoteGate,
        run: RunCommand,
        state: Callable[[], dict[str, Any]],
        *,
        host: str,
        port: int,
    ) -> None:
        self._gate = gate
        self._run = run
        self._state = state
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._udp_subscribers: set[tuple[str, int]] = set()
        self._tcp_subscribers: set[_TcpHandler] = set()
        self._udp: _UdpServer | None = None
        self._tcp: _TcpServer | None = None
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        """The port listened on (the one asked for, or the one the system gave for 0)."""
        if self._udp is not None:
            return int(self._udp.server_address[1])
        return self._port

    def start(self) -> None:
        """Bind both sockets and serve in background threads (OSError if the port is taken)."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        udp = _UdpServer((self._host, self._port), self, family)
        try:
            tcp = _TcpServer((self._host, int(udp.server_address[1])), self, family)
        except OSError:
            udp.server_close()
            raise
        self._udp, self._tcp = udp, tcp
        for name, target in (("osc-udp", udp.serve_forever), ("osc-tcp", tcp.serve_forever)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("OSC listening on %s port %d (UDP and TCP)", self._host, self.port)

    def stop(self) -> None:
        """Stop listening and close every connection."""
        for srv in (self._udp, self._tcp):
            if srv is not None:
                srv.shutdown()
                srv.server_close()
        if self._tcp is not None:
            self._tcp.close_all()
        for thread in self._threads:
            thread.join(5)
        self._threads.clear()
        self._udp = self._tcp = None
        with self._lock:
            self._udp_subscribers.clear()
            self._tcp_subscribers.clear()

    def push_state(self, state: dict[str, Any]) -> None:
        """Send `/update/state` to every subscriber (called on any thread)."""
        packet = osc_message("/update/state", state)
        with self._lock:
            udp_targets = list(self._udp_subscribers)
            tcp_targets = list(self._tcp_subscribers)
        udp = self._udp
        for target in udp_targets:
            if udp is not None:
                try:
                    udp.socket.sendto(packet, target)
                except OSError:
                    with self._lock:
                        self._udp_subscribers.discard(target)
        for handler in tcp_targets:
            handler.send(packet)

    def forget(self) -> None:
        """Drop every subscription (the console turned the remotes off)."""
        with self._lock:
            self._udp_subscribers.clear()
            self._tcp_subscribers.clear()
        if self._tcp is not None:
            self._tcp.close_all()

    # --- one packet ---------------------------------------------------------------------

    def _packet(
        self,
        data: bytes,
        client: tuple[str, int] | Any,
        reply: Callable[[bytes], object],
        tcp: _TcpHandler | None = None,
    ) -> None:
        host = str(client[0])
        try:
            messages = OscPacket(data).messages
        except (ParseError, ValueError, IndexError, TypeError, UnicodeDecodeError):
            return  # not OSC: nothing to answer
        for timed in messages:
            message = timed.message
            arguments = tuple(message.params)
            answer = self._gate.decide(host, message.address, arguments)
            if answer.verdict is Verdict.DROP:
                return  # a stranger gets nothing back, not even a refusal
            self._answer(answer, host, client, message.address, arguments, reply, tcp)

    def _answer(
        self,
        answer: Answer,
        host: str,
        client: tuple[str, int] | Any,
        address: str,
        arguments: tuple[object, ...],
        reply: Callable[[bytes], object],
        tcp: _TcpHandler | None,
    ) -> None:
        status = answer.status
        data: object = answer.message
        if answer.verdict is Verdict.RUN and answer.command is not None:
            transport = "tcp" if tcp is not None else "udp"
            outcome = self._run(answer.command, f"OSC {transport} {host}")
            status, data = outcome.status, outcome.message
        elif status == "ok" and address == UPDATES:
            subscribe = bool(arguments and arguments[0] not in (0, False, "0"))
            with self._lock:
                if tcp is not None:
                    (self._tcp_subscribers.add if subscribe else self._tcp_subscribers.discard)(tcp)
                else:
                    target = (host, int(client[1]))
                    (self._udp_subscribers.add if subscribe else self._udp_subscribers.discard)(
                        target
                    )
            data = "subscribed" if subscribe else "unsubscribed"
        elif status == "ok" and address == STATE:
            data = self._state()
        payload = {"address": address, "status": status, "data": data}
        with contextlib.suppress(OSError):
            reply(osc_message(f"/reply{address}", payload))


class _TcpHandler(socketserver.BaseRequestHandler):
    """One TCP connection: SLIP frames in, replies and pushes out."""

    server: _TcpServer

    def setup(self) -> None:
        self.request.settimeout(TCP_IDLE_S)
        self._send_lock = threading.Lock()

    def send(self, packet: bytes) -> None:
        with self._send_lock, contextlib.suppress(OSError):
            self.request.sendall(slip_encode(packet))

    def handle(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self.request.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while SLIP_END in buffer:
                frame, _, buffer = buffer.partition(SLIP_END)
                if frame:
                    self.server.osc._packet(
                        slip_decode(frame), self.client_address, self.send, tcp=self
                    )
            if len(buffer) > MAX_PACKET:
                log.info(
                    "OSC TCP: a frame over %d bytes from %s", MAX_PACKET, self.client_address[0]
                )
                return


class _UdpHandler(socketserver.BaseRequestHandler):
    """One datagram."""

    server: _UdpServer

    def handle(self) -> None:
        data, sock = self.request
        client = self.client_address

        def reply(packet: bytes) -> None:
            sock.sendto(packet, client)

        self.server.osc._packet(bytes(data), client, reply)


class _UdpServer(socketserver.UDPServer):
    """A UDP server read by one thread, datagrams up to MAX_PACKET bytes."""

    allow_reuse_address = True
    max_packet_size = MAX_PACKET

    def __init__(self, address: tuple[str, int], osc: OscServer, family: int) -> None:
        self.address_family = family
        self.osc = osc
        super().__init__(address, _UdpHandler)


class _TcpServer(socketserver.ThreadingTCPServer):
    """A threading TCP server that refuses connections past its caps."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], osc: OscServer, family: int) -> None:
        self.address_family = family
        self.osc = osc
        self._open: dict[socket.socket, str] = {}
        self._open_lock = threading.Lock()
        super().__init__(address, _TcpHandler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        host = str(client_address[0])
        with self._open_lock:
            same = sum(1 for h in self._open.values() if h == host)
            if len(self._open) >= MAX_TCP_CONNECTIONS or same >= MAX_TCP_PER_HOST:
                return False
            self._open[request] = host
        return True

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def close_all(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
