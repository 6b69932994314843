"""Type for the projector: display fonts, and text that shrinks until it fits its box.

Everything is laid out on a 1920x1080 design canvas; the painter's transform scales it to the
real screen. Hinting is off so a line measured here has the same width at any scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPainter

from kiosk.render.fonts import font_families

DESIGN_WIDTH = 1920
DESIGN_HEIGHT = 1080
SAFE_MARGIN = 0.05  # nothing is drawn closer than 5% to any edge of the picture
SAFE_RECT = QRectF(
    DESIGN_WIDTH * SAFE_MARGIN,
    DESIGN_HEIGHT * SAFE_MARGIN,
    DESIGN_WIDTH * (1 - 2 * SAFE_MARGIN),
    DESIGN_HEIGHT * (1 - 2 * SAFE_MARGIN),
)

_SERIF_LATIN = ("Noto Serif", "Source Serif Pro", "DejaVu Serif")
_SERIF_CJK = ("Noto Serif CJK TC", "Noto Serif TC", "Source Han Serif TC")


class StageColours:
    """The projector palette: white and festival amber on a near-black night."""

    background_top = QColor("#120e16")
    background_bottom = QColor("#040405")
    glow = QColor(242, 179, 61, 34)
    text = QColor("#f4f1ea")
    soft = QColor("#c9c4ba")
    muted = QColor("#8f8a82")
    amber = QColor("#f2b33d")
    amber_dim = QColor(242, 179, 61, 110)


def display_families() -> list[str]:
    """Serif families for titles (Latin first, then Traditional Chinese); sans if none."""
    installed = set(QFontDatabase.families())
    latin = [f for f in _SERIF_LATIN if f in installed][:1]
    cjk = [f for f in _SERIF_CJK if f in installed][:1]
    return latin + cjk if latin and cjk else font_families()


def stage_font(
    pixels: int, *, bold: bool = False, serif: bool = False, tabular: bool = False
) -> QFont:
    """A font sized in design pixels, for text that may contain Chinese."""
    font = QFont()
    font.setFamilies(display_families() if serif else font_families())
    font.setPixelSize(max(1, pixels))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    if tabular:
        font.setFeature(QFont.Tag("tnum"), 1)  # digits of equal width: countdowns do not jiggle
    return font


@dataclass
class Typesetter:
    """Draws text into boxes on the design canvas, shrinking it to fit; records the ink area."""

    painter: QPainter
    drawn: list[QRectF] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # every string drawn, as shown (for tests)

    def text(
        self,
        box: QRectF,
        text: str,
        font: QFont,
        colour: QColor,
        *,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter,
        max_lines: int = 1,
        min_pixels: int = 18,
        letter_spacing: float = 0.0,
    ) -> QRectF:
        """Draw `text` inside `box` (never outside it); returns the rectangle it used."""
        if not text:
            return QRectF()
        fitted = QFont(font)
        if letter_spacing:
            fitted.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, letter_spacing)
        flags = int(align) | (int(Qt.TextFlag.TextWordWrap) if max_lines > 1 else 0)
        size = font.pixelSize()
        shown = text
        while True:
            fitted.setPixelSize(size)
            metrics = QFontMetricsF(fitted)
            used = metrics.boundingRect(box, flags, shown)
            lines = round(used.height() / metrics.lineSpacing()) if metrics.lineSpacing() else 1
            if used.width() <= box.width() and used.height() <= box.height() and lines <= max_lines:
                break
            if size <= min_pixels:
                # still too long at the smallest size: one line, cut with an ellipsis
                flags &= ~int(Qt.TextFlag.TextWordWrap)
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width())
                used = metrics.boundingRect(box, flags, shown)
                break
            size -= max(1, size // 24)
        self.painter.setFont(fitted)
        self.painter.setPen(colour)
        self.painter.drawText(box, flags, shown)
        used = used.intersected(box)
        self.drawn.append(used)
        self.texts.append(shown)
        return used

    def mark(self, rect: QRectF) -> None:
        """Record a non-text drawing (logo, rule) as part of the card's content."""
        self.drawn.append(QRectF(rect))

    def content_bounds(self) -> QRectF:
        """The union of everything drawn so far, in design coordinates."""
        bounds = QRectF()
        for rect in self.drawn:
            bounds = bounds.united(rect) if not bounds.isNull() else QRectF(rect)
        return bounds
