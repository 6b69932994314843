"""The card layer of the stage: paints the current card scaled to the screen, live if it must be.

A card with a clock or a countdown is repainted once a second, and only while the layer is
active (on top, seen by the audience). A reveal card with an entrance (`entrance_s` > 0) plays
it when put up with `animate=True`: a precise ~16 ms timer drives the frames and each frame only
composites images rendered once for the card (`reveal_scene.CardScene`), so the type is not laid
out again frame by frame. `render_card` draws a card into an image, for previews, screenshots
and tests, exactly as the widget does; with `progress` < 1, a frame of its entrance.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QImage, QPainter, QPaintEvent, QShowEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

from kiosk.render.cards import BlackCard, Card
from kiosk.render.reveal_cards import REVEAL_CARD_TYPES, RevealCard
from kiosk.ui.stage.canvas import load_logo
from kiosk.ui.stage.card_painter import CardPainter
from kiosk.ui.stage.reveal_scene import CardScene

log = logging.getLogger(__name__)

TICK_MS = 1000
FRAME_MS = 16  # entrances are driven at ~60 frames a second
SCENES_KEPT = 3  # the card up, the one prepared next, the one before


@dataclass(frozen=True)
class RenderedCard:
    """A card drawn into an image, with the rectangle its content occupies and its strings."""

    image: QImage
    content: QRectF
    texts: tuple[str, ...] = ()


def entrance_seconds(card: Card) -> float:
    """How long `card`'s entrance lasts (0: it simply appears)."""
    return card.entrance_s if isinstance(card, REVEAL_CARD_TYPES) else 0.0


def render_card(
    card: Card, size: QSize, logo: QSvgRenderer | None = None, progress: float = 1.0
) -> RenderedCard:
    """Draw `card` into a new `size` image (logo: the festival wordmark, loaded if None).

    `progress` below 1 draws that frame of the card's entrance, as `CardView` shows it.
    """
    logo = logo if logo is not None else load_logo()
    if progress < 1 and isinstance(card, REVEAL_CARD_TYPES):
        scene = CardScene(card, size, logo)
        return RenderedCard(scene.render(progress), scene.content, tuple(scene.texts))
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    painter = QPainter(image)
    try:
        card_painter = CardPainter(painter, logo)
        content = card_painter.paint(card, size.width(), size.height())
    finally:
        painter.end()
    return RenderedCard(image, content, tuple(card_painter.type.texts))


class CardView(QWidget):
    """Paints one card at a time over the whole stage; a live card ticks once a second, a
    reveal card put up with `animate=True` plays its entrance at ~60 frames a second."""

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
        self._scenes: list[CardScene] = []  # most recently used first
        self._progress = 1.0
        self._entrance_started: float | None = None  # perf_counter() of the entrance's 1st frame
        self._frames = QTimer(self)
        self._frames.setTimerType(Qt.TimerType.PreciseTimer)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self._next_frame)

    @property
    def card(self) -> Card:
        """The card on this layer."""
        return self._card

    @property
    def ticking(self) -> bool:
        """True while the once-a-second repaint runs."""
        return self._timer.isActive()

    @property
    def animating(self) -> bool:
        """True while a card's entrance is playing."""
        return self._frames.isActive()

    @property
    def progress(self) -> float:
        """How far the current card's entrance has come (1: at rest)."""
        return self._progress

    def set_card(self, card: Card, animate: bool = True) -> None:
        """Show `card` (repaints now); with `animate`, a reveal card plays its entrance."""
        self._card = card
        self._frames.stop()
        self._entrance_started = None
        self._progress = 1.0
        if animate and entrance_seconds(card) > 0 and self.isVisible():
            self._progress = 0.0
            self._frames.start()
        self._update_timer()
        self.update()

    def prepare(self, card: Card) -> None:
        """Render a reveal card's images now (e.g. the next card, while this one is up), so
        that putting it up starts its entrance without delay."""
        if isinstance(card, REVEAL_CARD_TYPES):
            self._scene_for(card)

    def finish_entrance(self) -> None:
        """Jump to the end of the entrance that is playing (if any)."""
        if self._frames.isActive():
            self._frames.stop()
            self._progress = 1.0
            self.update()

    def _next_frame(self) -> None:
        if self._entrance_started is None:
            return  # the first frame has not been painted yet
        elapsed = time.perf_counter() - self._entrance_started
        self._progress = min(1.0, elapsed / max(1e-3, entrance_seconds(self._card)))
        if self._progress >= 1.0:
            self._frames.stop()
        self.update()

    def _scene_for(self, card: RevealCard) -> CardScene:
        """The card's prepared images for this widget's size (kept for the last few cards)."""
        size = self.size()
        for scene in self._scenes:
            if scene.size == size and (scene.card is card or scene.card == card):
                self._scenes.remove(scene)
                self._scenes.insert(0, scene)
                return scene
        started = time.perf_counter()
        scene = CardScene(card, size, self._logo)
        log.debug(
            "reveal card prepared for %dx%d in %.0f ms",
            size.width(),
            size.height(),
            (time.perf_counter() - started) * 1000,
        )
        self._scenes = [scene, *self._scenes[: SCENES_KEPT - 1]]
        return scene

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
        """Stop ticking when hidden (an entrance jumps to its end)."""
        super().hideEvent(event)
        self.finish_entrance()
        self._update_timer()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the card scaled to this widget (a reveal card from its prepared images)."""
        card = self._card
        painter = QPainter(self)
        try:
            if isinstance(card, REVEAL_CARD_TYPES):
                scene = self._scene_for(card)
                if self._frames.isActive() and self._entrance_started is None:
                    self._entrance_started = time.perf_counter()  # the clock starts on screen
                scene.draw(painter, self._progress)
                self._content = QRectF(scene.content)
            else:
                self._content = CardPainter(painter, self._logo).paint(
                    card, self.width(), self.height()
                )
        finally:
            painter.end()
        self.frame_shown.emit()
