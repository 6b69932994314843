"""The console's view of the doors: who is in, against registrations and capacity, over time.

The figures are read on the panel's own worker thread and connection (a read may wait while the
doors write), every 2 s while the tab is on screen, one read at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.core import glossary
from kiosk.core.admissions import ArrivalBucket, DoorFigures
from kiosk.services.door_backend import DoorBackend, close_backend
from kiosk.ui.common.arrivals_chart import ArrivalsChart
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.theme import Colours, ui_font

log = logging.getLogger(__name__)

POLL_MS = 2000  # door stations are other processes: their admissions appear within 2 s


class DoorsFiguresPanel(QWidget):
    """Live counters and the arrivals-per-5-minutes chart, read from the shared event database."""

    def __init__(self, open_repo: Callable[[], DoorBackend], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker: SerialWorker[DoorBackend] = SerialWorker(
            open_repo, name="doors-figures", close_resource=close_backend, parent=self
        )
        self._reading = False
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self._values: dict[str, QLabel] = {}
        captions = (
            ("in", glossary.CHECKED_IN.pair()),
            ("registered", glossary.REGISTERED.pair()),
            ("capacity", glossary.CAPACITY.pair()),
            ("left", glossary.PLACES_LEFT.pair()),
            ("walk_ins", glossary.WALK_INS.pair()),
            ("by_hand", glossary.ADMITTED_BY_HAND.pair()),
        )
        for column, (key, caption) in enumerate(captions):
            value = QLabel("—")
            value.setFont(ui_font(26, bold=True))
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label = QLabel(caption)
            label.setFont(ui_font(10))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet(f"color: {Colours.muted.name()};")
            grid.addWidget(value, 0, column)
            grid.addWidget(label, 1, column)
            self._values[key] = value
        layout.addLayout(grid)
        self.chart = ArrivalsChart(5)
        layout.addWidget(self.chart, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        self.refresh()

    @property
    def busy(self) -> bool:
        """Whether a read is on its way (tests wait on it)."""
        return self._reading

    def stop(self) -> None:
        """The console is closing: no more reads."""
        self._timer.stop()
        self.worker.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        """The latest figures whenever the tab appears."""
        self.refresh()
        super().showEvent(event)

    def _poll(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Read the figures and the chart again on the worker (two indexed queries)."""
        if self._reading:
            return
        self._reading = True
        self.worker.submit(_read, self._show, self._failed)

    def _failed(self, error: BaseException) -> None:
        self._reading = False
        log.warning("could not read the door figures: %s", error)

    def _show(self, answer: tuple[DoorFigures, list[ArrivalBucket]]) -> None:
        self._reading = False
        figures, arrivals = answer
        left = figures.places_left
        self._values["in"].setText(str(figures.checked_in))
        self._values["registered"].setText(str(figures.registered))
        self._values["capacity"].setText(str(figures.capacity) if figures.capacity else "—")
        self._values["left"].setText("—" if left is None else str(left))
        self._values["walk_ins"].setText(str(figures.walk_ins))
        self._values["by_hand"].setText(str(figures.by_hand))
        colour = Colours.bad if left == 0 else Colours.ok
        self._values["left"].setStyleSheet(f"color: {colour.name()};")
        self.chart.set_slots([(b.start, b.count) for b in arrivals])


def _read(repo: DoorBackend) -> tuple[DoorFigures, list[ArrivalBucket]]:
    return repo.figures(), repo.arrivals(5)
