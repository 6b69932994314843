"""The award reveal's cards laid out on the 1920x1080 design canvas.

Each card is a `CardLayout` (see `reveal_layers`): what is drawn where, and which pieces take
part in the card's entrance. `paint_reveal_card` draws a card at rest with the card painter's
shared pieces (background, logo, festival line, rules, `Typesetter`); `reveal_scene` plays the
entrance. Every award's card carries the award's name at the top (or, on its own card, very
large in the middle), so the audience always knows which award is being presented.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont

from kiosk.render.reveal_cards import (
    AwardCategoryCard,
    AwardPlace,
    EnvelopeCard,
    MentionsCard,
    NomineesCard,
    PendingCard,
    RevealCard,
    RevealClosingCard,
    RevealOpeningCard,
    ShownFilm,
    WinnerCard,
)
from kiosk.ui.stage.reveal_layers import (
    CardLayout,
    Layer,
    LineLayer,
    Motion,
    PictureLayer,
    TextLayer,
    paint_layout,
)
from kiosk.ui.stage.typesetting import (
    DESIGN_HEIGHT,
    DESIGN_WIDTH,
    SAFE_RECT,
    StageColours,
    stage_font,
)

if TYPE_CHECKING:
    from kiosk.ui.stage.canvas import Canvas

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTRE_X = DESIGN_WIDTH / 2
_FULL = QRectF(0, 0, DESIGN_WIDTH, DESIGN_HEIGHT)
_FADE_UP = Motion(0.0, 1.0, fade=False)  # the whole card comes up from black

HEADER_BOTTOM = 200  # the award's name and the counter sit above this line
FILM_RISE = 28  # design pixels a nominee rises as it appears
WINNER_LABEL = "得獎  WINNER"
ENVELOPE_ZH = "而得獎的是……"
ENVELOPE_EN = "And the award goes to…"
PENDING_ZH = "結果稍後公佈"
PENDING_EN = "To be announced"
NOMINEES_LABEL = "入圍作品  ·  Nominees"
MENTIONS_LABEL = "特別提名  ·  Honourable Mentions"
OPENING_ZH = "頒獎典禮"
OPENING_EN = "The Awards"
CLOSING_ZH = "恭喜所有得獎者及入圍者"
CLOSING_EN = "Congratulations to all winners and finalists"
CLOSING_THANKS = "多謝各位蒞臨  ·  Thank you for joining us"
_KIND_LINES = {
    "jury": "評審團獎項  ·  Jury Award",
    "audience": "觀眾投票  ·  Audience Award",
}


def italic(font: QFont) -> QFont:
    """The same font, italic (English lines under Chinese ones)."""
    slanted = QFont(font)
    slanted.setItalic(True)
    return slanted


def chinese_first(font: QFont) -> QFont:
    """The same font with its Chinese family first: Chinese punctuation (…… 「」) keeps its
    Chinese shape instead of taking the Latin font's."""
    families = font.families()
    reordered = QFont(font)
    reordered.setFamilies(families[1:] + families[:1] if len(families) > 1 else families)
    return reordered


def paint_reveal_card(cp: Canvas, card: RevealCard) -> None:
    """Draw a reveal card at rest (the painter already in design units)."""
    paint_layout(cp, layout_for(card))


def layout_for(card: RevealCard) -> CardLayout:
    """What is on `card`, where, and how it enters."""
    match card:
        case RevealOpeningCard():
            return opening_layout(card)
        case AwardCategoryCard():
            return category_layout(card)
        case NomineesCard():
            return films_layout(card.place, NOMINEES_LABEL, card.nominees)
        case MentionsCard():
            return films_layout(card.place, MENTIONS_LABEL, card.mentions)
        case EnvelopeCard():
            return envelope_layout(card)
        case WinnerCard():
            return winner_layout(card)
        case PendingCard():
            return pending_layout(card)
        case RevealClosingCard():
            return closing_layout(card)


# --- the award's name ---------------------------------------------------------------------


def counter_text(place: AwardPlace) -> str:
    """`2 / 4`: which award of tonight's this is."""
    return f"{place.number} / {place.count}"


def award_header(place: AwardPlace, label: str | None) -> TextLayer:
    """The award's name at the top centre, the counter (and `label`) left, the logo right."""
    award = place.award

    def paint(cp: Canvas) -> None:
        top = SAFE_RECT.top()
        cp.type.text(
            QRectF(SAFE_RECT.left(), top, 420, 60),
            counter_text(place),
            stage_font(46, tabular=True),
            StageColours.amber,
            align=_LEFT,
        )
        if label:
            cp.type.text(
                QRectF(SAFE_RECT.left(), top + 62, 420, 44),
                label,
                stage_font(28),
                StageColours.muted,
                align=_LEFT,
            )
        cp.logo_at(QRectF(SAFE_RECT.right() - 400, top, 400, 56))
        cp.type.text(
            QRectF(_CENTRE_X - 450, top, 900, 82),
            award.name_zh,
            stage_font(72, serif=True, bold=True),
            StageColours.amber,
            min_pixels=30,
        )
        cp.type.text(
            QRectF(_CENTRE_X - 450, top + 80, 900, 58),
            award.name_en,
            stage_font(44, serif=True),
            StageColours.text,
            min_pixels=22,
        )
        cp.rule(_CENTRE_X, HEADER_BOTTOM - 4, 160)

    return TextLayer(QRectF(SAFE_RECT.left(), 40, SAFE_RECT.width(), HEADER_BOTTOM - 30), paint)


def big_award_name(place: AwardPlace) -> TextLayer:
    """The award's name as large as the card allows, under the logo and the counter."""
    award = place.award

    def paint(cp: Canvas) -> None:
        cp.logo(QPointF(_CENTRE_X, 160), 100)
        cp.type.text(
            cp.band(246, 50),
            f"獎項 {place.number} / {place.count}  ·  Award {place.number} of {place.count}",
            stage_font(30, tabular=True),
            StageColours.amber,
            letter_spacing=4,
        )
        cp.type.text(
            cp.band(318, 250),
            award.name_zh,
            stage_font(200, serif=True, bold=True),
            StageColours.text,
            min_pixels=64,
        )
        cp.type.text(
            cp.band(574, 140),
            award.name_en,
            stage_font(104, serif=True),
            StageColours.soft,
            min_pixels=40,
        )
        cp.rule(_CENTRE_X, 752, 240)

    return TextLayer(QRectF(SAFE_RECT.left(), 100, SAFE_RECT.width(), 660), paint)


# --- opening, category, pending, closing --------------------------------------------------


def opening_layout(card: RevealOpeningCard) -> CardLayout:
    """頒獎典禮 / The Awards, under the festival's mark, above the event's name."""
    event = card.event

    def paint(cp: Canvas) -> None:
        cp.logo(QPointF(_CENTRE_X, 200), 140)
        cp.festival_line(296)
        cp.type.text(
            cp.band(370, 230),
            OPENING_ZH,
            stage_font(190, serif=True, bold=True),
            StageColours.text,
        )
        cp.type.text(
            cp.band(600, 130),
            OPENING_EN,
            stage_font(100, serif=True),
            StageColours.soft,
        )
        cp.rule(_CENTRE_X, 772, 240)
        cp.type.text(
            cp.band(800, 60),
            f"{event.name_zh}  ·  {event.name_en}",
            stage_font(38),
            StageColours.soft,
        )
        cp.type.text(
            cp.band(866, 50),
            f"{event.venue_zh}  ·  {event.venue_en}",
            stage_font(32),
            StageColours.muted,
        )

    return CardLayout((TextLayer(_FULL, paint),), from_black=_FADE_UP)


def category_layout(card: AwardCategoryCard) -> CardLayout:
    """The award's name, very large, and what kind of award it is."""
    kind = _KIND_LINES.get(card.place.award.kind, "")

    def paint(cp: Canvas) -> None:
        cp.type.text(cp.band(784, 56), kind, stage_font(36), StageColours.muted)

    layers = (big_award_name(card.place), TextLayer(QRectF(0, 770, DESIGN_WIDTH, 90), paint))
    return CardLayout(layers, from_black=_FADE_UP)


def pending_layout(card: PendingCard) -> CardLayout:
    """The award's card, with "result to follow" fading in where the kind of award was."""

    def paint(cp: Canvas) -> None:
        cp.type.text(
            cp.band(784, 96),
            PENDING_ZH,
            stage_font(76, serif=True, bold=True),
            StageColours.amber,
        )
        cp.type.text(
            cp.band(884, 76),
            PENDING_EN,
            italic(stage_font(54, serif=True)),
            StageColours.text,
        )

    result = TextLayer(QRectF(0, 770, DESIGN_WIDTH, 200), paint, Motion(0.0, 1.0, rise=24))
    return CardLayout((big_award_name(card.place), result))


def closing_layout(card: RevealClosingCard) -> CardLayout:
    """Congratulations to all winners and finalists, with the event's name."""
    event = card.event

    def paint(cp: Canvas) -> None:
        cp.logo(QPointF(_CENTRE_X, 190), 130)
        cp.festival_line(282)
        cp.type.text(
            cp.band(366, 190),
            CLOSING_ZH,
            stage_font(132, serif=True, bold=True),
            StageColours.text,
            min_pixels=60,
        )
        cp.type.text(
            cp.band(560, 110),
            CLOSING_EN,
            italic(stage_font(72, serif=True)),
            StageColours.soft,
            min_pixels=36,
        )
        cp.rule(_CENTRE_X, 720, 240)
        cp.type.text(
            cp.band(750, 60),
            f"{event.name_zh}  ·  {event.name_en}",
            stage_font(38),
            StageColours.soft,
        )
        cp.type.text(cp.band(816, 50), CLOSING_THANKS, stage_font(32), StageColours.muted)

    return CardLayout((TextLayer(_FULL, paint),), from_black=_FADE_UP)


# --- envelope -----------------------------------------------------------------------------


def envelope_layout(card: EnvelopeCard) -> CardLayout:
    """ "而得獎的是…… / And the award goes to…", rising under the award's name."""

    def paint_zh(cp: Canvas) -> None:
        cp.type.text(
            cp.band(400, 190),
            ENVELOPE_ZH,
            chinese_first(stage_font(150, serif=True, bold=True)),
            StageColours.text,
        )

    def paint_en(cp: Canvas) -> None:
        cp.type.text(
            cp.band(600, 120),
            ENVELOPE_EN,
            italic(stage_font(88, serif=True)),
            StageColours.soft,
        )

    layers: tuple[Layer, ...] = (
        award_header(card.place, None),
        TextLayer(QRectF(0, 390, DESIGN_WIDTH, 210), paint_zh, Motion(0.0, 0.7, rise=30)),
        TextLayer(QRectF(0, 590, DESIGN_WIDTH, 140), paint_en, Motion(0.25, 1.0, rise=30)),
        LineLayer(_CENTRE_X, 790, 240, Motion(0.4, 1.0, fade=False)),
    )
    return CardLayout(layers)


# --- nominees and mentions ----------------------------------------------------------------


class NomineeGrid:
    """Where each of `count` films goes: a row of up to four, else two rows (up to eight)."""

    def __init__(self, count: int, area: QRectF) -> None:
        self.count = max(1, count)
        self.rows = 1 if self.count <= 4 else 2
        self.columns = math.ceil(self.count / self.rows)
        self.gap_x = 64.0 if self.columns <= 3 else 44.0
        self.gap_y = 44.0
        self.cell_width = (area.width() - (self.columns - 1) * self.gap_x) / self.columns
        # type grows with the cell, less in two rows (the stills need the height)
        lowest = 0.82 if self.rows == 1 else 0.7
        self.type_scale = min(1.2 if self.rows == 1 else 0.78, max(lowest, self.cell_width / 560))
        self.text_height = 196 * self.type_scale
        self.still_gap = 18.0
        row_height = (area.height() - (self.rows - 1) * self.gap_y) / self.rows
        room = row_height - self.text_height - self.still_gap
        self.still_width = min(self.cell_width, room * 16 / 9)
        self.still_height = self.still_width * 9 / 16
        # stills held back by the height: the columns close up around them
        self.cell_width = min(self.cell_width, self.still_width * 1.3)
        self.row_height = self.still_height + self.still_gap + self.text_height
        used = self.rows * self.row_height + (self.rows - 1) * self.gap_y
        self.top = area.top() + (area.height() - used) * 0.42  # a little above the middle
        self.area = area

    def cell(self, index: int) -> tuple[QRectF, QRectF]:
        """(still frame, text box) of film `index` (0-based); short last rows are centred."""
        row = index // self.columns
        in_row = min(self.columns, self.count - row * self.columns)
        column = index - row * self.columns
        row_width = in_row * self.cell_width + (in_row - 1) * self.gap_x
        left = self.area.left() + (self.area.width() - row_width) / 2
        cell_left = left + column * (self.cell_width + self.gap_x)
        top = self.top + row * (self.row_height + self.gap_y)
        frame = QRectF(
            cell_left + (self.cell_width - self.still_width) / 2,
            top,
            self.still_width,
            self.still_height,
        )
        text = QRectF(
            cell_left, top + self.still_height + self.still_gap, self.cell_width, self.text_height
        )
        return frame, text


def films_area() -> QRectF:
    """Where the nominees' grid goes: under the award's name, inside the safe area (the
    frames' borders included)."""
    area = QRectF(SAFE_RECT.left() + 2, HEADER_BOTTOM + 36, SAFE_RECT.width() - 4, 0)
    area.setBottom(SAFE_RECT.bottom() - FILM_RISE)  # room for the captions to rise from
    return area


def film_caption(shown: ShownFilm, box: QRectF, scale: float) -> TextLayer:
    """Title (Chinese, English), director and country under a film's still."""
    film = shown.film

    def paint(cp: Canvas) -> None:
        zh_h, en_h, line_h = 64 * scale, 46 * scale, 38 * scale
        top = box.top()
        cp.type.text(
            QRectF(box.left(), top, box.width(), zh_h),
            film.title_zh,
            stage_font(round(50 * scale), serif=True, bold=True),
            StageColours.text,
            min_pixels=18,
        )
        top += zh_h
        cp.type.text(
            QRectF(box.left(), top, box.width(), en_h),
            film.title_en,
            italic(stage_font(round(36 * scale), serif=True)),
            StageColours.soft,
            min_pixels=16,
        )
        top += en_h + 6 * scale
        cp.type.text(
            QRectF(box.left(), top, box.width(), line_h),
            film.director,
            stage_font(round(28 * scale)),
            StageColours.text,
            min_pixels=16,
        )
        top += line_h
        cp.type.text(
            QRectF(box.left(), top, box.width(), line_h),
            film.country_bilingual,
            stage_font(round(26 * scale)),
            StageColours.muted,
            min_pixels=16,
        )

    return TextLayer(box.adjusted(-4, -4, 4, 4), paint, None)


def films_layout(place: AwardPlace, label: str, films: tuple[ShownFilm, ...]) -> CardLayout:
    """The award's name, then its films in a grid, appearing one after another."""
    grid = NomineeGrid(len(films), films_area())
    layers: list[Layer] = [award_header(place, label)]
    spread = 0.45 if len(films) > 1 else 0.0
    for index, shown in enumerate(films):
        start = spread * index / max(1, len(films) - 1)
        motion = Motion(start, start + 0.55, rise=FILM_RISE)
        frame, box = grid.cell(index)
        layers.append(PictureLayer(frame, shown.still, motion, zoom=Motion(start, 1.0, zoom=1.06)))
        caption = film_caption(shown, box, grid.type_scale)
        layers.append(TextLayer(caption.rect, caption.paint, motion))
    return CardLayout(tuple(layers))


# --- the winner ---------------------------------------------------------------------------


def winner_layout(card: WinnerCard) -> CardLayout:
    """The award's name; the still large on the left; "得獎 WINNER", title, director and
    country on the right; the citation across the foot. The still rises and zooms in, the
    title slides up, an amber line draws across, a soft light passes over the still."""
    film = card.winner.film
    has_citation = bool(card.citation_zh or card.citation_en)
    shift = 0.0 if has_citation else 100.0  # no citation: the block sits lower, centred
    frame = QRectF(SAFE_RECT.left() + 2, 244 + shift, 912, 513)
    column_left = frame.right() + 60
    column = QRectF(column_left, frame.top(), SAFE_RECT.right() - column_left, frame.height())

    def paint_label(cp: Canvas) -> None:
        cp.type.text(
            QRectF(column.left(), column.top() + 6, column.width(), 56),
            WINNER_LABEL,
            stage_font(40, bold=True),
            StageColours.amber,
            align=_LEFT,
            letter_spacing=6,
        )

    def paint_zh(cp: Canvas) -> None:
        cp.type.text(
            QRectF(column.left(), column.top() + 72, column.width(), 220),
            film.title_zh,
            stage_font(124, serif=True, bold=True),
            StageColours.text,
            align=_LEFT,
            max_lines=2,
            min_pixels=36,
        )

    def paint_en(cp: Canvas) -> None:
        cp.type.text(
            QRectF(column.left(), column.top() + 296, column.width(), 124),
            film.title_en,
            italic(stage_font(60, serif=True)),
            StageColours.soft,
            align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            max_lines=2,
            min_pixels=28,
        )

    def paint_credits(cp: Canvas) -> None:
        cp.type.text(
            QRectF(column.left(), column.top() + 424, column.width(), 50),
            film.director,
            stage_font(38),
            StageColours.text,
            align=_LEFT,
            min_pixels=22,
        )
        cp.type.text(
            QRectF(column.left(), column.top() + 474, column.width(), 40),
            film.country_bilingual,
            stage_font(30),
            StageColours.muted,
            align=_LEFT,
            min_pixels=20,
        )

    def paint_citation(cp: Canvas) -> None:
        top = frame.bottom() + 64
        top_aligned = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        if card.citation_zh:
            used = cp.type.text(
                QRectF(SAFE_RECT.left(), top, SAFE_RECT.width(), 100),
                f"「{card.citation_zh}」",
                chinese_first(stage_font(46, serif=True)),
                StageColours.text,
                align=top_aligned,
                max_lines=3,
                min_pixels=22,
            )
            top = used.bottom() + 10
        if card.citation_en:
            cp.type.text(
                QRectF(SAFE_RECT.left(), top, SAFE_RECT.width(), SAFE_RECT.bottom() - top),
                f"“{card.citation_en}”",
                italic(stage_font(38, serif=True)),
                StageColours.soft,
                align=top_aligned,
                max_lines=3,
                min_pixels=20,
            )

    def text_box(top: float, height: float) -> QRectF:
        return QRectF(column.left() - 8, column.top() + top, column.width() + 16, height)

    layers: list[Layer] = [
        award_header(card.place, None),
        PictureLayer(
            frame,
            card.winner.still,
            Motion(0.0, 0.6, rise=56),
            zoom=Motion(0.0, 1.0, zoom=1.12),
            sweep=Motion(0.42, 0.95),
            radius=14,
            border=StageColours.amber_dim,
            border_width=2,
        ),
        TextLayer(text_box(0, 70), paint_label, Motion(0.18, 0.5, rise=16)),
        TextLayer(text_box(64, 236), paint_zh, Motion(0.26, 0.66, rise=40)),
        TextLayer(text_box(290, 136), paint_en, Motion(0.34, 0.74, rise=32)),
        TextLayer(text_box(418, 104), paint_credits, Motion(0.42, 0.82, rise=24)),
        LineLayer(_CENTRE_X, frame.bottom() + 36, SAFE_RECT.width(), Motion(0.4, 0.85, fade=False)),
    ]
    if has_citation:
        citation = QRectF(SAFE_RECT.left(), frame.bottom() + 56, SAFE_RECT.width(), 0)
        citation.setBottom(SAFE_RECT.bottom() + 4)
        layers.append(TextLayer(citation, paint_citation, Motion(0.6, 1.0, rise=10)))
    return CardLayout(tuple(layers))
