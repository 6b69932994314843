"""The verdict, filling the door window: green, amber or red, readable from two metres.

It covers the whole window for a moment and then fades away by itself (about two seconds in
all); it lets the mouse through and never takes the keyboard, so the next scan can come at any
time and simply replaces it. Never a dialog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QEasingCurve, QRectF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from kiosk.core.checkin import Tone
from kiosk.render.fonts import font_families

log = logging.getLogger(__name__)

HOLD_MS = 1400
FADE_MS = 600

TONE_COLOURS = {
    Tone.GO: (QColor("#1e8e3e"), QColor("#ffffff")),
    Tone.CAUTION: (QColor("#f2a900"), QColor("#1a1400")),
    Tone.STOP: (QColor("#c62828"), QColor("#ffffff")),
}
TONE_SYMBOLS = {Tone.GO: "✔", Tone.CAUTION: "!", Tone.STOP: "✖"}


@dataclass(frozen=True)
class VerdictCard:
    """What the verdict screen says."""

    tone: Tone
    headline_en: str
    headline_zh: str
    name: str = ""
    name_latin: str = ""
    detail_en: str = ""
    detail_zh: str = ""
    badge: str = ""  # a marker across the top, e.g. "OFFLINE · 離線"


class VerdictOverlay(QWidget):
    """A full-window coloured card that shows one verdict, then fades back to the ready screen."""

    painted = Signal()  # after each paint (the benchmark times Enter → painted)
    finished = Signal()  # faded out

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.card: VerdictCard | None = None
        self._opacity = 1.0
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self._start_fade)
        self._fade = QVariantAnimation(self)
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.setDuration(FADE_MS)
        self._fade.setEasingCurve(QEasingCurve.Type.InQuad)
        self._fade.valueChanged.connect(self._set_opacity)
        self._fade.finished.connect(self._faded)
        self.hide()

    def show_card(self, card: VerdictCard, hold_ms: int = HOLD_MS) -> None:
        """Show a verdict now (replacing any other), hold it, then fade it out."""
        self._fade.stop()
        self.card = card
        self._opacity = 1.0
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.update()
        self._hold.start(hold_ms)

    def dismiss(self) -> None:
        """Back to the ready screen at once."""
        self._hold.stop()
        self._fade.stop()
        self._faded()

    @property
    def showing(self) -> bool:
        """True while a verdict is on screen (also while fading)."""
        return self.isVisible() and self.card is not None

    def _start_fade(self) -> None:
        self._fade.start()

    def _set_opacity(self, value: object) -> None:
        self._opacity = float(value)  # type: ignore[arg-type]
        self.update()

    def _faded(self) -> None:
        self.hide()
        self._opacity = 1.0
        self.finished.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        card = self.card
        if card is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setOpacity(self._opacity)
        background, ink = TONE_COLOURS[card.tone]
        painter.fillRect(self.rect(), background)
        width, height = float(self.width()), float(self.height())
        self._paint_symbol(painter, card.tone, ink, width, height)
        margin = width * 0.12
        usable = width - 2 * margin
        latin = card.name_latin if card.name_latin != card.name else ""
        blocks: list[tuple[str, float, bool, float, bool]] = [
            # text, pixel size (share of height), bold, opacity, may wrap
            (card.headline_en, 0.11, True, 1.0, False),
            (card.headline_zh, 0.11, True, 1.0, False),
            ("", 0.03, False, 1.0, False),
            (card.name, 0.13, True, 1.0, False),
            (latin, 0.06, False, 0.9, False),
            (card.detail_en, 0.045, False, 0.95, True),
            (card.detail_zh, 0.045, False, 0.95, True),
        ]
        laid_out: list[tuple[str, QFont, float, float, int]] = []
        for text, share, bold, alpha, wrap in blocks:
            if not text:
                if share and laid_out:
                    laid_out.append(("", QFont(), height * share, 1.0, 0))
                continue
            flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            if wrap:
                font = _sized_font(height * share, bold)
                flags |= int(Qt.TextFlag.TextWordWrap)
            else:
                font = _fitting_font(text, height * share, bold, usable)
            box = QFontMetricsF(font).boundingRect(QRectF(0, 0, usable, height), flags, text)
            laid_out.append((text, font, box.height() * 1.06, alpha, flags))
        y = max(height * 0.04, (height - sum(block[2] for block in laid_out)) / 2)
        for text, font, block_height, alpha, flags in laid_out:
            if text:
                painter.setFont(font)
                colour = QColor(ink)
                colour.setAlphaF(alpha)
                painter.setPen(colour)
                painter.drawText(QRectF(margin, y, usable, block_height), flags, text)
            y += block_height
        if card.badge:
            self._paint_badge(painter, card.badge, ink, width, height)
        painter.end()
        self.painted.emit()

    @staticmethod
    def _paint_badge(
        painter: QPainter, text: str, ink: QColor, width: float, height: float
    ) -> None:
        """A framed line across the top: how this verdict was reached (e.g. offline)."""
        font = _fitting_font(text, height * 0.045, True, width * 0.7)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        box = QRectF(0, 0, metrics.horizontalAdvance(text) + height * 0.05, metrics.height() * 1.5)
        box.moveCenter(QRectF(0, 0, width, height * 0.16).center())
        painter.setPen(ink)
        painter.setBrush(QColor(0, 0, 0, 90))
        painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _paint_symbol(
        painter: QPainter, tone: Tone, ink: QColor, width: float, height: float
    ) -> None:
        """A huge, faint tick / exclamation mark / cross at the left, seen from across the hall."""
        colour = QColor(ink)
        colour.setAlphaF(0.22)
        painter.setPen(colour)
        painter.setFont(_sized_font(height * 0.5, True))
        painter.drawText(
            QRectF(0, 0, width * 0.14, height),
            Qt.AlignmentFlag.AlignCenter,
            TONE_SYMBOLS[tone],
        )
        painter.drawText(
            QRectF(width * 0.86, 0, width * 0.14, height),
            Qt.AlignmentFlag.AlignCenter,
            TONE_SYMBOLS[tone],
        )


def _sized_font(pixel_size: float, bold: bool) -> QFont:
    font = QFont()
    font.setFamilies(font_families())
    font.setBold(bold)
    font.setPixelSize(max(8, int(pixel_size)))
    return font


def _fitting_font(text: str, pixel_size: float, bold: bool, width: float) -> QFont:
    """The font at ``pixel_size``, shrunk until ``text`` fits in ``width``."""
    font = _sized_font(pixel_size, bold)
    size = font.pixelSize()
    advance = QFontMetricsF(font).horizontalAdvance(text)
    if advance > width:
        font.setPixelSize(max(8, int(size * width / advance)))
    return font
