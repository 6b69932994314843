"""The console's progress strip paints with the window, never on the spot, and only when what
it shows changes: 1,000 values of an import cost a handful of paints, where a QProgressBar
paints for each one before `setValue` returns."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QProgressBar, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.common.progress_strip import BUSY_STEP_MS, REPAINT_EVERY_MS, ProgressStrip

CHUNKS = 1000


class PaintCounter(QObject):
    """Counts the paint events one widget receives (a filter on that widget only)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def shown(qtbot: QtBot, widget: QWidget) -> PaintCounter:
    """Show `widget` and count its paints from the first one done."""
    widget.resize(400, 30)
    qtbot.addWidget(widget)
    counter = PaintCounter(widget)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: counter.paints >= 1)
    QApplication.processEvents()
    counter.paints = 0
    return counter


def import_progress(bar: ProgressStrip | QProgressBar) -> None:
    """What an import of 200,000 people sends: a value per chunk of 200."""
    bar.setRange(0, CHUNKS * 200)
    for chunk in range(1, CHUNKS + 1):
        bar.setValue(chunk * 200)


def test_a_qprogressbar_paints_on_the_spot(qtbot: QtBot) -> None:
    """The rig measures what it claims: QProgressBar.setValue paints before it returns."""
    bar = QProgressBar()
    bar.setFormat("%v / %m")
    counter = shown(qtbot, bar)
    import_progress(bar)
    assert counter.paints >= CHUNKS // 2


def test_values_paint_with_the_window_only(qtbot: QtBot) -> None:
    strip = ProgressStrip("%v / %m")
    counter = shown(qtbot, strip)
    changes: list[int] = []
    strip.valueChanged.connect(changes.append)
    import_progress(strip)
    assert counter.paints == 0  # nothing painted on the spot
    qtbot.waitUntil(lambda: counter.paints >= 1)
    qtbot.wait(2 * REPAINT_EVERY_MS)
    assert counter.paints <= 2  # the 1,000 values folded into the window's next paints
    assert strip.text() == f"{CHUNKS * 200} / {CHUNKS * 200}" and len(changes) == CHUNKS


def test_a_value_that_changes_nothing_seen_asks_for_no_paint(qtbot: QtBot) -> None:
    strip = ProgressStrip("%p%")
    strip.setRange(0, 200_000)
    counter = shown(qtbot, strip)
    strip.setValue(100)  # still 0 % and not a pixel filled at 400 px
    QApplication.processEvents()
    qtbot.wait(50)
    assert counter.paints == 0
    strip.setValue(100_000)
    qtbot.waitUntil(lambda: counter.paints == 1)
    assert strip.text() == "50%"


@pytest.mark.serial
def test_busy_moves_slowly_and_only_while_shown(qtbot: QtBot) -> None:
    strip = ProgressStrip()
    strip.setRange(0, 0)
    counter = shown(qtbot, strip)
    qtbot.waitUntil(lambda: counter.paints >= 3, timeout=5000)  # it moves
    before = counter.paints
    qtbot.wait(1000)
    assert counter.paints - before <= 1000 // BUSY_STEP_MS + 1  # 5 a second, not the style's 60
    strip.hide()
    hidden = counter.paints
    qtbot.wait(3 * BUSY_STEP_MS)
    assert counter.paints == hidden and strip.text() == ""
    strip.setRange(0, 10)  # a known length stops the block
    strip.show()
    qtbot.waitUntil(lambda: counter.paints > hidden)
    settled = counter.paints
    qtbot.wait(3 * BUSY_STEP_MS)
    assert counter.paints == settled


@pytest.mark.serial
def test_values_coming_fast_paint_four_times_a_second(qtbot: QtBot) -> None:
    strip = ProgressStrip("%v / %m")
    strip.setRange(0, 1000)
    counter = shown(qtbot, strip)
    value = 0

    def next_value() -> None:  # a value every 10 ms, as a quick import's chunks come
        nonlocal value
        value += 1
        strip.setValue(value)

    ticker = QTimer()
    ticker.timeout.connect(next_value)
    ticker.start(10)
    qtbot.wait(1000)
    ticker.stop()
    assert value >= 20  # (values came, even on a loaded machine)
    assert counter.paints <= 1000 // REPAINT_EVERY_MS + 1
