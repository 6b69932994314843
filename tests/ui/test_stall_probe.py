"""The stall probe on a real Qt event loop: a handler that holds the GUI thread is caught,
named, logged and recorded as an incident; the status line shows the worst."""

from __future__ import annotations

import logging
import time

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from kiosk.core.stalls import Stall
from kiosk.ui.common.stall_probe import StallProbe


def hold_the_gui_thread() -> None:  # what an office task on the GUI thread would do
    time.sleep(0.25)


def ours(stall: Stall) -> bool:
    return "hold_the_gui_thread" in stall.handler


def test_a_blocking_handler_is_named_logged_and_recorded(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    incidents: list[Stall] = []
    probe = StallProbe(incidents.append)
    probe.start()
    qtbot.wait(200)  # the probe learns the idle stack
    QTimer.singleShot(0, hold_the_gui_thread)
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.common.stall_probe"):
        qtbot.waitUntil(lambda: any(ours(s) for s in incidents), timeout=5000)
    # (on a loaded machine other stalls may come first: those name no Python handler)
    stall = next(s for s in incidents if ours(s))
    assert stall.lateness_ms >= 200
    assert any("hold_the_gui_thread" in r.getMessage() for r in caplog.records)
    probe._label_at = 0.0  # (redraw at the next firing instead of within a second)
    qtbot.waitUntil(lambda: probe.label.text().startswith("GUI worst 2"), timeout=3000)
    probe.stop()
