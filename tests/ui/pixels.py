"""Compare what two pictures of a screen show."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPainter

GREY_THRESHOLDS = (2, 4, 24, 48)  # the levels `count_above` counts above
_ABOVE = {t: bytes(0 if v <= t else 1 for v in range(256)) for t in GREY_THRESHOLDS}


def changed_pixels(
    a: QImage, b: QImage, area: QRect | None = None, step: int = 2
) -> list[tuple[int, int]]:
    """Pixels (sampled every `step`) that differ clearly between two images of one size."""
    area = area or a.rect()
    found = []
    for y in range(area.top(), area.bottom() + 1, step):
        for x in range(area.left(), area.right() + 1, step):
            one, two = a.pixelColor(x, y), b.pixelColor(x, y)
            if abs(one.lightness() - two.lightness()) > 24 or (
                abs(one.hue() - two.hue()) > 40 and (one.saturation() > 60)
            ):
                found.append((x, y))
    return found


def difference(a: QImage, b: QImage) -> QImage:
    """|a - b| per pixel as grey levels."""
    out = a.convertToFormat(QImage.Format.Format_RGB32)
    painter = QPainter(out)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Difference)
    painter.drawImage(0, 0, b)
    painter.end()
    return out.convertToFormat(QImage.Format.Format_Grayscale8)


def count_above(grey: QImage, threshold: int, area: QRect | None = None) -> int:
    """How many pixels of `grey` (in `area`) are above `threshold`."""
    area = (area or grey.rect()).intersected(grey.rect())
    if area.isEmpty():
        return 0
    data = bytes(grey.constBits())
    line = grey.bytesPerLine()
    table = _ABOVE[threshold]
    total = 0
    for y in range(area.top(), area.bottom() + 1):
        start = y * line + area.left()
        total += data[start : start + area.width()].translate(table).count(1)
    return total


def misplaced_pixels(a: QImage, b: QImage) -> int:
    """Pixels more than 48 grey levels apart in two drawings of one card: a layer one pixel off
    makes hundreds to thousands of them, while the hair by which Qt's FreeType engine may draw
    the same large type apart (37 grey levels at most on a few thousand edge pixels, depending
    on what the same font file drew before: docs/dev/testing.md, "The reveal card whose last
    frame moved") makes none."""
    return count_above(difference(a, b), 48)


def brightness(image: QImage) -> int:
    """The image's grey levels added up: a layer short of full opacity, or a fade not quite
    done, changes it by tens of thousands on a 1920x1080 card (a line at 99 %: 88,678), the
    hair large type may move between two drawings by about 50."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    line = grey.bytesPerLine()
    data = bytes(grey.constBits())
    return sum(sum(data[y * line : y * line + grey.width()]) for y in range(grey.height()))
