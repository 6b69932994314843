"""The Remote tab at 1366x768 (offscreen): what listens, the stage display's pairing QR, the
clicker switch, and every remote off in one key."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.ui.console.remote_panel import RemotePanel
from kiosk.ui.console.window import ConsoleWindow
from tests.ui.conftest import ConsoleFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture
def remote_console(console_factory: ConsoleFactory, small_event: EventFolder) -> ConsoleWindow:
    """The console on the small event with OSC and the stage display on (free ports)."""
    osc_port, stage_port = free_ports(2)
    toml = small_event.root / "event.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + f'\n[remote]\nosc = true\nport = {osc_port}\npasscode = "booth-2026"\n'
        + f"stage_display = true\nstage_port = {stage_port}\n",
        encoding="utf-8",
    )
    return console_factory(small_event)


def test_the_remote_tab_says_what_listens_and_turns_it_all_off(
    remote_console: ConsoleWindow, small_event: EventFolder
) -> None:
    console = remote_console
    panel = console.findChildren(RemotePanel)[0]
    console.tabs.setCurrentWidget(panel)
    assert "OSC listening on port" in panel.status.text()
    assert "/stage?t=" in panel.stage_line.text() and panel.stage_qr.isVisible()
    assert panel.off.isEnabled()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.grab().save(str(SCREENSHOTS / "console-remote-tab-1366x768.png"))
    assert console.keys.press("remotes_off")
    assert "off for the night" in panel.status.text()
    assert not panel.off.isEnabled() and not panel.stage_qr.isVisible()
    console.night.runner.settle()  # the journal is written on its own thread
    kinds = [e.kind for e in Journal(small_event.open_db()).entries("remotes_off")]
    assert kinds == ["remotes_off"]
