"""The Stations tab opens, uses and closes its service on its own worker thread: the check
for paired stations at console start (which may start the event server) never waits on the
GUI thread, and the connection is closed on the thread that used it."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.services.station_console import ConflictRow, PairingCode, ServerStatus, StationRow
from kiosk.ui.app import make_application
from kiosk.ui.console.stations_panel import StationsPanel, mount_stations
from kiosk.ui.console.window import ConsoleWindow


class _Recorded:
    """A station service that notes the thread of each call."""

    def __init__(self) -> None:
        self.threads: dict[str, set[str]] = {}

    def _note(self, call: str) -> None:
        self.threads.setdefault(call, set()).add(threading.current_thread().name)

    def status(self) -> ServerStatus:
        self._note("status")
        return ServerStatus(False, None, "", False)

    def start_server(self, port: int | None = None) -> None:
        del port
        self._note("start_server")

    def start_if_stations_paired(self) -> bool:
        self._note("start_if_stations_paired")
        return True

    def pair(self, name: str) -> PairingCode:
        raise ValueError(name)

    def stations(self) -> list[StationRow]:
        self._note("stations")
        return []

    def revoke(self, name: str) -> bool:
        del name
        return False

    def conflicts(self) -> list[ConflictRow]:
        return []

    def close(self) -> None:
        self._note("close")


class _Tabs:
    def __init__(self) -> None:
        self.tabs: list[tuple[QWidget, str]] = []

    def add_tab(self, widget: QWidget, title: str) -> int:
        self.tabs.append((widget, title))
        return len(self.tabs) - 1


def test_the_stations_service_lives_on_the_tabs_worker(qtbot: QtBot) -> None:
    make_application()
    service = _Recorded()
    opened_on: list[str] = []

    def open_service() -> _Recorded:
        opened_on.append(threading.current_thread().name)
        return service

    tabs = _Tabs()
    stopped: list[bool] = []
    panel = mount_stations(tabs, open_service, lambda: stopped.append(True))
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: "start_if_stations_paired" in service.threads, timeout=10000)
    qtbot.waitUntil(lambda: not panel.busy, timeout=10000)
    panel.stop()
    assert [title for _, title in tabs.tabs] == ["Stations · 入口站"]
    assert opened_on == ["stations"]
    assert set().union(*service.threads.values()) == {"stations"}, service.threads
    assert service.threads["close"] == {"stations"}
    assert threading.main_thread().name not in opened_on
    assert stopped == []  # the server stops when the application quits, not before


def test_closing_the_console_stops_the_stations_worker(console: ConsoleWindow) -> None:
    # it used to stop only when the application quit: a console closed in a process that goes
    # on (every console test) kept its thread and its service (docs/dev/testing.md)
    (panel,) = console.findChildren(StationsPanel)
    assert panel.worker.running
    console.close()
    assert not panel.worker.running
