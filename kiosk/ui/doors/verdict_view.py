"""The verdict, filling the door window: green, amber or red, readable from two metres.

It covers the whole window for a moment and then fades away by itself (about two seconds in
all); it lets the mouse through and never takes the keyboard, so the next scan can come at any
time and simply replaces it. Never a dialog.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QEasingCurve, QRectF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPaintEvent,
    QRegion,
)
from PySide6.QtWidgets import QWidget

from kiosk.core.checkin import Tone
from kiosk.render.fonts import font_families

log = logging.getLogger(__name__)

HOLD_MS = 1400
FADE_MS = 600
BADGE_SHARE = 0.16  # the badge's strip across the top, as a share of the height: no text under it
_BLOCK_CACHE_SIZE = 96  # rendered lines of text: the headlines of every verdict, recent names

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
    next_step_en: str = ""  # a red verdict: what the usher does now
    next_step_zh: str = ""


def _total_height(laid_out: list[QImage | float]) -> float:
    """The height of laid-out lines and gaps."""
    return sum(item if isinstance(item, float) else item.height() for item in laid_out)


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
        self._layout: tuple[tuple[int, int], list[tuple[int, int, QImage]]] | None = None
        self._backgrounds: dict[tuple[Tone, int, int], QImage] = {}
        self._badges: dict[tuple[str, int, int, int], QImage] = {}
        self._blocks: OrderedDict[tuple[str, int, bool, float, bool, int, int], QImage] = (
            OrderedDict()
        )
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
        """Show a verdict now (replacing any other), hold it, then fade it out.

        When the previous verdict is still fully on screen in the same colour (the next
        person in a queue, usually green), only its lines of text are painted over: copying
        the whole full-screen background again would be most of the frame's work.
        """
        previous, previous_layout = self.card, self._layout
        in_place = (
            previous is not None
            and previous.tone == card.tone
            and previous_layout is not None
            and previous_layout[0] == (self.width(), self.height())
            and self.isVisible()
            and self._opacity >= 1.0
            and self._fade.state() != QVariantAnimation.State.Running
        )
        self._fade.stop()
        self.card = card
        self._layout = None
        self._opacity = 1.0
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)  # nothing shows through
        parent = self.parentWidget()
        if not self.isVisible():  # already up (the previous verdict): only the card changes
            if parent is not None:
                self.setGeometry(parent.rect())
            self.show()
        self.raise_()  # above anything shown since (the camera's preview)
        if in_place and previous_layout is not None:
            self._layout = ((self.width(), self.height()), self._lay_out(card))
            self.update(_text_region(previous_layout[1]) | _text_region(self._layout[1]))
        else:
            self.update()
        self._hold.start(hold_ms)

    def hold_longer(self, hold_ms: int = HOLD_MS) -> None:
        """The same ticket read again: keep the verdict on screen, fully opaque, a while more."""
        if self.card is None or not self.isVisible():
            return
        self._fade.stop()
        self._opacity = 1.0
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
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
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, self._opacity >= 1.0)
        self.update()

    def _faded(self) -> None:
        self.hide()
        self._opacity = 1.0
        self.finished.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        card = self.card
        if card is None:
            return
        if self._layout is None or self._layout[0] != (self.width(), self.height()):
            self._layout = ((self.width(), self.height()), self._lay_out(card))
        painter = QPainter(self)
        painter.setOpacity(self._opacity)
        painter.drawImage(0, 0, self._background(card.tone, self.width(), self.height()))
        for x, y, block in self._layout[1]:
            painter.drawImage(x, y, block)
        painter.end()
        self.painted.emit()

    def warm_up(self, headlines: list[tuple[str, str]]) -> None:
        """Render the parts every verdict shares now, so the first scan paints as fast as any.

        Large text (the headlines, the symbols) is drawn as outlines, slowly; each part is
        rendered once per window size and then only copied.
        """
        width, height = self.width(), self.height()
        if width <= 0 or height <= 0:
            return
        for tone in TONE_COLOURS:
            self._background(tone, width, height)
        usable = width - 2 * width * 0.12
        for tone in TONE_COLOURS:
            ink = TONE_COLOURS[tone][1]
            for english, chinese in headlines:
                for text in (english, chinese):
                    self._block(text, height * 0.11, True, 1.0, False, usable, height, ink)

    def _lay_out(self, card: VerdictCard) -> list[tuple[int, int, QImage]]:
        """The card's lines of text, rendered (or taken from the cache), and where they go."""
        width, height = self.width(), self.height()
        ink = TONE_COLOURS[card.tone][1]
        margin = width * 0.12
        usable = width - 2 * margin
        latin = card.name_latin if card.name_latin != card.name else ""
        blocks: list[tuple[str | None, float, bool, float, bool]] = [
            # text (None: a gap), pixel size (share of height), bold, opacity, may wrap
            (card.headline_en, 0.11, True, 1.0, False),
            (card.headline_zh, 0.11, True, 1.0, False),
            (None, 0.03, False, 1.0, False),
            (card.name, 0.13, True, 1.0, False),
            (latin, 0.06, False, 0.9, False),
            (card.detail_en, 0.045, False, 0.95, True),
            (card.detail_zh, 0.045, False, 0.95, True),
            (None, 0.025 if card.next_step_en else 0.0, False, 1.0, False),
            (card.next_step_en, 0.05, True, 1.0, True),
            (card.next_step_zh, 0.05, True, 1.0, True),
        ]
        # the text is centred below the badge's strip, never under it, and smaller when a long
        # red verdict would not fit the screen (a 4:3 door laptop, wrapped details)
        top = height * (BADGE_SHARE if card.badge else 0.04)
        room = height - top - height * 0.02
        laid_out = self._lines(blocks, 1.0, usable, height, ink)
        total = _total_height(laid_out)
        if total > room:
            laid_out = self._lines(blocks, room / total * 0.97, usable, height, ink)
            total = _total_height(laid_out)
        y = top + max(0.0, (room - total) / 2)
        placed: list[tuple[int, int, QImage]] = []
        for item in laid_out:
            if isinstance(item, float):
                y += item
                continue
            placed.append((round(margin + (usable - item.width()) / 2), round(y), item))
            y += item.height()
        if card.badge:
            placed.append((0, 0, self._badge(card.badge, ink, width, height)))
        return placed

    def _lines(
        self,
        blocks: list[tuple[str | None, float, bool, float, bool]],
        scale: float,
        usable: float,
        height: int,
        ink: QColor,
    ) -> list[QImage | float]:
        """The card's lines rendered at `scale` of their sizes, with the gaps between groups."""
        laid_out: list[QImage | float] = []
        for text, share, bold, alpha, wrap in blocks:
            if text is None:  # a gap between groups of lines, never at the top
                if share and laid_out:
                    laid_out.append(height * share * scale)
                continue
            if text:  # a line the card does not have (no name, no Latin name) takes no room
                size = height * share * scale
                laid_out.append(self._block(text, size, bold, alpha, wrap, usable, height, ink))
        return laid_out

    def _background(self, tone: Tone, width: int, height: int) -> QImage:
        """The tone's colour with its huge faint symbols at both sides (cached per size)."""
        key = (tone, width, height)
        cached = self._backgrounds.get(key)
        if cached is not None:
            return cached
        background, ink = TONE_COLOURS[tone]
        image = QImage(width, height, QImage.Format.Format_RGB32)  # opaque: copied, not blended
        image.fill(background)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._paint_symbol(painter, tone, ink, float(width), float(height))
        painter.end()
        if len(self._backgrounds) >= 2 * len(TONE_COLOURS):
            self._backgrounds.clear()  # the window was resized: keep only the new size
        self._backgrounds[key] = image
        return image

    def _block(
        self,
        text: str,
        pixel_size: float,
        bold: bool,
        alpha: float,
        wrap: bool,
        usable: float,
        height: float,
        ink: QColor,
    ) -> QImage:
        """One line (or wrapped paragraph) of the card as a transparent image (cached)."""
        key = (text, int(pixel_size), bold, alpha, wrap, int(usable), ink.rgba())
        cached = self._blocks.get(key)
        if cached is not None:
            self._blocks.move_to_end(key)
            return cached
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        if wrap:
            font = _sized_font(pixel_size, bold)
            flags |= int(Qt.TextFlag.TextWordWrap)
        else:
            font = _fitting_font(text, pixel_size, bold, usable)
        box = QFontMetricsF(font).boundingRect(QRectF(0, 0, usable, height), flags, text)
        block_height = max(1, round(box.height() * 1.06))
        # only as wide as the text (plus a little for the ink outside the advance): a smaller
        # image to clear, fill and blend; it is centred when placed
        block_width = max(1, min(round(usable), round(box.width() + pixel_size * 0.5)))
        left = (usable - block_width) / 2
        image = QImage(block_width, block_height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(font)
        colour = QColor(ink)
        colour.setAlphaF(alpha)
        painter.setPen(colour)
        painter.translate(-left, 0)
        painter.drawText(QRectF(0, 0, usable, block_height), flags, text)
        painter.end()
        self._blocks[key] = image
        while len(self._blocks) > _BLOCK_CACHE_SIZE:
            self._blocks.popitem(last=False)
        return image

    def _badge(self, text: str, ink: QColor, width: int, height: int) -> QImage:
        """The badge across the top as a transparent strip (cached like the lines of text)."""
        key = (text, ink.rgba(), width, height)
        cached = self._badges.get(key)
        if cached is not None:
            return cached
        image = QImage(
            width, max(1, round(height * BADGE_SHARE)), QImage.Format.Format_ARGB32_Premultiplied
        )
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._paint_badge(painter, text, ink, float(width), float(height))
        painter.end()
        if len(self._badges) >= 2 * len(TONE_COLOURS):
            self._badges.clear()  # a resize or another badge text: keep only what is current
        self._badges[key] = image
        return image

    @staticmethod
    def _paint_badge(
        painter: QPainter, text: str, ink: QColor, width: float, height: float
    ) -> None:
        """A framed line across the top: how this verdict was reached (e.g. offline)."""
        font = _fitting_font(text, height * 0.045, True, width * 0.7)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        box = QRectF(0, 0, metrics.horizontalAdvance(text) + height * 0.05, metrics.height() * 1.5)
        box.moveCenter(QRectF(0, 0, width, height * BADGE_SHARE).center())
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
        # as big as the side strip allows: a glyph wider than its strip was cut at the edge
        strip = width * 0.14
        painter.setFont(_fitting_font(TONE_SYMBOLS[tone], height * 0.5, True, strip * 0.8))
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


def _text_region(placed: list[tuple[int, int, QImage]]) -> QRegion:
    """Where a card's lines of text (and badge) are on the screen."""
    region = QRegion()
    for x, y, block in placed:
        region |= QRegion(x, y, block.width(), block.height())
    return region


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
