"""The pieces a reveal card is made of, and how each is drawn at rest.

A card's layout (`reveal_painter`) is a list of layers on the 1920x1080 design canvas: blocks of
type, film stills in rounded 16:9 frames, amber lines. A layer with a `Motion` takes part in
the card's entrance; `reveal_scene` renders such layers once into images and only moves, fades
and zooms those images frame by frame. Drawn at rest (here), every layer lands on exactly the
pixels the entrance's last frame puts it on, so the animation ends on the still card.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QImageReader,
    QLinearGradient,
    QPainter,
    QPen,
    QRadialGradient,
    QTransform,
)
from PySide6.QtSvg import QSvgRenderer

from kiosk.ui.stage.canvas import Canvas
from kiosk.ui.stage.typesetting import StageColours

log = logging.getLogger(__name__)

STILL_BORDER = QColor(255, 255, 255, 46)
PLACEHOLDER_TOP = QColor("#2a2230")
PLACEHOLDER_BOTTOM = QColor("#0e0b10")
BAR_LIGHTNESS = 12  # letterbox bars are at most this light (0-255)
RENDER_HINTS = (
    QPainter.RenderHint.Antialiasing
    | QPainter.RenderHint.TextAntialiasing
    | QPainter.RenderHint.SmoothPixmapTransform
)


@dataclass(frozen=True)
class Motion:
    """When and how a layer enters, as fractions of the card's entrance (0 to 1)."""

    start: float = 0.0
    end: float = 1.0
    rise: float = 0.0  # design pixels below its place when it starts
    fade: bool = True  # fades in (else it is there from the start)
    zoom: float = 1.0  # pictures: how much larger the picture starts inside its frame

    def at(self, progress: float) -> float:
        """How far this layer has come at `progress` of the entrance (0 to 1, eased out)."""
        if progress >= self.end:
            return 1.0
        if progress <= self.start:
            return 0.0
        t = (progress - self.start) / (self.end - self.start)
        return 1.0 - (1.0 - t) ** 3


@dataclass(frozen=True)
class TextLayer:
    """Anything drawn with the card painter (type, logo, rules) inside `rect`."""

    rect: QRectF  # covers everything `paint` draws, in design pixels
    paint: Callable[[Canvas], None]
    motion: Motion | None = None  # None: part of the card from the first frame


@dataclass(frozen=True)
class PictureLayer:
    """A film still cover-cropped into a rounded 16:9 frame with a thin border."""

    frame: QRectF
    still: Path | None  # None (or unreadable): a placeholder with the festival's mark
    motion: Motion | None = None  # fade and rise
    zoom: Motion | None = None  # a slow zoom out inside the frame (`zoom.zoom` at the start)
    sweep: Motion | None = None  # a soft light passing over the picture
    radius: float = 12.0
    border: QColor = field(default_factory=lambda: QColor(STILL_BORDER))
    border_width: float = 1.5


@dataclass(frozen=True)
class LineLayer:
    """A thin amber line that draws itself outwards from its centre."""

    centre_x: float
    y: float
    width: float
    motion: Motion | None = None
    colour: QColor = field(default_factory=lambda: QColor(StageColours.amber_dim))
    thickness: float = 2.0


Layer = TextLayer | PictureLayer | LineLayer


@dataclass(frozen=True)
class CardLayout:
    """Everything on one card, bottom to top, and whether the card fades up from black."""

    layers: tuple[Layer, ...]
    from_black: Motion | None = None


# --- geometry -----------------------------------------------------------------------------


def device_rect(transform: QTransform, rect: QRectF) -> QRect:
    """The whole device pixels `rect` (design units) covers under `transform`."""
    mapped = transform.mapRect(rect)
    left, top = round(mapped.left()), round(mapped.top())
    right, bottom = round(mapped.right()), round(mapped.bottom())
    return QRect(QPoint(left, top), QSize(max(1, right - left), max(1, bottom - top)))


def bounding_device_rect(transform: QTransform, rect: QRectF, bounds: QRect) -> QRect:
    """`rect` mapped to the device, grown to whole pixels and kept inside `bounds`."""
    mapped = transform.mapRect(rect)
    left, top = math.floor(mapped.left()), math.floor(mapped.top())
    right, bottom = math.ceil(mapped.right()), math.ceil(mapped.bottom())
    return QRect(QPoint(left, top), QSize(right - left, bottom - top)).intersected(bounds)


# --- pictures -----------------------------------------------------------------------------


def load_still(path: Path | None) -> QImage | None:
    """The still's pixels, or None (no still, or a file Qt cannot read)."""
    if path is None:
        return None
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        # the path names the film: keep it out of the log (the winner is secret until shown)
        log.warning("a still could not be read (%s); showing a placeholder", reader.errorString())
        return None
    return image


def without_black_bars(image: QImage) -> QImage:
    """`image` with letterbox or pillarbox bars cut off (rows and columns that are all black)."""
    width, height = image.width(), image.height()
    if width < 16 or height < 16:
        return image
    small = image.convertToFormat(QImage.Format.Format_RGB32)

    def dark_row(y: int) -> bool:
        return all(
            QColor(small.pixel(x, y)).lightness() <= BAR_LIGHTNESS
            for x in range(0, width, max(1, width // 48))
        )

    def dark_column(x: int) -> bool:
        return all(
            QColor(small.pixel(x, y)).lightness() <= BAR_LIGHTNESS
            for y in range(0, height, max(1, height // 48))
        )

    top = next((y for y in range(height // 3) if not dark_row(y)), 0)
    bottom = next(
        (y for y in range(height - 1, height * 2 // 3, -1) if not dark_row(y)), height - 1
    )
    left = next((x for x in range(width // 3) if not dark_column(x)), 0)
    right = next((x for x in range(width - 1, width * 2 // 3, -1) if not dark_column(x)), width - 1)
    if (top, bottom, left, right) == (0, height - 1, 0, width - 1):
        return image
    return image.copy(QRect(QPoint(left, top), QPoint(right, bottom)))


def cover(image: QImage, size: QSize) -> QImage:
    """`image` scaled to fill `size` (kept in proportion, the overflow cut off evenly)."""
    scaled = image.scaled(
        size,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    left = (scaled.width() - size.width()) // 2
    top = (scaled.height() - size.height()) // 2
    cropped = scaled.copy(QRect(QPoint(left, top), size))
    return cropped.convertToFormat(QImage.Format.Format_RGB32)


def placeholder(size: QSize, logo: QSvgRenderer | None) -> QImage:
    """A dark amber-lit panel with the festival's mark: shown when a film has no still."""
    image = QImage(size, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing)
    width, height = size.width(), size.height()
    vertical = QLinearGradient(0, 0, 0, height)
    vertical.setColorAt(0, PLACEHOLDER_TOP)
    vertical.setColorAt(1, PLACEHOLDER_BOTTOM)
    painter.fillRect(image.rect(), vertical)
    glow = QRadialGradient(QPointF(width / 2, height * 0.45), max(width, height) * 0.6)
    glow.setColorAt(0, QColor(242, 179, 61, 40))
    glow.setColorAt(1, QColor(0, 0, 0, 0))
    painter.fillRect(image.rect(), glow)
    if logo is not None:
        logo_size = logo.defaultSize()
        mark_h = height * 0.26
        mark_w = mark_h * logo_size.width() / max(1, logo_size.height())
        painter.setOpacity(0.32)
        logo.render(painter, QRectF((width - mark_w) / 2, (height - mark_h) / 2, mark_w, mark_h))
    painter.end()
    return image


def picture(still: Path | None, size: QSize, logo: QSvgRenderer | None) -> QImage:
    """The still cover-cropped to `size` device pixels, or the placeholder."""
    source = load_still(still)
    if source is None:
        return placeholder(size, logo)
    return cover(without_black_bars(source), size)


def rounded(image: QImage, radius: float) -> QImage:
    """`image` with its corners rounded off (transparent, antialiased)."""
    out = QImage(image.size(), QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(image))
    painter.drawRoundedRect(QRectF(out.rect()), radius, radius)
    painter.end()
    return out


def draw_border(painter: QPainter, layer: PictureLayer, dy: float = 0.0) -> None:
    """The frame's thin border (design units; `dy` moves it down)."""
    painter.save()
    pen = QPen(layer.border, layer.border_width)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(layer.frame.translated(0, dy), layer.radius, layer.radius)
    painter.restore()


def draw_line(painter: QPainter, layer: LineLayer, drawn: float) -> None:
    """The line, `drawn` (0 to 1) of its full width, centred (design units)."""
    if drawn <= 0:
        return
    half = layer.width * drawn / 2
    painter.save()
    pen = QPen(layer.colour, layer.thickness)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.drawLine(
        QPointF(layer.centre_x - half, layer.y), QPointF(layer.centre_x + half, layer.y)
    )
    painter.restore()


# --- at rest ------------------------------------------------------------------------------


def render_text_layer(
    layer: TextLayer,
    transform: QTransform,
    bounds: QRect,
    logo: QSvgRenderer | None,
) -> tuple[QImage, QRect, Canvas]:
    """A moving text layer rendered on its own (transparent) image, and where it goes.

    Type drawn on a transparent image is antialiased a shade differently from type drawn
    straight onto the card, so a moving layer is always drawn through its image, at rest
    too: the entrance's last frame and the card at rest are then the same pixels.
    """
    at = bounding_device_rect(transform, layer.rect, bounds)
    image = QImage(at.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setTransform(transform * QTransform.fromTranslate(-at.left(), -at.top()))
    painter.setRenderHints(RENDER_HINTS)
    card_painter = Canvas(painter, logo)
    layer.paint(card_painter)
    painter.end()
    return image, at, card_painter


def paint_layer(cp: Canvas, layer: Layer) -> None:
    """Draw one layer as it is once the card has fully entered (painter in design units)."""
    match layer:
        case TextLayer() if layer.motion is not None:
            painter = cp.painter
            device = painter.device()
            bounds = QRect(0, 0, device.width(), device.height())
            image, at, drawn = render_text_layer(
                layer, painter.combinedTransform(), bounds, cp.logo_renderer
            )
            painter.save()
            painter.resetTransform()
            painter.drawImage(at.topLeft(), image)
            painter.restore()
            cp.type.drawn += drawn.type.drawn
            cp.type.texts += drawn.type.texts
        case TextLayer():
            layer.paint(cp)
        case PictureLayer():
            paint_picture(cp, layer)
        case LineLayer():
            draw_line(cp.painter, layer, 1.0)
            cp.type.mark(
                QRectF(layer.centre_x - layer.width / 2, layer.y - 1, layer.width, layer.thickness)
            )


def paint_picture(cp: Canvas, layer: PictureLayer) -> None:
    """The still at rest: drawn pixel for pixel in its frame, then the border."""
    painter = cp.painter
    transform = painter.combinedTransform()
    target = device_rect(transform, layer.frame)
    image = rounded(
        picture(layer.still, target.size(), cp.logo_renderer), layer.radius * transform.m11()
    )
    painter.save()
    painter.resetTransform()
    painter.drawImage(target.topLeft(), image)
    painter.restore()
    draw_border(painter, layer)
    cp.type.mark(layer.frame)


def paint_layout(cp: Canvas, layout: CardLayout) -> None:
    """Draw every layer of a card at rest."""
    for layer in layout.layers:
        paint_layer(cp, layer)
