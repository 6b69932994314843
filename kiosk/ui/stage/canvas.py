"""The drawing surface every card painter shares: the painter, the wordmark and the type.

`Canvas` holds what the holding, title, vote and reveal cards all draw with (background, logo,
rules, bands of the safe area, the festival line) so that the painters of the special cards
(`vote_painter`, `reveal_painter`, `reveal_layers`) depend on this module and never on
`card_painter`, which dispatches to them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen, QRadialGradient
from PySide6.QtSvg import QSvgRenderer

from kiosk.ui.stage.typesetting import SAFE_RECT, StageColours, Typesetter, stage_font

log = logging.getLogger(__name__)

LOGO_PATH = Path(__file__).resolve().parents[3] / "assets" / "images" / "aiff-logo.svg"
_FESTIVAL_EN = "AI FILM FESTIVAL"
_FESTIVAL_ZH = "人工智能電影節"


def load_logo(path: Path = LOGO_PATH) -> QSvgRenderer | None:
    """The festival wordmark, or None (the cards then set the name in type)."""
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        log.warning("festival logo %s could not be read; using a typeset name", path)
        return None
    return renderer


class Canvas:
    """The shared pieces of every card, drawn in design units (the painter already scaled)."""

    def __init__(self, painter: QPainter, logo: QSvgRenderer | None) -> None:
        self.painter = painter
        self.logo_renderer = logo
        self.type = Typesetter(painter)

    def background(self, width: float, height: float) -> None:
        """The dark festival gradient with a faint amber glow from above; fills `width`x`height`."""
        p = self.painter
        vertical = QLinearGradient(0, 0, 0, height)
        vertical.setColorAt(0, StageColours.background_top)
        vertical.setColorAt(1, StageColours.background_bottom)
        p.fillRect(QRectF(0, 0, width, height), vertical)
        glow = QRadialGradient(QPointF(width / 2, -height * 0.15), max(width, height) * 0.75)
        glow.setColorAt(0, StageColours.glow)
        glow.setColorAt(1, QColor(0, 0, 0, 0))
        p.fillRect(QRectF(0, 0, width, height), glow)

    def logo(self, centre: QPointF, height: float) -> None:
        """The wordmark, `height` tall, centred on `centre`."""
        if self.logo_renderer is None:
            box = QRectF(centre.x() - height * 2, centre.y() - height / 2, height * 4, height)
            self.type.text(box, "AIFF", stage_font(int(height * 0.8), bold=True), StageColours.text)
            return
        size = self.logo_renderer.defaultSize()
        width = height * size.width() / max(1, size.height())
        rect = QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)
        self.logo_renderer.render(self.painter, rect)
        self.type.mark(rect)

    def logo_at(self, rect: QRectF) -> None:
        """The wordmark fitted into `rect` (kept in proportion, aligned right)."""
        if self.logo_renderer is None:
            self.type.text(
                rect, "AIFF", stage_font(int(rect.height()), bold=True), StageColours.text
            )
            return
        size = self.logo_renderer.defaultSize()
        width = rect.height() * size.width() / max(1, size.height())
        target = QRectF(rect.right() - width, rect.top(), width, rect.height())
        self.logo_renderer.render(self.painter, target)
        self.type.mark(target)

    def rule(self, centre_x: float, y: float, width: float) -> None:
        """A thin amber rule, centred."""
        pen = QPen(StageColours.amber_dim, 2)
        self.painter.setPen(pen)
        self.painter.drawLine(QPointF(centre_x - width / 2, y), QPointF(centre_x + width / 2, y))
        self.type.mark(QRectF(centre_x - width / 2, y - 1, width, 2))

    def band(self, top: float, height: float) -> QRectF:
        """A full-width row of the safe area."""
        return QRectF(SAFE_RECT.left(), top, SAFE_RECT.width(), height)

    def festival_line(self, top: float) -> None:
        """`AI FILM FESTIVAL · 人工智能電影節`, small, spaced, amber."""
        self.type.text(
            self.band(top, 44),
            f"{_FESTIVAL_EN}  ·  {_FESTIVAL_ZH}",
            stage_font(28),
            StageColours.amber,
            letter_spacing=6,
        )
