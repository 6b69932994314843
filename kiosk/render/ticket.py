"""One ticket's layout and painting, shared by the PNG and the PDF renderers.

The ticket is laid out on a 720 x 1080 canvas (2:3, portrait: a phone screen, or 90 x 135 mm on
paper) and painted with QPainter into whatever rectangle the caller gives, so a PNG and a
printed page come from the same code. White background and black QR modules, so it prints on
any office printer and scans in a dark hall from a phone at full brightness.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from kiosk.render.fonts import font_families
from kiosk.render.qr import QrMatrix, qr_matrix

TICKET_WIDTH = 720
TICKET_HEIGHT = 1080
"""The layout canvas, in layout units (one PNG pixel at the default PNG size)."""

_MARGIN = 48
_QR_MODULE_UNITS = 16  # version 2 with its quiet zone: 33 modules = 528 units
_INK = QColor("#111318")
_MUTED = QColor("#5b6170")
_ACCENT = QColor("#f2b33d")  # the festival amber of the console theme
_ACCENT_DARK = QColor("#8a5a00")
_BAND = QColor(
    "#fdf0d2"
)  # a pale amber band behind the vote code  # amber dark enough for text on white paper
_RULE = QColor("#d5d8de")
# every colour a ticket is painted in, for a PNG palette that keeps them exact
PAPER_COLOURS = (QColor(Qt.GlobalColor.white), _BAND)
INK_COLOURS = (_INK, _MUTED, _ACCENT, _ACCENT_DARK, QColor(Qt.GlobalColor.black), _RULE)
_MONOSPACE = ("DejaVu Sans Mono", "Noto Sans Mono", "Liberation Mono", "Monospace")


@dataclass(frozen=True)
class TicketContent:
    """Everything printed on one ticket (the event's facts and one attendee)."""

    event_name_en: str
    event_name_zh: str
    date_line: str
    time_line: str
    venue_en: str
    venue_zh: str
    attendee_name: str
    attendee_name_latin: str | None
    code: str
    vote_code: str | None = None  # the Viewer's Award vote code, e.g. "7QK3-M9T2"


@lru_cache(maxsize=1)
def _families() -> tuple[str, ...]:
    return tuple(font_families())


@lru_cache(maxsize=64)
def _font(pixel_size: int, *, bold: bool = False, monospace: bool = False) -> QFont:
    """A font for ticket text (cached: never modify the returned font)."""
    font = QFont()
    font.setFamilies([*_MONOSPACE, *_families()] if monospace else list(_families()))
    font.setPixelSize(max(1, pixel_size))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


@lru_cache(maxsize=4096)
def _fitting_font(text: str, width: float, largest: int, smallest: int, *, bold: bool) -> QFont:
    """The largest font (down to `smallest`) at which `text` fits on one line of `width`."""
    size = largest
    font = _font(size, bold=bold)
    while size > smallest and QFontMetricsF(font).horizontalAdvance(text) > width:
        size -= 2
        font = _font(size, bold=bold)
    return font


class TicketPainter:
    """Paints tickets; fonts are built once per painter (they are the slow part)."""

    def __init__(self) -> None:
        self._event_en = _font(34, bold=True)
        self._event_zh = _font(32, bold=True)
        self._facts = _font(21)
        self._label = _font(19)
        self._latin = _font(26)
        self._code = _font(31, bold=True, monospace=True)
        self._footer = _font(18)
        self._vote_code = _font(26, bold=True, monospace=True)

    def paint(
        self, painter: QPainter, target: QRectF, ticket: TicketContent, matrix: QrMatrix | None
    ) -> None:
        """Draw `ticket` scaled into `target` (same 2:3 shape as the canvas)."""
        matrix = matrix or qr_matrix(ticket.code)
        painter.save()
        painter.translate(target.topLeft())
        painter.scale(target.width() / TICKET_WIDTH, target.height() / TICKET_HEIGHT)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.fillRect(QRectF(0, 0, TICKET_WIDTH, TICKET_HEIGHT), Qt.GlobalColor.white)
        painter.fillRect(QRectF(0, 0, TICKET_WIDTH, 14), _ACCENT)
        self._paint_event(painter, ticket)
        self._paint_attendee(painter, ticket)
        self._paint_qr(painter, matrix)
        self._paint_code_and_footer(painter, ticket)
        painter.restore()

    def _text(
        self,
        painter: QPainter,
        font: QFont,
        colour: QColor,
        top: float,
        height: float,
        text: str,
        flags: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        painter.setFont(font)
        painter.setPen(colour)
        inner = QRectF(_MARGIN, top, TICKET_WIDTH - 2 * _MARGIN, height)
        painter.drawText(inner, int(flags | Qt.AlignmentFlag.AlignVCenter), text)

    def _paint_event(self, painter: QPainter, ticket: TicketContent) -> None:
        width = TICKET_WIDTH - 2 * _MARGIN
        en = _fitting_font(ticket.event_name_en, width, 34, 22, bold=True)
        zh = _fitting_font(ticket.event_name_zh, width, 32, 22, bold=True)
        self._text(painter, en, _INK, 38, 46, ticket.event_name_en)
        self._text(painter, zh, _ACCENT_DARK, 86, 44, ticket.event_name_zh)
        for top, line in ((136, ticket.date_line), (164, ticket.time_line)):
            self._text(painter, _fitting_font(line, width, 21, 14, bold=False), _INK, top, 28, line)
        venue = f"{ticket.venue_en} · {ticket.venue_zh}"
        self._text(painter, _fitting_font(venue, width, 21, 14, bold=False), _MUTED, 192, 28, venue)
        painter.setPen(QPen(_RULE, 2))
        painter.drawLine(QPointF(_MARGIN, 234), QPointF(TICKET_WIDTH - _MARGIN, 234))

    def _paint_attendee(self, painter: QPainter, ticket: TicketContent) -> None:
        width = TICKET_WIDTH - 2 * _MARGIN
        self._text(painter, self._label, _MUTED, 244, 28, "ADMIT ONE · 憑票入場一位")
        name = ticket.attendee_name
        font = _fitting_font(name, width, 46, 24, bold=True)
        if QFontMetricsF(font).horizontalAdvance(name) > width:
            # Still too long at the smallest size: two lines, never cut off.
            painter.setFont(font)
            painter.setPen(_INK)
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(
                QRectF(_MARGIN, 270, width, 66), int(flags) | Qt.TextFlag.TextWordWrap, name
            )
        else:
            self._text(painter, font, _INK, 272, 60, name)
        if ticket.attendee_name_latin:
            latin = ticket.attendee_name_latin
            self._text(
                painter, _fitting_font(latin, width, 26, 16, bold=False), _MUTED, 334, 34, latin
            )

    def _paint_qr(self, painter: QPainter, matrix: QrMatrix) -> None:
        module = _QR_MODULE_UNITS * 33 / matrix.size  # keep the symbol 528 units wide
        side = module * matrix.size
        left = (TICKET_WIDTH - side) / 2
        top = 372.0
        painter.fillRect(QRectF(left, top, side, side), Qt.GlobalColor.white)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(Qt.GlobalColor.black))
        painter.drawRects(
            [
                QRectF(left + column * module, top + row * module, length * module, module)
                for row, column, length in matrix.dark_runs()
            ]
        )
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_code_and_footer(self, painter: QPainter, ticket: TicketContent) -> None:
        centre = Qt.AlignmentFlag.AlignHCenter
        self._text(painter, self._code, _INK, 906, 44, ticket.code, centre)
        self._text(
            painter,
            self._footer,
            _MUTED,
            956,
            28,
            "Show this QR code at the door · 入場時請出示此二維碼",
            centre,
        )
        # (what an usher does when a code will not scan is the usher's business, not printed
        # on the attendee's ticket)
        if ticket.vote_code:
            self._paint_vote_code(painter, ticket.vote_code)
        painter.fillRect(QRectF(0, TICKET_HEIGHT - 14, TICKET_WIDTH, 14), _ACCENT)

    def _paint_vote_code(self, painter: QPainter, code: str) -> None:
        """The Viewer's Award vote code on an amber band: label left, code right, centred."""
        label = "Viewer's Award vote code · 觀眾票選投票碼"
        label_width = QFontMetricsF(self._footer).horizontalAdvance(label)
        code_width = QFontMetricsF(self._vote_code).horizontalAdvance(code)
        gap = 18.0
        left = (TICKET_WIDTH - label_width - gap - code_width) / 2
        top, height = 1018.0, 40.0
        painter.fillRect(QRectF(_MARGIN, top, TICKET_WIDTH - 2 * _MARGIN, height), _BAND)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        painter.setFont(self._footer)
        painter.setPen(_INK)
        painter.drawText(QRectF(left, top, label_width + 1, height), flags, label)
        painter.setFont(self._vote_code)
        painter.drawText(QRectF(left + label_width + gap, top, code_width + 1, height), flags, code)


def ensure_gui_application() -> None:
    """Make sure a Qt application exists (fonts need one); headless when we create it.

    A QApplication rather than a bare QGuiApplication, so that windows opened later in the same
    process (the console, tests) can still be created.
    """
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if QGuiApplication.instance() is None:
        QApplication(["aiff-kiosk-tickets", "-platform", "offscreen"])
