"""A reveal card prepared for one screen size, so its entrance plays at the screen's frame rate.

Building a `CardScene` lays the card out once (type fitting, still loading and scaling) and
renders it into images: the base (background and everything that does not move) and one image
per moving layer. Each frame `draw` only composites those images with an opacity, an offset
and, for a still, a zoom: no text is laid out and no file read while the card enters. The
frame at progress 1 is the card at rest, pixel for pixel where `CardPainter` draws it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QTransform
from PySide6.QtSvg import QSvgRenderer

from kiosk.render.reveal_cards import RevealCard
from kiosk.ui.stage.canvas import Canvas
from kiosk.ui.stage.card_painter import CardPainter, design_transform_rect
from kiosk.ui.stage.reveal_layers import (
    RENDER_HINTS,
    LineLayer,
    Motion,
    PictureLayer,
    TextLayer,
    device_rect,
    draw_border,
    draw_line,
    paint_layer,
    picture,
    render_text_layer,
    rounded,
)
from kiosk.ui.stage.reveal_painter import layout_for

log = logging.getLogger(__name__)

SWEEP_COLOUR = QColor(255, 244, 222, 64)


@dataclass
class _TextSprite:
    """A moving block of type: its image, faded in and slid up into place."""

    image: QImage
    at: QRect  # where it sits at rest, device pixels
    motion: Motion
    scale: float

    def draw(self, painter: QPainter, progress: float, design: QTransform) -> None:
        t = self.motion.at(progress)
        if t <= 0 and self.motion.fade:
            return
        dy = round(self.motion.rise * (1 - t) * self.scale)
        painter.setOpacity(t if self.motion.fade else 1.0)
        painter.drawImage(self.at.topLeft() + QPoint(0, dy), self.image)
        painter.setOpacity(1.0)


@dataclass
class _PictureSprite:
    """A still rising and fading in while it slowly zooms out inside its rounded frame."""

    layer: PictureLayer
    motion: Motion
    at: QRect
    finished: QImage  # rounded, pixel for pixel: the picture at rest
    raw: QImage  # square-cornered, `zoom` times the frame's size: the picture while zooming
    corners: tuple[tuple[QPoint, QImage], ...]  # background outside the rounded corners
    scale: float

    def draw(self, painter: QPainter, progress: float, design: QTransform) -> None:
        t = self.motion.at(progress)
        if t <= 0 and self.motion.fade:
            return
        layer = self.layer
        zoom_motion = layer.zoom
        zoom = 1.0
        if zoom_motion is not None:
            zoom = 1 + (zoom_motion.zoom - 1) * (1 - zoom_motion.at(progress))
        sweep = layer.sweep.at(progress) if layer.sweep is not None else 1.0
        dy = round(self.motion.rise * (1 - t) * self.scale)
        target = self.at.translated(0, dy)
        opacity = t if self.motion.fade else 1.0
        painter.setOpacity(opacity)
        if t >= 1 and zoom <= 1.0 and (sweep <= 0 or sweep >= 1):
            painter.drawImage(target.topLeft(), self.finished)
        else:
            # the zoom-sized picture, cut down to the part that fills the frame at this zoom
            cut_w, cut_h = self.raw.width() / zoom, self.raw.height() / zoom
            source = QRectF(
                (self.raw.width() - cut_w) / 2, (self.raw.height() - cut_h) / 2, cut_w, cut_h
            )
            painter.drawImage(QRectF(target), self.raw, source)
            if 0 < sweep < 1:
                self._sweep(painter, target, sweep)
            painter.setOpacity(1.0)
            for offset, patch in self.corners:
                painter.drawImage(target.topLeft() + offset, patch)
            painter.setOpacity(opacity)
        painter.save()
        painter.setTransform(design)
        draw_border(painter, layer, dy / self.scale)
        painter.restore()
        painter.setOpacity(1.0)

    def _sweep(self, painter: QPainter, target: QRect, t: float) -> None:
        """A soft slanted band of light crossing the picture from left to right."""
        band = target.width() * 0.22
        slant = target.height() * 0.35
        x = target.left() - band - slant + (target.width() + 2 * band + 2 * slant) * t
        gradient = QLinearGradient(
            QPointF(x - band, target.top()), QPointF(x + band, target.top() + slant)
        )
        gradient.setColorAt(0.0, QColor(255, 244, 222, 0))
        gradient.setColorAt(0.5, SWEEP_COLOUR)
        gradient.setColorAt(1.0, QColor(255, 244, 222, 0))
        left = max(target.left(), math.floor(x - band - slant))
        right = min(target.right() + 1, math.ceil(x + band + slant))
        if right > left:
            painter.fillRect(QRect(left, target.top(), right - left, target.height()), gradient)


@dataclass
class _LineSprite:
    """An amber line drawing itself outwards (two points: drawn live, it costs nothing)."""

    layer: LineLayer
    motion: Motion

    def draw(self, painter: QPainter, progress: float, design: QTransform) -> None:
        painter.save()
        painter.setTransform(design)
        draw_line(painter, self.layer, self.motion.at(progress))
        painter.restore()


_Sprite = _TextSprite | _PictureSprite | _LineSprite


class CardScene:
    """One reveal card rendered for one screen size; `draw` composites any frame of its entrance."""

    def __init__(self, card: RevealCard, size: QSize, logo: QSvgRenderer | None) -> None:
        self.card = card
        self.size = QSize(size)
        self.entrance_s = card.entrance_s
        width, height = size.width(), size.height()
        scale, offset = design_transform_rect(width, height)
        self.scale = scale
        self.design = QTransform(scale, 0, 0, scale, offset.x(), offset.y())
        self.bounds = QRect(0, 0, width, height)
        layout = layout_for(card)
        self.from_black = layout.from_black
        self.texts: list[str] = []
        drawn: list[QRectF] = []

        self.base = QImage(size, QImage.Format.Format_RGB32)
        self.base.fill(QColor("black"))
        painter = QPainter(self.base)
        base_painter = CardPainter(painter, logo)
        base_painter.background(width, height)
        painter.setTransform(self.design)
        painter.setRenderHints(RENDER_HINTS)
        moving = []
        for layer in layout.layers:
            if layer.motion is None:
                paint_layer(base_painter, layer)
            else:
                moving.append(layer)
        painter.end()
        self.texts += base_painter.type.texts
        drawn += base_painter.type.drawn

        self._sprites: list[_Sprite] = []
        for layer in moving:
            assert layer.motion is not None
            match layer:
                case TextLayer():
                    sprite, painted = self._text_sprite(layer, layer.motion, logo)
                    self.texts += painted.type.texts
                    drawn += painted.type.drawn
                    self._sprites.append(sprite)
                case PictureLayer():
                    self._sprites.append(self._picture_sprite(layer, layer.motion, logo))
                    drawn.append(layer.frame)
                case LineLayer():
                    self._sprites.append(_LineSprite(layer, layer.motion))
                    drawn.append(
                        QRectF(layer.centre_x - layer.width / 2, layer.y - 1, layer.width, 2)
                    )
        content = QRectF()
        for rect in drawn:
            content = content.united(rect) if not content.isNull() else QRectF(rect)
        self.content = self.design.mapRect(content) if not content.isNull() else QRectF()

    def _text_sprite(
        self, layer: TextLayer, motion: Motion, logo: QSvgRenderer | None
    ) -> tuple[_TextSprite, Canvas]:
        image, at, painted = render_text_layer(layer, self.design, self.bounds, logo)
        return _TextSprite(image, at, motion, self.scale), painted

    def _picture_sprite(
        self, layer: PictureLayer, motion: Motion, logo: QSvgRenderer | None
    ) -> _PictureSprite:
        at = device_rect(self.design, layer.frame)
        radius = layer.radius * self.scale
        finished = rounded(picture(layer.still, at.size(), logo), radius)
        start_zoom = layer.zoom.zoom if layer.zoom is not None else 1.0
        raw_size = QSize(round(at.width() * start_zoom), round(at.height() * start_zoom))
        raw = picture(layer.still, raw_size, logo)
        # the background just outside the rounded corners, laid over the square picture
        overlay = self.base.copy(at).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(overlay)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationOut)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        painter.drawRoundedRect(QRectF(overlay.rect()), radius, radius)
        painter.end()
        side = min(math.ceil(radius) + 2, at.width() // 2, at.height() // 2)
        corners = []
        for x, y in (
            (0, 0),
            (at.width() - side, 0),
            (0, at.height() - side),
            (at.width() - side, at.height() - side),
        ):
            corners.append((QPoint(x, y), overlay.copy(QRect(x, y, side, side))))
        return _PictureSprite(layer, motion, at, finished, raw, tuple(corners), self.scale)

    def draw(self, painter: QPainter, progress: float) -> None:
        """Composite the frame at `progress` (0 to 1) of the entrance; painter in device pixels."""
        painter.setRenderHints(RENDER_HINTS)
        painter.drawImage(0, 0, self.base)
        for sprite in self._sprites:
            sprite.draw(painter, progress, self.design)
        if self.from_black is not None:
            up = self.from_black.at(progress)
            if up < 1:
                painter.fillRect(self.bounds, QColor(0, 0, 0, round(255 * (1 - up))))

    def render(self, progress: float) -> QImage:
        """One frame as a new image (for previews and tests)."""
        image = QImage(self.size, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        try:
            self.draw(painter, progress)
        finally:
            painter.end()
        return image
