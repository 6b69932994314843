"""Boxed subtitles over the film: an opaque native strip, so it shows above libvlc's window.

X11 cannot blend a Qt widget over the native window libvlc draws into (no alpha between sibling
windows without a compositor), so the caption is an opaque black box sized to its text, like
broadcast closed captions, in the Traditional Chinese font. Sized and placed relative to the
stage: text about 4.5% of the screen height, at most 80% of its width and two lines (shrinking
to fit), the box's foot 8% above the bottom edge (inside the 5% safe margin).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from kiosk.render.fonts import font_families

TEXT_HEIGHT = 0.045  # of the stage height
MAX_WIDTH = 0.8  # of the stage width
FOOT = 0.92  # where the box ends, from the top, as a share of the stage height
MAX_LINES = 2


class CaptionBox(QWidget):
    """One subtitle (one or two lines) in white on an opaque black box."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("caption")
        self.text = ""
        self._font = QFont()
        self._flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)

    def set_text(self, text: str, stage: QSize) -> None:
        """Lay out `text` for a stage of this size and place the box."""
        self.text = text
        pixels = max(12, round(stage.height() * TEXT_HEIGHT))
        limit = QRectF(0, 0, stage.width() * MAX_WIDTH, stage.height())
        font = QFont()
        font.setFamilies(font_families())
        while True:
            font.setPixelSize(pixels)
            metrics = QFontMetricsF(font)
            used = metrics.boundingRect(limit, self._flags, text)
            if used.height() <= metrics.lineSpacing() * MAX_LINES + 1 or pixels <= 12:
                break
            pixels -= 2
        self._font = font
        pad_x, pad_y = pixels * 0.6, pixels * 0.25
        width = min(stage.width() * 0.9, used.width() + 2 * pad_x)
        height = used.height() + 2 * pad_y
        foot = stage.height() * FOOT
        self.setGeometry(
            QRect(
                round((stage.width() - width) / 2),
                round(foot - height),
                round(width),
                round(height),
            )
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """White text on black."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(self._font)
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(QRectF(self.rect()), self._flags, self.text)
        painter.end()
