"""Remote control of a real console: OSC over UDP and TCP from another process, a presenter
clicker as real X key events, the projector's pixels and the journal.

The console runs as its own process (open_console, as `python main.py` opens it) on an Xvfb
screen with a laptop monitor and a projector monitor; this test process is the booth's OSC
panel (python-osc over 127.0.0.1) and the clicker (xdotool).
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.core.show import ShowOptions
from kiosk.remote.osc_server import slip_encode
from kiosk.store.event_folder import EventFolder
from tests.browser import requires_chromium, tablet
from tests.sqlite_helpers import connected
from tests.ui.console_keys import PROJECTOR, SCREENSHOTS, XDOTOOL, Console, console_on_xvfb
from tests.vote_server import free_port
from tests.xvfb import brightest_on, qt_env, requires_xvfb

PASSCODE = "booth-2026"
FLOOD = 10_000

pytestmark = [
    requires_xvfb,
    requires_chromium,
    pytest.mark.skipif(XDOTOOL is None, reason="xdotool is needed (make test installs it)"),
    pytest.mark.serial,  # real time: what reaches the projector and when
]


def osc(address: str, *arguments: str | int) -> bytes:
    builder = OscMessageBuilder(address=address)
    for argument in arguments:
        builder.add_arg(argument)
    return bytes(builder.build().dgram)


def status_of(reply: bytes) -> str:
    return str(json.loads(str(OscMessage(reply).params[0]))["status"])


def remote_commands(event: EventFolder) -> list[dict[str, object]]:
    """The journal's remote_command entries (read beside the running console)."""
    with connected(event.db_path, timeout=10) as conn:
        rows = conn.execute("SELECT data FROM journal WHERE kind = 'remote_command'").fetchall()
    return [json.loads(row[0]) for row in rows]


@contextmanager
def console_with_osc(
    event: EventFolder, port: int, stage_port: int, tmp_path: Path
) -> Iterator[Console]:
    """The console on its laptop + projector Xvfb (`console_on_xvfb`), its OSC server and
    stage display on `port` and `stage_port`."""
    toml = event.root / "event.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + f'\n[remote]\nosc = true\nport = {port}\npasscode = "{PASSCODE}"\n'
        + f"stage_display = true\nstage_port = {stage_port}\n",
        encoding="utf-8",
    )
    with console_on_xvfb(event, tmp_path) as console:
        yield console


class GoGuard:
    """When the console last accepted a GO: the next one waits out only what is left of the
    console's double-GO guard (a GO sooner is refused, as a bounce would be)."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def accepted(self) -> None:
        self.last = time.monotonic()

    def wait(self) -> None:
        left = self.last + ShowOptions().go_guard_s + 0.15 - time.monotonic()
        if left > 0:
            time.sleep(left)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def update_time(browser: WebDriver, seen: int, *, black: bool, timeout_s: float = 5) -> float:
    """When (Date.now(), ms) the stage display first showed the projector (not) black after
    its `seen` first updates."""
    script = (
        f"const u = window.stageUpdates.slice({seen})"
        f".find(u => u.state.black === {'true' if black else 'false'}); return u ? u.at : null;"
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        at = browser.execute_script(script)
        if at is not None:
            return float(at)
        time.sleep(0.01)
    raise AssertionError("the stage display never showed the change")


def wait_for_projector(display: str, tmp_path: Path, black: bool, timeout_s: float = 10) -> float:
    """Seconds until the projector is (not) black; fails after `timeout_s`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if (brightest_on(display, PROJECTOR, tmp_path / "projector.png") == 0) == black:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"the projector never became {'black' if black else 'lit'}")


def test_osc_and_a_clicker_drive_the_console_through_its_guards(
    small_event: EventFolder, tmp_path: Path
) -> None:
    port = free_port()
    stage_port = next(p for p in range(port + 1, port + 40) if port_is_free(p))
    with (
        console_with_osc(small_event, port, stage_port, tmp_path) as console,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
    ):
        udp.settimeout(10)
        target = ("127.0.0.1", port)

        def ask(data: bytes) -> str:
            udp.sendto(data, target)
            return status_of(udp.recvfrom(8192)[0])

        wait_for_projector(console.display, tmp_path, black=False)  # the holding slide
        assert ask(osc("/go")) == "denied"  # not connected: nothing happens
        assert ask(osc("/connect", "guess")) == "badpass"
        assert remote_commands(small_event) == []
        assert ask(osc("/connect", PASSCODE)) == "ok"
        assert ask(osc("/go")) == "ok"
        guard = GoGuard()
        assert any("📡 OSC udp 127.0.0.1 · GO" in line for line in console.commands())

        # black and back, timed from the datagram to the projector's pixels
        carried_out, seen = [], []
        for _ in range(2):
            sent = time.monotonic()
            udp.sendto(osc("/black"), target)
            assert status_of(udp.recvfrom(8192)[0]) == "ok"  # answered once carried out
            carried_out.append(time.monotonic() - sent)
            seen.append(wait_for_projector(console.display, tmp_path, black=True) + carried_out[-1])
            guard.wait()
            udp.sendto(osc("/go"), target)
            assert status_of(udp.recvfrom(8192)[0]) == "ok"
            guard.accepted()
            wait_for_projector(console.display, tmp_path, black=False)
        reply_ms = statistics.median(carried_out) * 1000
        seen_ms = statistics.median(seen) * 1000
        print(
            f"\nOSC /black: reply (carried out) {reply_ms:.0f} ms, projector black {seen_ms:.0f} ms"
        )

        # the host's stage display, on a tablet-sized headless chromium
        token = (small_event.root / "stage-display.token").read_text(encoding="ascii").strip()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with tablet(tmp_path) as browser:
            browser.get(f"http://127.0.0.1:{stage_port}/stage?t={token}")
            updates = "return window.stageUpdates.length"
            WebDriverWait(browser, 10).until(lambda b: b.execute_script(updates) > 0)
            lag = []
            for address in ("/black", "/go"):
                guard.wait()
                count = browser.execute_script(updates)
                sent_ms = time.time() * 1000
                udp.sendto(osc(address), target)
                assert status_of(udp.recvfrom(8192)[0]) == "ok"
                if address == "/go":
                    guard.accepted()
                first = update_time(browser, count, black=address == "/black")
                lag.append(first - sent_ms)
            text = browser.find_element(By.TAG_NAME, "body").text
            assert "Now · 現在" in text and "Next · 下一項" in text
            browser.save_screenshot(str(SCREENSHOTS / "stage-display-tablet.png"))
            browser.get(f"http://127.0.0.1:{stage_port}/stage?t=wrong")
            assert "This link is not valid" in browser.find_element(By.TAG_NAME, "body").text
        print(f"OSC -> stage display updated: median {statistics.median(lag):.0f} ms {lag}")
        assert statistics.median(lag) < 1000

        # the same over TCP (SLIP): a second panel
        with socket.create_connection(target, timeout=10) as tcp:
            tcp.sendall(slip_encode(osc("/connect", PASSCODE)) + slip_encode(osc("/reveal/go")))
            received = b""
            while received.count(b"\xc0") < 4:
                received += tcp.recv(4096)
        replies = [status_of(frame) for frame in received.split(b"\xc0") if frame]
        assert replies == ["ok", "refused"]  # no reveal on: the reveal's GO is refused

        # a flood of GOs (bounded) neither stalls the console nor gets past the rate limit
        before = len(remote_commands(small_event))
        started = time.monotonic()
        for _ in range(FLOOD):
            udp.sendto(osc("/go"), target)
        sent_s = time.monotonic() - started
        asked = time.monotonic()
        console.commands()  # the console answers its stdin while the flood is drained
        answer_s = time.monotonic() - asked
        time.sleep(1)  # what is still queued is drained under the same limit
        took_s = time.monotonic() - started
        ran = len(remote_commands(small_event)) - before
        print(f"{FLOOD} GOs sent in {sent_s:.2f} s; console answered in {answer_s * 1000:.0f} ms")
        print(f"{ran} reached the key map in {took_s:.1f} s")
        assert answer_s < 2.0
        assert ran <= 10 * (took_s + 1)
        wait_for_projector(console.display, tmp_path, black=False)

        # the presenter clicker: Page Down ("Next") drives the show only once turned on
        before_keys = console.commands()
        subprocess.run(
            [XDOTOOL or "xdotool", "key", "Next"], env=qt_env(console.display), check=True
        )
        time.sleep(0.5)
        assert not any("clicker" in line for line in console.commands()[len(before_keys) :])
        console.send("clicker on")
        console.expect("CLICKER", 10)
        subprocess.run(
            [XDOTOOL or "xdotool", "key", "period"], env=qt_env(console.display), check=True
        )
        wait_for_projector(console.display, tmp_path, black=True)
        assert any("⌨ clicker · Black now" in line for line in console.commands())
        entries = remote_commands(small_event)
        assert {e["source"] for e in entries} >= {"OSC udp 127.0.0.1", "OSC tcp 127.0.0.1"}
