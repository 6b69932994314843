"""The console's view of the doors: who is in, against registrations and capacity, over time."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.core import glossary
from kiosk.services.doors import CheckinRepository
from kiosk.ui.common.arrivals_chart import ArrivalsChart
from kiosk.ui.common.theme import Colours, ui_font

log = logging.getLogger(__name__)

POLL_MS = 2000  # door stations are other processes: their admissions appear within 2 s


class DoorsFiguresPanel(QWidget):
    """Live counters and the arrivals-per-5-minutes chart, read from the shared event database."""

    def __init__(self, repo: CheckinRepository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
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
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Read the figures and the chart again (cheap: two indexed queries)."""
        figures = self.repo.figures()
        left = figures.places_left
        self._values["in"].setText(str(figures.checked_in))
        self._values["registered"].setText(str(figures.registered))
        self._values["capacity"].setText(str(figures.capacity) if figures.capacity else "—")
        self._values["left"].setText("—" if left is None else str(left))
        self._values["walk_ins"].setText(str(figures.walk_ins))
        self._values["by_hand"].setText(str(figures.by_hand))
        colour = Colours.bad if left == 0 else Colours.ok
        self._values["left"].setStyleSheet(f"color: {colour.name()};")
        self.chart.set_slots([(b.start, b.count) for b in self.repo.arrivals(5)])
