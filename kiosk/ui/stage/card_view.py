"""The card layer of the stage: paints the current card scaled to the screen, live if it must be.

A card with a clock or a countdown is repainted once a second, and only while the layer is
active (on top, seen by the audience). `render_card` draws a card into an image, for previews,
screenshots and tests, exactly as the widget does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QImage, QPainter, QPaintEvent, QShowEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

from kiosk.ui.stage.card_painter import CardPainter, load_logo
from kiosk.ui.stage.cards import BlackCard, Card

log = logging.getLogger(__name__)

TICK_MS = 1000


@dataclass(frozen=True)
class RenderedCard:
    """A card drawn into an image, with the rectangle its content occupies."""

    image: QImage
    content: QRectF


def render_card(card: Card, size: QSize, logo: QSvgRenderer | None = None) -> RenderedCard:
    """Draw `card` into a new `size` image (logo: the festival wordmark, loaded if None)."""
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    painter = QPainter(image)
    try:
        content = CardPainter(painter, logo if logo is not None else load_logo()).paint(
            card, size.width(), size.height()
        )
    finally:
        painter.end()
    return RenderedCard(image, content)


class CardView(QWidget):
    """Paints one card at a time over the whole stage; a live card ticks once a second."""

    frame_shown = Signal()

    def __init__(self, parent: QWidget | None = None, logo: QSvgRenderer | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAutoFillBackground(False)
        self._logo = logo if logo is not None else load_logo()
        self._card: Card = BlackCard()
        self._active = False
        self._content = QRectF()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.update)

    @property
    def card(self) -> Card:
        """The card on this layer."""
        return self._card

    @property
    def content_rect(self) -> QRectF:
        """Where the last paint put the card's content, in widget coordinates."""
        return QRectF(self._content)

    @property
    def ticking(self) -> bool:
        """True while the once-a-second repaint runs."""
        return self._timer.isActive()

    def set_card(self, card: Card) -> None:
        """Show `card` (repaints now)."""
        self._card = card
        self._update_timer()
        self.update()

    def set_active(self, active: bool) -> None:
        """Whether the audience sees this layer; a live card only ticks while it is active."""
        self._active = active
        self._update_timer()

    def _update_timer(self) -> None:
        should_tick = self._active and self._card.live and self.isVisible()
        if should_tick and not self._timer.isActive():
            self._timer.start()
        elif not should_tick and self._timer.isActive():
            self._timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        """Start ticking when shown, if the card is live."""
        super().showEvent(event)
        self._update_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        """Stop ticking when hidden."""
        super().hideEvent(event)
        self._update_timer()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the card scaled to this widget."""
        painter = QPainter(self)
        try:
            self._content = CardPainter(painter, self._logo).paint(
                self._card, self.width(), self.height()
            )
        finally:
            painter.end()
        self.frame_shown.emit()
