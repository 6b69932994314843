"""A progress bar that never paints on the spot: the console's bars for imports, tickets,
preflight and the vote's turnout.

`QProgressBar.setValue` repaints at once (`QWidget.repaint`: a synchronous paint and flush to
the X server, waiting for it) whenever the text or the filled width changes, and its busy state
(range 0..0) is animated by the style at 60 frames a second. A 200,000-row import sends a value
per chunk of 200 (1,000 of them) while a show runs; the GUI load bench timed the import
dialog's bar as the widget behind most of the GUI thread's stalls during an import ("Paint
QProgressBar", "UpdateRequest ImportPreviewDialog"). `ProgressStrip` keeps `QProgressBar`'s
calls (`setRange`, `setValue`, `setFormat`, `valueChanged`...) but only asks for a repaint
(`update`, folded by Qt into the window's next paint), only when what it shows changes and at
most every ``repaint_every_ms`` (250 ms: 4 paints a second, however fast the values come); its
busy block steps 5 times a second, only while it is on screen.
"""

from __future__ import annotations

import logging
import math
import time

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.common.theme import Colours

log = logging.getLogger(__name__)

BUSY_STEP_MS = 200  # the busy block moves 5 times a second
BUSY_STEPS = 20  # positions across the strip
BUSY_BLOCK = 0.2  # the busy block's share of the width
REPAINT_EVERY_MS = 250  # at most 4 paints a second


class ProgressStrip(QWidget):
    """A progress bar (value of a range, a text such as "%v / %m") that repaints lazily; the
    range 0..0 means busy, an unknown length (a block sweeping across while shown)."""

    valueChanged = Signal(int)  # noqa: N815 (QProgressBar's name, so callers keep theirs)

    def __init__(
        self,
        text_format: str = "%p%",
        parent: QWidget | None = None,
        *,
        repaint_every_ms: int = REPAINT_EVERY_MS,
    ) -> None:
        super().__init__(parent)
        self._repaint_every_s = repaint_every_ms / 1000
        self._asked_at = -math.inf  # when a repaint was last asked for (monotonic s)
        self._repaint_timer = QTimer(self)
        self._repaint_timer.setSingleShot(True)
        self._repaint_timer.timeout.connect(self._ask_repaint)
        self._minimum = 0
        self._maximum = 100
        self._value = 0
        self._format = text_format
        self._text_visible = True
        self._busy_step = 0
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(BUSY_STEP_MS)
        self._busy_timer.timeout.connect(self._step_busy)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    # --- QProgressBar's calls -------------------------------------------------------------------
    def setRange(self, minimum: int, maximum: int) -> None:
        """The range; 0..0 is busy."""
        shown = self._shown()
        self._minimum, self._maximum = minimum, max(minimum, maximum)
        self._value = min(max(self._value, self._minimum), self._maximum)
        self._follow_busy()
        self._changed(shown)

    def setValue(self, value: int) -> None:
        """Move to `value` (kept within the range); repainted only if that changes the text
        or the filled width."""
        value = min(max(value, self._minimum), self._maximum)
        if value == self._value:
            return
        shown = self._shown()
        self._value = value
        self._changed(shown)
        self.valueChanged.emit(value)

    def setFormat(self, text_format: str) -> None:
        """The text: `%v` the value, `%m` the maximum, `%p` the percentage."""
        shown = self._shown()
        self._format = text_format
        self._changed(shown)

    def setTextVisible(self, visible: bool) -> None:
        """Whether the text is drawn."""
        shown = self._shown()
        self._text_visible = visible
        self._changed(shown)

    def value(self) -> int:
        """The current value."""
        return self._value

    def minimum(self) -> int:
        """The range's start."""
        return self._minimum

    def maximum(self) -> int:
        """The range's end."""
        return self._maximum

    def busy(self) -> bool:
        """Whether the length is unknown (range 0..0)."""
        return self._minimum == self._maximum == 0

    def text(self) -> str:
        """The text as drawn (empty while busy)."""
        if self.busy():
            return ""
        span = self._maximum - self._minimum
        percent = round(100 * (self._value - self._minimum) / span) if span else 100
        return (
            self._format.replace("%v", str(self._value))
            .replace("%m", str(self._maximum))
            .replace("%p", str(percent))
        )

    # --- painting ---------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        """As tall as a line of text with a margin."""
        return QSize(160, self.fontMetrics().height() + 10)

    def minimumSizeHint(self) -> QSize:
        """A short strip."""
        return QSize(40, self.fontMetrics().height() + 6)

    def paintEvent(self, _event: QPaintEvent) -> None:
        """The groove, the filled part (or the busy block), the text."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Colours.raised)
        inner = self.rect().adjusted(1, 1, -1, -1)
        painter.fillRect(inner, Colours.panel)
        if self.busy():
            block = max(1, round(inner.width() * BUSY_BLOCK))
            x = inner.x() + round((inner.width() - block) * self._busy_step / (BUSY_STEPS - 1))
            painter.fillRect(QRect(x, inner.y(), block, inner.height()), Colours.selection)
        else:
            filled = self._filled()
            if filled > 0:
                painter.fillRect(
                    QRect(inner.x(), inner.y(), filled, inner.height()), Colours.selection
                )
        if self._text_visible and not self.busy():
            painter.setPen(self.palette().windowText().color())
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, self.text())
        painter.end()

    def showEvent(self, event: QShowEvent) -> None:
        """A busy strip starts moving when it appears."""
        super().showEvent(event)
        self._follow_busy()

    def hideEvent(self, event: QHideEvent) -> None:
        """Nothing moves while hidden."""
        self._busy_timer.stop()
        super().hideEvent(event)

    # --- inside -----------------------------------------------------------------------------
    def _filled(self) -> int:
        span = self._maximum - self._minimum
        fraction = (self._value - self._minimum) / span if span else 1.0
        return round(fraction * max(0, self.width() - 2))

    def _shown(self) -> tuple[str, int, bool]:
        """What a paint draws (a change of it needs a repaint)."""
        return (self.text() if self._text_visible else "", self._filled(), self.busy())

    def _changed(self, shown_before: tuple[str, int, bool]) -> None:
        if self._shown() != shown_before and not self._repaint_timer.isActive():
            self._ask_repaint()

    def _ask_repaint(self) -> None:
        """`update()` now, or once the last one is `repaint_every_ms` old."""
        wait_s = self._asked_at + self._repaint_every_s - time.monotonic()
        if wait_s > 0:
            self._repaint_timer.start(math.ceil(wait_s * 1000))
            return
        self._asked_at = time.monotonic()
        self.update()

    def _follow_busy(self) -> None:
        if self.busy() and self.isVisible():
            if not self._busy_timer.isActive():
                self._busy_timer.start()
        else:
            self._busy_timer.stop()

    def _step_busy(self) -> None:
        self._busy_step = (self._busy_step + 1) % BUSY_STEPS
        self._asked_at = time.monotonic()
        self.update()
