"""Paint the report layout's chart primitives with QPainter: on a PDF page or in a widget.

Coordinates are millimetres; `unit` says how many device units one millimetre is, so the same
shapes land on a 720-dpi PDF page and on a screen. `colours` maps the print palette to another
(the console's dark theme) without touching the layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF

from kiosk.render.fonts import font_families
from kiosk.render.report_layout import Line, Marker, Rect, Shape, Text

POINT_MM = 25.4 / 72


def chart_font(points: float, unit: float, *, bold: bool = False) -> QFont:
    """A bilingual font `points` tall at `unit` device units per millimetre."""
    font = QFont()
    font.setFamilies(font_families())
    font.setPixelSize(max(1, round(points * POINT_MM * unit)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def paint_shapes(
    painter: QPainter,
    shapes: Iterable[Shape],
    unit: float,
    colours: Mapping[str, str] | None = None,
) -> None:
    """Paint every primitive in order (later ones on top)."""
    remap = colours or {}

    def colour(name: str) -> QColor:
        return QColor(remap.get(name, name))

    for shape in shapes:
        match shape:
            case Rect():
                rect = QRectF(shape.x * unit, shape.y * unit, shape.w * unit, shape.h * unit)
                painter.setOpacity(shape.opacity)
                stroke = shape.stroke
                painter.setPen(
                    QPen(colour(stroke), max(1.0, 0.25 * unit)) if stroke else Qt.PenStyle.NoPen
                )
                fill = shape.fill
                painter.setBrush(QBrush(colour(fill)) if fill else Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
                painter.setOpacity(1.0)
            case Line():
                pen = QPen(colour(shape.colour), max(1.0, shape.width * unit))
                if shape.dashed:
                    pen.setStyle(Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.drawLine(
                    QPointF(shape.x1 * unit, shape.y1 * unit),
                    QPointF(shape.x2 * unit, shape.y2 * unit),
                )
            case Text():
                font = chart_font(shape.size, unit, bold=shape.bold)
                painter.setFont(font)
                painter.setPen(colour(shape.colour))
                advance = QFontMetricsF(font).horizontalAdvance(shape.text)
                x = shape.x * unit
                if shape.anchor == "middle":
                    x -= advance / 2
                elif shape.anchor == "end":
                    x -= advance
                painter.drawText(QPointF(x, shape.y * unit), shape.text)
            case Marker():
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QBrush(colour(shape.colour)))
                points = [QPointF(x * unit, y * unit) for x, y in shape.points()]
                painter.drawPolygon(QPolygonF(points))
