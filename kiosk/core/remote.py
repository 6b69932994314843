"""Remote control from the booth: OSC commands, who may send them, and how fast.

A booth's control surface (a Stream Deck through Bitfocus Companion, a QLab-style OSC panel)
sends OSC messages to the console. This module decides, without any socket or Qt, what each
message means and whether it is taken:

- `[remote]` in `event.toml` turns OSC on for the event (off by default), with its port, its
  passcode and the addresses allowed to send (`RemoteSettings`);
- the address space (`OSC_COMMANDS`) is modelled on QLab's: `/go`, `/pause`, `/resume`, `/fade`,
  `/black`, `/back`, `/skip`, `/difficulties`, `/reveal/go`, `/reveal/back`, `/volume/up`,
  `/volume/down`. Each names one of the console's own key commands, so a remote GO goes through
  the same key map and the same guards as Space (a double GO is still refused). Nothing here
  can open the sealed results, end the reveal, start over or quit;
- `RemoteGate` answers each message: drop it (a sender not allowed), refuse it (not connected
  with the passcode, too fast), or run the command. It is called from the OSC threads; it keeps
  its own lock.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from kiosk.core.problems import Problem

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
DEFAULT_OSC_PORT = 53000  # QLab's
DEFAULT_STAGE_PORT = 53080
MIN_PASSCODE_LENGTH = 4


@dataclass(frozen=True)
class RemoteSettings:
    """``[remote]`` in ``event.toml``: OSC from the booth, off unless `osc = true`."""

    osc: bool = False
    port: int = DEFAULT_OSC_PORT
    passcode: str = ""
    allowed: tuple[IPNetwork, ...] = LOOPBACK
    stage_display: bool = False  # the host's read-only page (paired by QR)
    stage_port: int = DEFAULT_STAGE_PORT

    def allows(self, host: str) -> bool:
        """True if a message from `host` may be read at all."""
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.allowed)


_KEYS = frozenset({"osc", "port", "passcode", "allowed", "stage_display", "stage_port"})


def remote_settings_from_dict(table: object, path: Path, problems: list[Problem]) -> RemoteSettings:
    """Validate the ``[remote]`` table (missing: OSC off); problems are appended."""
    if table is None:
        return RemoteSettings()
    if not isinstance(table, dict):
        problems.append(Problem(path, "must be a table", "[remote]"))
        return RemoteSettings()
    for key in sorted(set(table) - _KEYS):
        problems.append(Problem(path, "is not a known setting", "[remote]", key))
    osc = table.get("osc", False)
    if not isinstance(osc, bool):
        problems.append(Problem(path, "must be true or false", "[remote]", "osc"))
        osc = False
    port = _port(table, "port", DEFAULT_OSC_PORT, path, problems)
    stage_port = _port(table, "stage_port", DEFAULT_STAGE_PORT, path, problems)
    stage_display = table.get("stage_display", False)
    if not isinstance(stage_display, bool):
        problems.append(Problem(path, "must be true or false", "[remote]", "stage_display"))
        stage_display = False
    passcode = table.get("passcode", "")
    if not isinstance(passcode, str):
        problems.append(Problem(path, "must be text", "[remote]", "passcode"))
        passcode = ""
    elif osc and len(passcode) < MIN_PASSCODE_LENGTH:
        problems.append(
            Problem(
                path,
                f"must be at least {MIN_PASSCODE_LENGTH} characters when osc = true "
                "(the booth's panel sends it with /connect)",
                "[remote]",
                "passcode",
            )
        )
    allowed: list[IPNetwork] = []
    raw_allowed = table.get("allowed", None)
    if raw_allowed is None:
        allowed = list(LOOPBACK)
    elif not isinstance(raw_allowed, list) or not all(isinstance(a, str) for a in raw_allowed):
        problems.append(
            Problem(
                path, 'must be a list of addresses, e.g. ["10.0.5.0/24"]', "[remote]", "allowed"
            )
        )
        allowed = list(LOOPBACK)
    else:
        for text in raw_allowed:
            try:
                allowed.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                problems.append(
                    Problem(path, f"{text!r} is not an address or network", "[remote]", "allowed")
                )
    return RemoteSettings(
        osc=osc,
        port=port,
        passcode=passcode,
        allowed=tuple(allowed),
        stage_display=stage_display,
        stage_port=stage_port,
    )


def _port(
    table: dict[str, object], key: str, default: int, path: Path, problems: list[Problem]
) -> int:
    port = table.get(key, default)
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        problems.append(Problem(path, "must be a port from 1024 to 65535", "[remote]", key))
        return default
    return port


class Need(Enum):
    """What state a remote command needs before it is passed to the key map."""

    ANY = "any"
    REVEAL = "reveal"  # only while the award reveal has the projector
    PLAYING = "playing"  # /pause: only when not already paused
    PAUSED = "paused"  # /resume: only when paused


@dataclass(frozen=True)
class RemoteCommand:
    """One OSC address: the console key command it runs and what it needs first."""

    address: str
    command: str  # a name in the console's key map (CONSOLE_KEYS)
    need: Need = Need.ANY


OSC_COMMANDS: Mapping[str, RemoteCommand] = {
    c.address: c
    for c in (
        RemoteCommand("/go", "go"),
        RemoteCommand("/pause", "pause", Need.PLAYING),
        RemoteCommand("/resume", "pause", Need.PAUSED),
        RemoteCommand("/fade", "fade"),
        RemoteCommand("/black", "black"),
        RemoteCommand("/back", "back"),
        RemoteCommand("/skip", "skip"),
        RemoteCommand("/difficulties", "difficulties"),
        RemoteCommand("/reveal/go", "go", Need.REVEAL),
        RemoteCommand("/reveal/back", "back", Need.REVEAL),
        RemoteCommand("/volume/up", "volume_up"),
        RemoteCommand("/volume/down", "volume_down"),
    )
}
CONNECT = "/connect"
DISCONNECT = "/disconnect"
UPDATES = "/updates"
STATE = "/state"
CONTROL_ADDRESSES = frozenset({CONNECT, DISCONNECT, UPDATES, STATE})


class Verdict(Enum):
    """What becomes of one message."""

    DROP = "drop"  # not read at all: the sender is not allowed, or remotes are off
    REPLY = "reply"  # answered here (connect, state, a refusal)
    RUN = "run"  # a command for the console


@dataclass(frozen=True)
class Answer:
    """The gate's answer to one message: what to do, the reply's status and its words."""

    verdict: Verdict
    status: str = "ok"  # the reply's status: ok, denied, badpass, error
    message: str = ""
    command: RemoteCommand | None = None


@dataclass
class _Sender:
    connected: bool = False
    wrong_passcodes: list[float] = field(default_factory=list)
    commands: list[float] = field(default_factory=list)
    last_seen: float = 0.0


WRONG_PASSCODE_LIMIT = 5  # wrong passcodes from one address in WRONG_PASSCODE_WINDOW_S ...
WRONG_PASSCODE_WINDOW_S = 60.0  # ... and it is refused until the window has passed
COMMAND_RATE_LIMIT = 10  # commands per second from one address: a panel's button, not a flood
CONNECTION_IDLE_S = 4 * 3600.0  # a connected panel that says nothing for 4 hours reconnects


class RemoteGate:
    """Decides every OSC message: allowed sender, passcode, rate, and the command it names.

    One gate per console; thread-safe. `enabled` is the console's "all remotes off" switch.
    """

    def __init__(self, settings: RemoteSettings, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._senders: dict[str, _Sender] = {}
        self._enabled = settings.osc
        self.dropped = 0  # messages not read (sender not allowed, remotes off)

    @property
    def enabled(self) -> bool:
        """False once the console has turned every remote off."""
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Turn remotes on or off; off also forgets every connection (they must reconnect)."""
        with self._lock:
            self._enabled = enabled and self._settings.osc
            if not self._enabled:
                self._senders.clear()

    def connected(self) -> list[tuple[str, float]]:
        """(address, last seen) of every connected sender, oldest first."""
        with self._lock:
            now = self._clock()
            return sorted(
                (host, sender.last_seen)
                for host, sender in self._senders.items()
                if sender.connected and now - sender.last_seen < CONNECTION_IDLE_S
            )

    def decide(self, host: str, address: str, arguments: tuple[object, ...]) -> Answer:
        """The answer to one message from `host`."""
        if not self._enabled or not self._settings.allows(host):
            with self._lock:
                self.dropped += 1
            return Answer(Verdict.DROP)
        now = self._clock()
        with self._lock:
            sender = self._senders.setdefault(host, _Sender())
            if sender.connected and now - sender.last_seen >= CONNECTION_IDLE_S:
                sender.connected = False
            sender.last_seen = now
            if address == CONNECT:
                return self._connect(sender, arguments, now)
            if address == DISCONNECT:
                sender.connected = False
                return Answer(Verdict.REPLY, "ok", "disconnected")
            if not sender.connected:
                return Answer(Verdict.REPLY, "denied", "send /connect with the passcode first")
            if address in (UPDATES, STATE):
                return Answer(Verdict.REPLY, "ok")
            command = OSC_COMMANDS.get(address)
            if command is None:
                return Answer(Verdict.REPLY, "error", f"no such address: {address}")
            sender.commands = [t for t in sender.commands if now - t < 1.0]
            if len(sender.commands) >= COMMAND_RATE_LIMIT:
                return Answer(Verdict.REPLY, "error", "too many commands: slow down")
            sender.commands.append(now)
            return Answer(Verdict.RUN, "ok", command=command)

    def _connect(self, sender: _Sender, arguments: tuple[object, ...], now: float) -> Answer:
        sender.wrong_passcodes = [
            t for t in sender.wrong_passcodes if now - t < WRONG_PASSCODE_WINDOW_S
        ]
        if len(sender.wrong_passcodes) >= WRONG_PASSCODE_LIMIT:
            return Answer(Verdict.REPLY, "denied", "too many wrong passcodes: wait a minute")
        given = arguments[0] if arguments else ""
        if isinstance(given, str) and hmac.compare_digest(
            given.encode("utf-8"), self._settings.passcode.encode("utf-8")
        ):
            sender.connected = True
            sender.wrong_passcodes.clear()
            return Answer(Verdict.REPLY, "ok", "connected")
        sender.wrong_passcodes.append(now)
        sender.connected = False
        return Answer(Verdict.REPLY, "badpass", "wrong passcode")
