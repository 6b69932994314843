"""The console mounts the Registrations view and the doors' live figures."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from kiosk.store.checkins import CheckinRepository
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.doors_panel import DoorsFiguresPanel
from kiosk.ui.console.registrations_view import RegistrationsView


def test_console_has_registrations_and_live_door_figures(
    qtbot: QtBot, demo_event: EventFolder
) -> None:
    make_application()
    window, _ = open_console(demo_event)
    qtbot.addWidget(window)
    tabs: QTabWidget = window.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert "Registrations · 登記" in titles and "Doors · 入場" in titles
    assert any(isinstance(tabs.widget(i), RegistrationsView) for i in range(tabs.count()))
    panel = next(
        tabs.widget(i) for i in range(tabs.count()) if isinstance(tabs.widget(i), DoorsFiguresPanel)
    )
    assert isinstance(panel, DoorsFiguresPanel)
    window.show()
    tabs.setCurrentWidget(panel)  # it reads (on its worker) while on screen
    qtbot.waitUntil(lambda: panel._values["registered"].text() == "40", timeout=5000)
    assert panel._values["in"].text() == "0"
    assert panel._values["registered"].text() == "40"

    # a door in another process admits someone: the console shows it on its next poll
    config = demo_event.load_config()
    door = CheckinRepository.for_event(demo_event, config)
    code = next(
        demo_event.open_db().query("SELECT code FROM tickets WHERE revoked_at IS NULL LIMIT 1")
    )["code"]
    assert door.scan(code, "Door 1", "scan", dt.datetime.now(dt.UTC)).verdict.value == "admitted"
    qtbot.waitUntil(lambda: panel._values["in"].text() == "1", timeout=5000)
    assert panel._values["left"].text() == str(config.capacity - 1)
    assert sum(count for _, count in panel.chart.slots) == 1
    window.close()
