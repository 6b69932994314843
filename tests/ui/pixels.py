"""Compare what two pictures of a screen show."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage


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
