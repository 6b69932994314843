"""Tickets as PNG images, sized for an e-mail attachment and a phone screen (720 x 1080)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QImage, QImageWriter, QPainter, qRgb

from kiosk.render.qr import QrMatrix
from kiosk.render.ticket import (
    INK_COLOURS,
    PAPER_COLOURS,
    TICKET_HEIGHT,
    TICKET_WIDTH,
    TicketContent,
    TicketPainter,
)

PNG_SCALE = 1.0
"""PNG pixels per layout unit: 720 x 1080, sharp on a phone, small enough to e-mail."""
# A 256-colour palette holds a white ticket with anti-aliased text; it makes the file a third
# of the size and saving five times faster than 24-bit (measured: ~35 KB, ~2.5 ms per ticket).
_PALETTE_CONVERSION = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
_BLEND_STEPS = 20  # anti-aliased edges: each ink over each paper in this many shades
_PNG_QUALITY = 80  # Qt maps this to zlib's fast levels; the palette image compresses well anyway


@cache
def ticket_palette() -> list[int]:
    """The ticket's own colours and their blends (Qt's default table is a web-safe cube, which
    turned the gold band and the cream vote-code band into other colours)."""
    table: list[int] = []
    for paper in PAPER_COLOURS:
        for ink in INK_COLOURS:
            for step in range(_BLEND_STEPS + 1):
                t = step / _BLEND_STEPS
                rgb = qRgb(
                    round(paper.red() + (ink.red() - paper.red()) * t),
                    round(paper.green() + (ink.green() - paper.green()) * t),
                    round(paper.blue() + (ink.blue() - paper.blue()) * t),
                )
                if rgb not in table:
                    table.append(rgb)
    assert len(table) <= 256, len(table)
    return table


def ticket_image(
    painter: TicketPainter, ticket: TicketContent, matrix: QrMatrix | None = None
) -> QImage:
    """Paint one ticket into a new image."""
    width, height = round(TICKET_WIDTH * PNG_SCALE), round(TICKET_HEIGHT * PNG_SCALE)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    qpainter = QPainter(image)
    try:
        painter.paint(qpainter, QRectF(0, 0, width, height), ticket, matrix)
    finally:
        qpainter.end()
    return image


def write_ticket_png(
    painter: TicketPainter, ticket: TicketContent, path: Path, matrix: QrMatrix | None = None
) -> Path:
    """Paint one ticket and save it as a PNG at `path` (written whole, then renamed)."""
    image = ticket_image(painter, ticket, matrix).convertToFormat(
        QImage.Format.Format_Indexed8, ticket_palette(), _PALETTE_CONVERSION
    )
    partial = path.with_name(path.name + ".part")
    writer = QImageWriter(str(partial), QByteArray(b"png"))
    writer.setQuality(_PNG_QUALITY)
    if not writer.write(image):
        raise OSError(f"could not write {path}: {writer.errorString()}")
    partial.replace(path)
    return path
