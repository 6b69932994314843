"""The stall probe on a real Qt event loop: a handler that holds the GUI thread is caught,
named, logged and recorded as an incident; the status line shows the worst; a slow paint is
named with the window being painted."""

from __future__ import annotations

import logging
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget
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


class SlowPaint(QWidget):
    """A widget whose paint holds the GUI thread (a paint of ours gone slow)."""

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        time.sleep(0.25)


def test_a_slow_paint_is_named_with_its_window(qtbot: QtBot) -> None:
    window = QWidget()
    window.setObjectName("booth")
    window.resize(300, 200)
    slow = SlowPaint(window)
    slow.resize(100, 100)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    incidents: list[Stall] = []
    probe = StallProbe(incidents.append)
    probe.start()  # filters the windows on screen
    qtbot.wait(200)
    slow.update()
    qtbot.waitUntil(lambda: any("painting" in s.handler for s in incidents), timeout=5000)
    stall = next(s for s in incidents if "painting" in s.handler)
    assert stall.handler.startswith("painting QWidget#booth → test_stall_probe.py")
    assert stall.handler.endswith("paintEvent") and stall.lateness_ms >= 200
    probe.stop()
    assert probe.paints.painting == ""  # between paints
