"""Every stage card, rendered at projector sizes and checked by pixel.

Text present, Chinese really drawn (not empty boxes), nothing outside the 5% safe margin,
long titles shrunk to fit, clocks and countdowns that move.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QPainter
from pytestqt.qtbot import QtBot

from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, Programme
from kiosk.render.cards import (
    BlackCard,
    Card,
    EndCard,
    HoldingCard,
    IntermissionCard,
    TitleCard,
    scheduled_start,
)
from kiosk.render.vote_card import VoteCard
from kiosk.ui.stage.canvas import load_logo
from kiosk.ui.stage.card_painter import CardPainter
from kiosk.ui.stage.card_view import CardView, render_card
from tests.ui.pixels import changed_pixels

pytestmark = pytest.mark.usefixtures("qt_painting")  # fonts and painting need the QApplication

SIZES = (QSize(1920, 1080), QSize(1366, 768), QSize(1024, 768))
LONG_EN = "The Extraordinarily Long and Winding Afternoon of a Machine That Learned to Dream"
LONG_ZH = "一部名字非常非常長的電影：機器學會用顏色做夢的那個漫長而又安靜的下午"


def all_cards(config: EventConfig, programme: Programme) -> dict[str, Card]:
    start = scheduled_start(config)
    film = programme.films[11]
    assert programme.intermission is not None
    long_film = replace(film, title_en=LONG_EN, title_zh=LONG_ZH, content_note="Flashing lights")
    return {
        "holding": HoldingCard(config, programme, lambda: start - dt.timedelta(minutes=12)),
        "holding-late": HoldingCard(config, programme, lambda: start + dt.timedelta(minutes=2)),
        "title": TitleCard.for_film(film, programme),
        "title-long": TitleCard.for_film(long_film, programme),
        "intermission": IntermissionCard.counting(programme.intermission, 899, clock=lambda: 0),
        "end": EndCard(config),
        "vote": VoteCard.counting(config, "http://192.168.1.23:8080/", 599, clock=lambda: 0),
    }


def background(size: QSize) -> QImage:
    """The card background alone (no content), for comparison."""
    image = QImage(size, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    CardPainter(painter, None).background(size.width(), size.height())
    painter.end()
    return image


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_every_card_has_content_inside_the_safe_margin(
    night: tuple[EventConfig, Programme], size: QSize, tmp_path: Path
) -> None:
    config, programme = night
    plain = background(size)
    logo = load_logo()
    assert logo is not None, "the festival logo must load"
    safe = QRect(
        round(size.width() * 0.05),
        round(size.height() * 0.05),
        round(size.width() * 0.9),
        round(size.height() * 0.9),
    )
    for name, card in all_cards(config, programme).items():
        rendered = render_card(card, size, logo)
        rendered.image.save(str(tmp_path / f"{name}.png"))
        ink = changed_pixels(rendered.image, plain, step=3)
        enough = 1500 * size.width() * size.height() // (1920 * 1080)
        assert len(ink) > enough, f"{name}: too little drawn ({len(ink)})"
        outside = [p for p in ink if not safe.contains(*p)]
        assert not outside, f"{name}: drawn outside the safe margin at {outside[:5]}"
        content = rendered.content.toAlignedRect()
        assert safe.adjusted(-1, -1, 1, 1).contains(content), f"{name}: {content} vs {safe}"


def test_chinese_glyphs_are_really_drawn(night: tuple[EventConfig, Programme]) -> None:
    _config, programme = night
    film = programme.films[0]
    size = QSize(1920, 1080)
    title = QRect(96, 240, 1728, 270)  # where the Chinese title goes

    def render_zh(text: str) -> QImage:
        return render_card(TitleCard(replace(film, title_zh=text), 1, 35), size).image

    one, other, empty = render_zh("最後的燈籠"), render_zh("鹽與雜訊啊"), render_zh("")
    # the Chinese title is drawn at all ...
    assert len(changed_pixels(one, empty, title)) > 1500
    # ... and with real glyphs: two different titles of the same length differ (missing glyphs
    # would be identical empty boxes)
    assert len(changed_pixels(one, other, title)) > 1500


def test_long_titles_shrink_to_fit(night: tuple[EventConfig, Programme]) -> None:
    _config, programme = night
    film = replace(programme.films[0], title_en=LONG_EN * 3, title_zh=LONG_ZH * 3)
    rendered = render_card(TitleCard(film, 1, 35), QSize(1920, 1080))
    assert (
        QRect(96, 54, 1728, 972).adjusted(-1, -1, 1, 1).contains(rendered.content.toAlignedRect())
    )


def test_intermission_countdown_moves_with_its_clock(night: tuple[EventConfig, Programme]) -> None:
    _config, programme = night
    assert programme.intermission is not None
    now = [100.0]
    card = IntermissionCard.counting(programme.intermission, 600, clock=lambda: now[0])
    assert card.remaining() == 600
    before = render_card(card, QSize(960, 540)).image
    now[0] += 61
    assert card.remaining() == 539
    after = render_card(card, QSize(960, 540)).image
    assert changed_pixels(before, after)
    held = IntermissionCard.counting(programme.intermission, 42, running=False)
    assert held.remaining() == 42 and not held.live
    now[0] += 10_000
    assert card.remaining() == 0  # never negative


def test_holding_card_counts_down_then_shows_the_clock(
    night: tuple[EventConfig, Programme],
) -> None:
    config, programme = night
    start = scheduled_start(config)
    soon = HoldingCard(config, programme, lambda: start - dt.timedelta(minutes=5))
    assert soon.seconds_to_start() == 300
    late = HoldingCard(config, programme, lambda: start + dt.timedelta(minutes=1))
    assert late.seconds_to_start() == -60
    size = QSize(960, 540)
    assert changed_pixels(render_card(soon, size).image, render_card(late, size).image)


def test_black_card_is_black(night: tuple[EventConfig, Programme]) -> None:
    image = render_card(BlackCard(), QSize(640, 360)).image
    assert {image.pixel(x, y) & 0xFFFFFF for x in range(0, 640, 7) for y in range(0, 360, 7)} == {0}


def ticking(view: CardView) -> bool:
    """Read afresh each time (keeps the type checker from narrowing the property)."""
    return view.ticking


def test_live_card_ticks_only_while_visible_and_active(
    qtbot: QtBot, night: tuple[EventConfig, Programme]
) -> None:
    config, programme = night
    view = CardView()
    qtbot.addWidget(view)
    view.resize(640, 360)
    view.set_card(HoldingCard(config, programme))
    view.set_active(True)
    assert not ticking(view)  # not shown yet
    view.show()
    qtbot.waitExposed(view)
    assert ticking(view)
    with qtbot.waitSignal(view.frame_shown, timeout=3000):
        pass
    view.set_active(False)
    assert not ticking(view)
    view.set_active(True)
    view.set_card(TitleCard.for_film(programme.films[0], programme))
    assert not ticking(view)  # a still card never ticks
    view.hide()
    view.set_card(HoldingCard(config, programme))
    assert not ticking(view)


def test_film_without_optional_fields_still_renders(night: tuple[EventConfig, Programme]) -> None:
    _config, programme = night
    bare: Film = replace(programme.films[0], language=None, content_note=None)
    one_block = replace(programme, blocks=programme.blocks[:1])
    card = TitleCard.for_film(bare, one_block)
    assert card.block_title is None
    assert (
        len(changed_pixels(render_card(card, QSize(960, 540)).image, background(QSize(960, 540))))
        > 500
    )
