"""Look and feel: dark for a dark hall, fonts that render Traditional Chinese properly."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.render.fonts import CJK_FAMILIES, LATIN_FAMILIES, font_families

__all__ = [
    "CJK_FAMILIES",
    "LATIN_FAMILIES",
    "Colours",
    "apply_theme",
    "font_families",
    "text_label",
    "ui_font",
]


class Colours:
    """The palette: low glare for the operator in a dark hall, unmistakable status colours."""

    background = QColor("#15171c")
    panel = QColor("#1e2128")
    raised = QColor("#272b34")
    text = QColor("#e8e8ea")
    muted = QColor("#9aa0ab")
    accent = QColor("#f2b33d")  # festival amber
    ok = QColor("#3fb950")
    warn = QColor("#e3a008")
    bad = QColor("#f85149")
    selection = QColor("#3a4a66")


def ui_font(point_size: float = 10, *, bold: bool = False) -> QFont:
    """A font for any text that may contain Chinese."""
    font = QFont()
    font.setFamilies(font_families())
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def apply_theme(app: QApplication) -> None:
    """Dark Fusion palette and the bilingual default font for the whole application."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: Colours.background,
        QPalette.ColorRole.WindowText: Colours.text,
        QPalette.ColorRole.Base: Colours.panel,
        QPalette.ColorRole.AlternateBase: Colours.raised,
        QPalette.ColorRole.Text: Colours.text,
        QPalette.ColorRole.Button: Colours.raised,
        QPalette.ColorRole.ButtonText: Colours.text,
        QPalette.ColorRole.Highlight: Colours.selection,
        QPalette.ColorRole.HighlightedText: Colours.text,
        QPalette.ColorRole.ToolTipBase: Colours.raised,
        QPalette.ColorRole.ToolTipText: Colours.text,
        QPalette.ColorRole.PlaceholderText: Colours.muted,
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, Colours.muted)
    app.setPalette(palette)
    app.setFont(ui_font(10))


def set_style(widget: QWidget, style_sheet: str) -> None:
    """Give `widget` this style sheet unless it has it already: every `setStyleSheet` polishes
    the widget again (about 2 ms on the console), and panels refreshed ten times a second set
    the same colours again and again on the show's thread."""
    if widget.styleSheet() != style_sheet:
        widget.setStyleSheet(style_sheet)


def text_label(
    text: str = "", size: float = 10, *, bold: bool = False, colour: str = "", rich: bool = False
) -> QLabel:
    """A label in the bilingual UI font, optionally bold and coloured.

    Plain text unless ``rich``: names, titles and file names are data, never markup (a name
    like ``<img width=2000>`` must show as those characters). A ``rich`` label's caller
    escapes every piece of data it puts in (``html.escape``).
    """
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setFont(ui_font(size, bold=bold))
    if colour:
        label.setStyleSheet(f"color: {colour};")
    return label
