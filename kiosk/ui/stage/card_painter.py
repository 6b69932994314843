"""Paints each card on the 1920x1080 design canvas (the caller scales it to the screen).

Every text box lies inside the 5% safe margin, and `Typesetter` shrinks text to its box, so
nothing can spill off the picture however long a title is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from kiosk.core.programme import format_duration
from kiosk.render.cards import (
    BlackCard,
    Card,
    DifficultiesCard,
    EndCard,
    HoldingCard,
    IntermissionCard,
    TitleCard,
    scheduled_start,
)
from kiosk.render.reveal_cards import REVEAL_CARD_TYPES
from kiosk.render.vote_card import VoteCard
from kiosk.ui.stage.canvas import Canvas
from kiosk.ui.stage.reveal_painter import paint_reveal_card
from kiosk.ui.stage.typesetting import (
    DESIGN_HEIGHT,
    DESIGN_WIDTH,
    SAFE_RECT,
    StageColours,
    stage_font,
)
from kiosk.ui.stage.vote_painter import paint_vote_card

COUNTDOWN_LIMIT_S = 6 * 3600  # further from the start than this, the holding card shows a clock
_CENTER = Qt.AlignmentFlag.AlignCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_WEEKDAYS_ZH = "一二三四五六日"


def date_en(day: dt.date) -> str:
    """`Saturday 5 December 2026`."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def date_zh(day: dt.date) -> str:
    """`2026年12月5日（星期六）`."""
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS_ZH[day.weekday()]}）"


def clock_text(seconds: float) -> str:
    """A countdown: `m:ss`, or `h:mm:ss` above an hour."""
    return format_duration(seconds)


_MESSAGE_LINE_GAP = 6  # design pixels between the lines under a message card's rule


@dataclass(frozen=True)
class MessageLine:
    """One line under a message card's rule: text, font size and colour (design pixels)."""

    text: str
    size: int
    colour: QColor
    height: float = 60


class CardPainter(Canvas):
    """Draws one card; construct per paint with the painter already scaled to design units."""

    # --- the cards -----------------------------------------------------------------------

    def paint(self, card: Card, width: float, height: float) -> QRectF:
        """Draw `card` filling a `width`x`height` surface; returns the content's bounds there."""
        if isinstance(card, BlackCard):
            self.painter.fillRect(QRectF(0, 0, width, height), Qt.GlobalColor.black)
            return QRectF()
        self.background(width, height)
        scale, offset = design_transform_rect(width, height)
        self.painter.save()
        self.painter.translate(offset)
        self.painter.scale(scale, scale)
        self.painter.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        match card:
            case HoldingCard():
                self.holding(card)
            case TitleCard():
                self.title(card)
            case IntermissionCard():
                self.intermission(card)
            case EndCard():
                self.end(card)
            case VoteCard():
                paint_vote_card(self, card)
            case DifficultiesCard():
                self.difficulties(card)
            case _ if isinstance(card, REVEAL_CARD_TYPES):
                paint_reveal_card(self, card)
        self.painter.restore()
        bounds = self.type.content_bounds()
        return QRectF(
            offset.x() + bounds.x() * scale,
            offset.y() + bounds.y() * scale,
            bounds.width() * scale,
            bounds.height() * scale,
        )

    def holding(self, card: HoldingCard) -> None:
        """Branding, the event in two languages, venue, date, then a countdown or a clock."""
        event = card.event
        centre_x = DESIGN_WIDTH / 2
        self.logo(QPointF(centre_x, 170), 120)
        self.festival_line(250)
        self.type.text(
            self.band(330, 120), event.name_zh, stage_font(96, serif=True), StageColours.text
        )
        self.type.text(
            self.band(450, 80), event.name_en, stage_font(60, serif=True), StageColours.soft
        )
        self.rule(centre_x, 560, 240)
        self.type.text(
            self.band(590, 56),
            f"{event.venue_zh}  ·  {event.venue_en}",
            stage_font(38),
            StageColours.soft,
        )
        self.type.text(
            self.band(648, 56),
            f"{date_zh(event.date)}  ·  {date_en(event.date)}",
            stage_font(34),
            StageColours.muted,
        )
        now = card.now()
        to_start = card.seconds_to_start()
        if 0 < to_start <= COUNTDOWN_LIMIT_S:
            label = "放映即將開始  ·  The screening begins in"
            big = clock_text(to_start)
            colour = StageColours.amber
        else:
            start = scheduled_start(event).strftime("%H:%M")
            label = (
                "請就座，放映即將開始  ·  Please take your seats"
                if to_start <= 0
                else f"放映時間 {start}  ·  Screening at {start}"
            )
            big = now.strftime("%H:%M")
            colour = StageColours.text
        self.type.text(self.band(770, 50), label, stage_font(34), StageColours.soft)
        self.type.text(
            self.band(830, 180), big, stage_font(150, tabular=True), colour, min_pixels=60
        )

    def title(self, card: TitleCard) -> None:
        """Place in the run order, bilingual title, director, country and year, content note."""
        film = card.film
        top = SAFE_RECT.top()
        header = QRectF(SAFE_RECT.left(), top, 760, 60)
        self.type.text(
            header,
            f"{card.index} / {card.total}",
            stage_font(46, tabular=True),
            StageColours.amber,
            align=_LEFT,
        )
        if card.block_title is not None:
            en, zh = card.block_title
            self.type.text(
                QRectF(SAFE_RECT.left(), top + 62, 760, 44),
                f"{zh}  ·  {en}",
                stage_font(30),
                StageColours.muted,
                align=_LEFT,
            )
        self.logo_at(QRectF(SAFE_RECT.right() - 400, top, 400, 56))

        self.type.text(
            self.band(240, 270),
            film.title_zh,
            stage_font(128, serif=True, bold=True),
            StageColours.text,
            align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
            max_lines=2,
            min_pixels=48,
        )
        self.type.text(
            self.band(526, 170),
            film.title_en,
            stage_font(76, serif=True),
            StageColours.soft,
            align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            max_lines=2,
            min_pixels=36,
        )
        self.rule(DESIGN_WIDTH / 2, 720, 200)
        self.type.text(
            self.band(748, 64), film.director, stage_font(46), StageColours.text, min_pixels=28
        )
        details = [film.country_bilingual, str(film.year)]
        if film.language_bilingual:
            details.insert(1, film.language_bilingual)
        details.append(format_duration(film.declared_runtime_s))
        self.type.text(
            self.band(818, 52), "  ·  ".join(details), stage_font(34), StageColours.muted
        )
        if film.content_note_bilingual:
            self.content_note(film.content_note_bilingual)

    def content_note(self, note: str) -> None:
        """An amber-outlined note at the foot of the title card."""
        box = QRectF(SAFE_RECT.left() + 160, SAFE_RECT.bottom() - 96, SAFE_RECT.width() - 320, 88)
        self.painter.setPen(QPen(StageColours.amber_dim, 2))
        self.painter.setBrush(QColor(242, 179, 61, 18))
        self.painter.drawRoundedRect(box, 14, 14)
        self.type.mark(box)
        self.type.text(
            box.adjusted(28, 8, -28, -8),
            f"內容提示 Content note:  {note}",
            stage_font(32),
            StageColours.amber,
            max_lines=2,
            min_pixels=20,
        )

    def intermission(self, card: IntermissionCard) -> None:
        """The break in two languages and the time left before the programme resumes."""
        centre_x = DESIGN_WIDTH / 2
        self.logo(QPointF(centre_x, 150), 96)
        self.type.text(
            self.band(250, 150),
            card.intermission.title_zh,
            stage_font(120, serif=True, bold=True),
            StageColours.text,
        )
        self.type.text(
            self.band(400, 90),
            card.intermission.title_en,
            stage_font(68, serif=True),
            StageColours.soft,
        )
        self.rule(centre_x, 530, 200)
        self.type.text(
            self.band(570, 50),
            "節目將於以下時間後繼續  ·  The programme resumes in",
            stage_font(34),
            StageColours.soft,
        )
        self.type.text(
            self.band(630, 230),
            clock_text(card.remaining()),
            stage_font(210, tabular=True),
            StageColours.amber,
            min_pixels=80,
        )
        self.type.text(
            self.band(880, 50),
            "請於倒數結束前返回座位  ·  Please return to your seats before the countdown ends",
            stage_font(30),
            StageColours.muted,
        )

    def end(self, card: EndCard) -> None:
        """Thank you, in two languages, under the wordmark."""
        self.message(
            "多謝光臨",
            "Thank you for coming",
            (
                MessageLine(
                    f"{card.event.name_zh}  ·  {card.event.name_en}", 38, StageColours.soft
                ),
                MessageLine(
                    "晚安，路上小心  ·  Good night, and safe travels home",
                    32,
                    StageColours.muted,
                    height=50,
                ),
            ),
        )

    def difficulties(self, card: DifficultiesCard) -> None:
        """Technical difficulties, in two languages: the audience is asked to wait."""
        self.message(
            "技術問題",
            "Technical difficulties",
            (
                MessageLine(
                    "請稍候，放映即將繼續  ·  Please bear with us, the show will continue shortly",
                    36,
                    StageColours.soft,
                ),
            ),
        )

    def message(self, headline_zh: str, headline_en: str, lines: Sequence[MessageLine]) -> None:
        """A message card: the wordmark and festival line, a big Chinese headline over its
        English, an amber rule, then `lines` stacked below it (the end card, the difficulties
        slide)."""
        centre_x = DESIGN_WIDTH / 2
        self.logo(QPointF(centre_x, 230), 140)
        self.festival_line(320)
        self.type.text(
            self.band(420, 190),
            headline_zh,
            stage_font(160, serif=True, bold=True),
            StageColours.text,
        )
        self.type.text(
            self.band(610, 110), headline_en, stage_font(84, serif=True), StageColours.soft
        )
        self.rule(centre_x, 760, 240)
        top = 790.0
        for line in lines:
            self.type.text(
                self.band(top, line.height), line.text, stage_font(line.size), line.colour
            )
            top += line.height + _MESSAGE_LINE_GAP


def design_transform_rect(width: float, height: float) -> tuple[float, QPointF]:
    """Scale and offset that fit the 1920x1080 design centred in a `width`x`height` screen."""
    scale = min(width / DESIGN_WIDTH, height / DESIGN_HEIGHT)
    offset = QPointF((width - DESIGN_WIDTH * scale) / 2, (height - DESIGN_HEIGHT * scale) / 2)
    return scale, offset
