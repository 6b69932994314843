"""AfterPaints: the console's reaction to a cut runs after the paints the cut asked for."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.common.after_paints import AfterPaints


class PaintLog(QWidget):
    """A window that notes each of its paints in a shared log."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        self.log.append("paint")


def test_the_handler_runs_after_the_paint_asked_for_before_it(qtbot: QtBot) -> None:
    log: list[str] = []
    window = PaintLog(log)
    qtbot.addWidget(window)
    window.resize(200, 100)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: "paint" in log)
    log.clear()
    after = AfterPaints(lambda: log.append("handler"))
    window.update()  # the cut: the stage marked for painting, then the show's `changed`
    after.request()
    after.request()  # a second change in the same turn folds into the same call
    assert after.pending and log == []  # nothing runs inside the cut itself
    qtbot.waitUntil(lambda: "handler" in log, timeout=2000)
    assert log == ["paint", "handler"]
    assert not after.pending


def test_other_events_reach_the_object() -> None:
    calls: list[str] = []
    after = AfterPaints(lambda: calls.append("handler"))
    QCoreApplication.sendEvent(after, QEvent(QEvent.Type.User))
    assert calls == []  # only its own request calls the handler
    assert isinstance(after, QObject)
