"""A bar chart of arrivals per time slot, painted with QPainter (doors window and console)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from PySide6.QtCore import QLineF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.core import chart_palette
from kiosk.ui.common.theme import Colours, ui_font

MAX_BARS = 24  # two hours of five-minute slots: older slots scroll off to the left
MIN_BARS = 12  # an hour of slots even early on, so one bar does not fill the chart
MAX_BAR_PIXELS = 64


class ArrivalsChart(QWidget):
    """Bars of people admitted per slot, with a bilingual title, slot times and the peak
    (coloured as in the report: `kiosk.core.chart_palette`)."""

    def __init__(self, bucket_minutes: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bucket_minutes = bucket_minutes
        self._slots: list[tuple[dt.datetime, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)

    def sizeHint(self) -> QSize:
        return QSize(420, 220)

    @property
    def slots(self) -> list[tuple[dt.datetime, int]]:
        """What is drawn: (slot start, people) pairs, oldest first."""
        return list(self._slots)

    def set_slots(self, slots: Sequence[tuple[dt.datetime, int]]) -> None:
        """Replace the data (the latest MAX_BARS slots, padded back to MIN_BARS); repaint."""
        latest = list(slots)[-MAX_BARS:]
        step = dt.timedelta(minutes=self.bucket_minutes)
        while latest and len(latest) < MIN_BARS:
            latest.insert(0, (latest[0][0] - step, 0))
        if latest != self._slots:
            self._slots = latest
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Colours.panel)
        width, height = float(self.width()), float(self.height())
        pad = max(8.0, height * 0.05)
        title_font = ui_font(11, bold=True)
        painter.setFont(title_font)
        painter.setPen(Colours.text)
        title_height = painter.fontMetrics().height()
        painter.drawText(
            QRectF(pad, pad * 0.6, width - 2 * pad, title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"Arrivals per {self.bucket_minutes} min / 每 {self.bucket_minutes} 分鐘入場人數",
        )
        label_font = ui_font(9)
        painter.setFont(label_font)
        label_height = painter.fontMetrics().height()
        plot = QRectF(
            pad + painter.fontMetrics().horizontalAdvance("0000") + 6,
            pad * 0.6 + title_height + label_height,
            0,
            0,
        )
        plot.setRight(width - pad)
        plot.setBottom(height - pad * 0.6 - label_height - 4)
        if plot.height() < 20 or plot.width() < 40:
            painter.end()
            return
        if not self._slots:
            painter.setPen(Colours.muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No arrivals yet / 尚未有人入場")
            painter.end()
            return
        peak = max(count for _, count in self._slots)
        top = _nice_ceiling(peak)
        self._draw_grid(painter, plot, top)
        slot_width = plot.width() / len(self._slots)
        bar_width = min(MAX_BAR_PIXELS, max(2.0, slot_width * 0.72))
        label_every = max(
            1, math.ceil(painter.fontMetrics().horizontalAdvance("00:00 ") / slot_width)
        )
        bar_colour, peak_colour = (
            QColor(chart_palette.ARRIVALS),
            QColor(chart_palette.ARRIVALS_PEAK),
        )
        for index, (start, count) in enumerate(self._slots):
            x = plot.left() + index * slot_width + (slot_width - bar_width) / 2
            bar_height = plot.height() * count / top if top else 0
            colour = peak_colour if count == peak else bar_colour  # as the report marks it
            painter.fillRect(QRectF(x, plot.bottom() - bar_height, bar_width, bar_height), colour)
            if count and bar_height > label_height and slot_width > 22:
                painter.setPen(Colours.background)
                painter.drawText(
                    QRectF(x, plot.bottom() - bar_height, bar_width, label_height),
                    Qt.AlignmentFlag.AlignCenter,
                    str(count),
                )
            if index % label_every == 0 or index == len(self._slots) - 1:
                painter.setPen(Colours.muted)
                painter.drawText(
                    QRectF(
                        x - slot_width, plot.bottom() + 3, bar_width + 2 * slot_width, label_height
                    ),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    start.strftime("%H:%M"),
                )
        painter.end()

    @staticmethod
    def _draw_grid(painter: QPainter, plot: QRectF, top: int) -> None:
        steps = 4 if top >= 4 else top
        painter.setPen(QPen(Colours.raised, 1))
        for step in range(steps + 1):
            value = top * step / steps if steps else 0
            y = plot.bottom() - plot.height() * step / (steps or 1)
            painter.setPen(QPen(Colours.raised, 1))
            painter.drawLine(QLineF(plot.left(), y, plot.right(), y))
            painter.setPen(Colours.muted)
            painter.drawText(
                QRectF(0, y - 8, plot.left() - 6, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{value:.0f}",
            )


def _nice_ceiling(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5, 10, 20, 50 …)."""
    if value <= 4:
        return max(value, 1)
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)
