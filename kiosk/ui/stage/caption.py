"""Boxed subtitles over the film: an opaque native strip, so it shows above libvlc's window.

X11 cannot blend a Qt widget over the native window libvlc draws into (no alpha between sibling
windows without a compositor), so the caption is an opaque black box sized to its text, like
broadcast closed captions, in the Traditional Chinese font.

Sized like a cinema's subtitles, from the picture height, never from the text: every line is
set at `TEXT_HEIGHT` (4.5%) of the stage height whatever the cue holds (a two-line cue is as
large as a one-line cue), and a line wider than `MAX_WIDTH` (80%) of the stage is wrapped, at a
space between words or between two CJK characters (never before a closing mark such as 。or 」
nor after an opening one such as 「), never shrunk. The box's foot sits 8% above the bottom edge
(inside the 5% safe margin).

The caption fades with the picture: `set_level` dims its text as libvlc fades the film up from
black, so a subtitle never shines at full white over a picture that is still dark.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from kiosk.render.fonts import font_families

TEXT_HEIGHT = 0.045  # each line's font size, as a share of the stage height (never less)
MAX_WIDTH = 0.8  # of the stage width
FOOT = 0.92  # where the box ends, from the top, as a share of the stage height
MIN_PIXELS = 12

# No line starts with these (closing marks) or ends with those (opening marks): kinsoku.
NO_BREAK_BEFORE = set("，。、！？：；」』）》〉】〕…—‧·,.!?:;)]}%’”")
NO_BREAK_AFTER = set("「『（《〈【〔([{‘“")


def is_cjk(char: str) -> bool:
    """A character a CJK line may break before or after (Han, kana, hangul, fullwidth)."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def break_units(line: str) -> list[str]:
    """Split a line into the pieces a wrap may not cut: words (with the space after them), CJK
    characters, with closing marks kept on the piece before and opening marks on the next."""
    units: list[str] = []
    word = ""
    for char in line:
        if is_cjk(char) or char in NO_BREAK_BEFORE or char in NO_BREAK_AFTER:
            if word:
                units.append(word)
                word = ""
            units.append(char)
        elif char == " ":
            word += char
            units.append(word)
            word = ""
        else:
            word += char
    if word:
        units.append(word)
    glued: list[str] = []
    for unit in units:
        if glued and (unit[0] in NO_BREAK_BEFORE or glued[-1][-1] in NO_BREAK_AFTER):
            glued[-1] += unit
        else:
            glued.append(unit)
    return glued


def wrap_lines(text: str, width_of: Callable[[str], float], max_width: float) -> list[str]:
    """The cue's lines, each wrapped to `max_width` (measured by `width_of`) at word or CJK
    boundaries; a single unbreakable word wider than the limit is cut by characters."""
    out: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        current = ""
        for unit in break_units(line):
            candidate = current + unit
            if not current or width_of(candidate.rstrip()) <= max_width:
                current = candidate
                continue
            out.append(current.rstrip())
            current = unit.lstrip()
            while width_of(current.rstrip()) > max_width and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and width_of(current[:cut]) > max_width:
                    cut -= 1
                out.append(current[:cut])
                current = current[cut:]
        if current.strip():
            out.append(current.rstrip())
    return out


def caption_pixels(stage: QSize) -> int:
    """The subtitle font size in pixels for a stage: `TEXT_HEIGHT` of its height."""
    return max(MIN_PIXELS, round(stage.height() * TEXT_HEIGHT))


class CaptionBox(QWidget):
    """One subtitle in white on an opaque black box, at cinema size, wrapped, never shrunk."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("caption")
        self.text = ""
        self.lines: list[str] = []
        self.level = 1.0  # 0: the text is black (the picture is black), 1: full white
        self._font = QFont()
        self._line_height = 0.0

    def set_text(self, text: str, stage: QSize) -> None:
        """Lay out `text` for a stage of this size and place the box."""
        self.text = text
        pixels = caption_pixels(stage)
        font = QFont()
        font.setFamilies(font_families())
        font.setPixelSize(pixels)
        metrics = QFontMetricsF(font)
        self.lines = wrap_lines(text, metrics.horizontalAdvance, stage.width() * MAX_WIDTH)
        self._font = font
        self._line_height = metrics.lineSpacing()
        widest = max((metrics.horizontalAdvance(line) for line in self.lines), default=0.0)
        pad_x, pad_y = pixels * 0.6, pixels * 0.25
        width = min(stage.width() * 0.9, widest + 2 * pad_x)
        height = self._line_height * max(1, len(self.lines)) + 2 * pad_y
        foot = stage.height() * FOOT
        height = min(height, foot - stage.height() * 0.05)  # an absurdly long cue: cut, not shrunk
        self.setGeometry(
            QRect(
                round((stage.width() - width) / 2),
                round(foot - height),
                round(width),
                round(height),
            )
        )
        self.update()

    def set_level(self, level: float) -> None:
        """Dim the text with the picture (0 black .. 1 full white)."""
        level = max(0.0, min(1.0, level))
        if abs(level - self.level) > 1e-3:
            self.level = level
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """White text (dimmed with the picture) on black, one laid-out line at a time."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(self._font)
        grey = round(255 * self.level)
        painter.setPen(QColor(grey, grey, grey))
        top = (self.height() - self._line_height * len(self.lines)) / 2
        for number, line in enumerate(self.lines):
            row = QRectF(0, top + number * self._line_height, self.width(), self._line_height)
            painter.drawText(row, int(Qt.AlignmentFlag.AlignCenter), line)
        painter.end()
