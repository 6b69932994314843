"""The Show tab's thin bar of how far the film (or the title card's countdown) has got.

Not a `QProgressBar`: its `setValue` repaints at once (`QWidget.repaint`, a synchronous paint
and flush to the X server) whenever the bar moves a pixel. Set ten times a second by the Show
tab, that was the GUI thread's largest single cost during a show (cProfile of the real console
in the GUI load bench: 163 calls, 11 s of 43 s under a loaded machine). This bar only asks for
a repaint (`update`), which Qt folds into the next paint of the window, and only when the filled
width changes by a pixel.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.common.theme import Colours

log = logging.getLogger(__name__)

BAR_HEIGHT = 8


class FilmProgress(QWidget):
    """A thin bar filled to a fraction (0..1) of its width; repaints lazily."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fraction = 0.0
        self.setFixedHeight(BAR_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def fraction(self) -> float:
        """How much of the bar is filled (0..1)."""
        return self._fraction

    def set_fraction(self, fraction: float) -> None:
        """Fill the bar to `fraction` (clamped to 0..1); repainted with the window's next paint,
        and only if the filled width changes."""
        fraction = min(1.0, max(0.0, fraction))
        if self._filled(fraction) != self._filled(self._fraction):
            self.update()
        self._fraction = fraction

    def sizeHint(self) -> QSize:
        """Any width, the bar's height."""
        return QSize(100, BAR_HEIGHT)

    def _filled(self, fraction: float) -> int:
        return round(fraction * max(0, self.width() - 2))

    def paintEvent(self, _event: QPaintEvent) -> None:
        """The groove, then the filled part."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Colours.raised)
        inner = self.rect().adjusted(1, 1, -1, -1)
        painter.fillRect(inner, Colours.panel)
        filled = self._filled(self._fraction)
        if filled > 0:
            painter.fillRect(QRect(inner.x(), inner.y(), filled, inner.height()), Colours.selection)
        painter.end()
