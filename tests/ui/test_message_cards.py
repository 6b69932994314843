"""The end card and the difficulties slide share one message-card painter; they must look
exactly as they did when each had its own copy of the layout.

`_old_end` and `_old_difficulties` are the two layouts as they were before `message()` (commit
436a72a), kept here as the reference: each size is rendered both ways and compared pixel by
pixel (the same comparison against images rendered from that commit found 0 differing pixels).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor, QImage, QPainter

from kiosk.render.cards import Card, DifficultiesCard, EndCard
from kiosk.ui.stage.canvas import load_logo
from kiosk.ui.stage.card_painter import CardPainter, design_transform_rect
from kiosk.ui.stage.card_view import render_card
from kiosk.ui.stage.typesetting import DESIGN_WIDTH, StageColours, stage_font
from tests.conftest import write_event

pytestmark = pytest.mark.usefixtures("qt_painting")  # fonts and painting need the QApplication

SIZES = (QSize(1920, 1080), QSize(1366, 768), QSize(1280, 720), QSize(1024, 768))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _old_end(cp: CardPainter, card: EndCard) -> None:
    centre_x = DESIGN_WIDTH / 2
    cp.logo(QPointF(centre_x, 230), 140)
    cp.festival_line(320)
    cp.type.text(
        cp.band(420, 190), "多謝光臨", stage_font(160, serif=True, bold=True), StageColours.text
    )
    cp.type.text(
        cp.band(610, 110), "Thank you for coming", stage_font(84, serif=True), StageColours.soft
    )
    cp.rule(centre_x, 760, 240)
    cp.type.text(
        cp.band(790, 60),
        f"{card.event.name_zh}  ·  {card.event.name_en}",
        stage_font(38),
        StageColours.soft,
    )
    cp.type.text(
        cp.band(856, 50),
        "晚安，路上小心  ·  Good night, and safe travels home",
        stage_font(32),
        StageColours.muted,
    )


def _old_difficulties(cp: CardPainter, _card: DifficultiesCard) -> None:
    centre_x = DESIGN_WIDTH / 2
    cp.logo(QPointF(centre_x, 230), 140)
    cp.festival_line(320)
    cp.type.text(
        cp.band(420, 190), "技術問題", stage_font(160, serif=True, bold=True), StageColours.text
    )
    cp.type.text(
        cp.band(610, 110), "Technical difficulties", stage_font(84, serif=True), StageColours.soft
    )
    cp.rule(centre_x, 760, 240)
    cp.type.text(
        cp.band(790, 60),
        "請稍候，放映即將繼續  ·  Please bear with us, the show will continue shortly",
        stage_font(36),
        StageColours.soft,
    )


def _render_old(size: QSize, layout: Callable[[CardPainter], None]) -> QImage:
    """What `CardPainter.paint` drew for the card before, with the old layout function."""
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    painter = QPainter(image)
    try:
        cp = CardPainter(painter, load_logo())
        cp.background(size.width(), size.height())
        scale, offset = design_transform_rect(size.width(), size.height())
        painter.translate(offset)
        painter.scale(scale, scale)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        layout(cp)
    finally:
        painter.end()
    return image


def _differing(a: QImage, b: QImage) -> int:
    assert a.size() == b.size()
    return sum(
        1 for y in range(a.height()) for x in range(a.width()) if a.pixel(x, y) != b.pixel(x, y)
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
@pytest.mark.parametrize("which", ["end", "difficulties"])
def test_message_cards_look_exactly_as_before(tmp_path: Path, size: QSize, which: str) -> None:
    config = write_event(tmp_path / "event", []).load_config()
    card: Card
    if which == "end":
        end = EndCard(config)
        card, before = end, _render_old(size, lambda cp: _old_end(cp, end))
    else:
        slide = DifficultiesCard(config)
        card, before = slide, _render_old(size, lambda cp: _old_difficulties(cp, slide))
    now = render_card(card, size).image
    if size == SIZES[0]:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        now.save(str(SCREENSHOTS / f"card-{which}-1920x1080.png"))
    assert now == before, (
        f"{which} at {size.width()}x{size.height()}: {_differing(now, before)} px differ"
    )


def test_both_cards_set_the_same_bilingual_strings_as_before(tmp_path: Path) -> None:
    """The same strings in the same order: festival line, Chinese, English, then the lines."""
    config = write_event(tmp_path / "event", []).load_config()
    festival = "AI FILM FESTIVAL  ·  人工智能電影節"
    end = render_card(EndCard(config), QSize(1920, 1080)).texts
    assert end == (
        festival,
        "多謝光臨",
        "Thank you for coming",
        "測試之夜  ·  Test Night",
        "晚安，路上小心  ·  Good night, and safe travels home",
    )
    slide = render_card(DifficultiesCard(config), QSize(1920, 1080)).texts
    assert slide == (
        festival,
        "技術問題",
        "Technical difficulties",
        "請稍候，放映即將繼續  ·  Please bear with us, the show will continue shortly",
    )
