"""The Show tab's thin bar of how far the film (or the title card's countdown) has got.

A `ProgressStrip` without text, 8 px high, set as a fraction ten times a second by the Show tab:
it asks for a repaint (`update`, folded into the window's next paint) only when the filled
width changes by a pixel, at most every 250 ms (a title card's countdown moves it at every
tick). A `QProgressBar` here repainted at once at every change (a synchronous paint and flush
to the X server): the GUI thread's largest single cost during a show (cProfile of the real
console in the GUI load bench: 163 calls, 11 s of 43 s under a loaded machine).
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from kiosk.ui.common.progress_strip import ProgressStrip

log = logging.getLogger(__name__)

BAR_HEIGHT = 8
STEPS = 10_000  # finer than any bar's pixels
REPAINT_EVERY_MS = 250  # 4 paints a second: each is a paint and flush of the console window


class FilmProgress(ProgressStrip):
    """A thin bar filled to a fraction (0..1) of its width; repaints lazily."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, repaint_every_ms=REPAINT_EVERY_MS)
        self.setRange(0, STEPS)
        self.setTextVisible(False)
        self.setFixedHeight(BAR_HEIGHT)

    @property
    def fraction(self) -> float:
        """How much of the bar is filled (0..1)."""
        return self.value() / STEPS

    def set_fraction(self, fraction: float) -> None:
        """Fill the bar to `fraction` (clamped to 0..1); repainted with the window's next paint,
        and only if the filled width changes."""
        self.setValue(round(min(1.0, max(0.0, fraction)) * STEPS))
