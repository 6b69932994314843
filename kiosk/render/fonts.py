"""Fonts for anything the app draws with Chinese in it: screens, tickets, projector cards.

Rendering (tickets, cards) and the windows share these, so they live with the renderers and
the UI theme imports them (never the other way round).
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

# Noto Sans CJK TC draws Hong Kong/Taiwan glyph forms; the others are fallbacks.
CJK_FAMILIES = (
    "Noto Sans CJK TC",
    "Noto Sans CJK HK",
    "Noto Sans TC",
    "PingFang TC",
    "Microsoft JhengHei",
    "Source Han Sans TC",
)
LATIN_FAMILIES = ("Noto Sans", "Inter", "Segoe UI", "DejaVu Sans")


def font_families() -> list[str]:
    """Installed families to use, Latin first so Latin text keeps its shapes, CJK as fallback."""
    installed = set(QFontDatabase.families())
    latin = [f for f in LATIN_FAMILIES if f in installed][:1]
    cjk = [f for f in CJK_FAMILIES if f in installed][:1]
    return latin + cjk or ["Sans Serif"]
