"""The award reveal's projector cards, rendered at projector sizes and checked by pixel.

Every card of the demo night's reveal: content inside the 5% safe margin, the award's name on
every award card from the first frame of its entrance, Chinese really drawn, long titles shrunk
(not spilling into their neighbours), one to eight nominees fitting, placeholders for missing
stills, entrance frames that move and end exactly on the card at rest. PNGs of every card go to
build/screenshots/reveal-cards/ (in the checkout, like the other screenshots) for a look.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from kiosk.core.awards import (
    CategoryResult,
    JuryResults,
    RevealStep,
    StepKind,
    build_plan,
)
from kiosk.core.event import AwardCategory, EventConfig
from kiosk.core.programme import Film, Programme
from kiosk.render.cards import Card, TitleCard
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
    card_for_step,
)
from kiosk.ui.stage.canvas import load_logo
from kiosk.ui.stage.card_painter import CardPainter
from kiosk.ui.stage.card_view import CardView, render_card
from kiosk.ui.stage.reveal_painter import HEADER_BOTTOM, NomineeGrid, films_area, layout_for
from kiosk.ui.stage.reveal_scene import CardScene
from kiosk.ui.stage.typesetting import SAFE_RECT
from tests.ui.pixels import brightness, count_above, difference, misplaced_pixels

pytestmark = pytest.mark.usefixtures("qt_painting")  # fonts and painting need the QApplication

REPOSITORY = Path(__file__).resolve().parents[2]
SHOTS = REPOSITORY / "build" / "screenshots" / "reveal-cards"
FULL_HD = QSize(1920, 1080)
LAPTOP = QSize(1366, 768)
LONG_EN = "The Extraordinarily Long and Winding Afternoon of a Machine That Learned to Dream"
LONG_ZH = "一部名字非常非常長的電影：機器學會用顏色做夢的那個漫長而又安靜的下午"
INK = 24  # a grey-level change larger than this is something drawn


class OwnStills:
    """The films' own stills only (no ffmpeg): the others get the placeholder."""

    def still_for(self, film: Film) -> Path | None:
        return film.still if film.still is not None and film.still.is_file() else None


def demo_results(programme: Programme) -> JuryResults:
    """Results for the demo's three jury awards (the viewers' award stays pending)."""
    ids = [f.id for f in programme]
    return JuryResults(
        (
            CategoryResult(
                "best-film",
                "F01",
                ("F03", "F01", "F17", "F28"),
                citation_en="For a dream of maps that redraws what cinema can imagine.",
                citation_zh="以地圖之夢，重新描繪電影的想像。",
            ),
            CategoryResult(
                "best-narrative",
                "F18",
                tuple(ids[6:12]),
                honourable_mentions=("F02",),
                citation_en="For a story told with patience, light and sea.",
                citation_zh="以耐心、光與海，講述動人故事。",
            ),
            CategoryResult("frontier", "F04", ("F04", "F13"), ("F25", "F33", "F06")),
        )
    )


def reveal_cards(config: EventConfig, programme: Programme) -> dict[str, RevealCard]:
    """Every step of the demo reveal as its card, named by step."""
    results = demo_results(programme)
    plan = build_plan(config.awards, results)
    return {
        f"{step.index:02d}-{step.key.replace(':', '-')}": card_for_step(
            step, config, programme, results, OwnStills()
        )
        for step in plan
    }


# --- pixels -------------------------------------------------------------------------------


def background(size: QSize, veil: float = 0.0) -> QImage:
    """The card background alone (no content), under black of `veil` (0 to 1)."""
    image = QImage(size, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    CardPainter(painter, None).background(size.width(), size.height())
    if veil > 0:
        painter.fillRect(image.rect(), QColor(0, 0, 0, round(255 * veil)))
    painter.end()
    return image


def ink(image: QImage, area: QRect | None = None) -> int:
    """Pixels (in `area`) where something is drawn over the plain background."""
    return count_above(difference(image, background(image.size())), INK, area)


def safe_rect(size: QSize) -> QRect:
    return QRect(
        round(size.width() * 0.05),
        round(size.height() * 0.05),
        round(size.width() * 0.9),
        round(size.height() * 0.9),
    )


def ink_outside_safe(image: QImage, veil: float = 0.0) -> int:
    """Pixels drawn outside the 5% safe margin (`veil`: the frame's fade from black)."""
    size = image.size()
    safe = safe_rect(size)
    strips = (
        QRect(0, 0, size.width(), safe.top()),
        QRect(0, safe.bottom() + 1, size.width(), size.height()),
        QRect(0, 0, safe.left(), size.height()),
        QRect(safe.right() + 1, 0, size.width(), size.height()),
    )
    grey = difference(image, background(size, veil))
    return sum(count_above(grey, INK, strip) for strip in strips)


def design_to(size: QSize, rect: QRectF) -> QRect:
    """A design-canvas rectangle in the pixels of a 16:9 `size`."""
    scale = size.width() / 1920
    return QRect(
        round(rect.left() * scale),
        round(rect.top() * scale),
        round(rect.width() * scale),
        round(rect.height() * scale),
    )


def save(image: QImage, folder: str, name: str) -> None:
    (SHOTS / folder).mkdir(parents=True, exist_ok=True)
    image.save(str(SHOTS / folder / f"{name}.png"))


# --- tests --------------------------------------------------------------------------------


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
@pytest.mark.parametrize("size", (FULL_HD, LAPTOP), ids=lambda s: f"{s.width()}x{s.height()}")
def test_every_reveal_card_stays_inside_the_safe_margin(
    night: tuple[EventConfig, Programme], size: QSize
) -> None:
    config, programme = night
    logo = load_logo()
    safe = safe_rect(size)
    enough = 4000 * size.width() * size.height() // (1920 * 1080)
    for name, card in reveal_cards(config, programme).items():
        for progress in (0.0, 0.5, 1.0):
            rendered = render_card(card, size, logo, progress=progress)
            if progress == 1.0:
                save(rendered.image, f"{size.width()}x{size.height()}", name)
                assert ink(rendered.image) > enough, f"{name}: too little drawn"
            elif progress == 0.5:
                save(rendered.image, f"{size.width()}x{size.height()}-entrance", f"{name}-half")
            from_black = layout_for(card).from_black
            veil = 1 - from_black.at(progress) if from_black is not None else 0.0
            outside = ink_outside_safe(rendered.image, veil)
            assert outside == 0, f"{name} at {progress}: {outside} pixels outside the safe margin"
            content = rendered.content.toAlignedRect()
            assert safe.adjusted(-1, -1, 1, 1).contains(content), f"{name}: {content} vs {safe}"


def test_the_award_is_named_on_every_award_card_from_the_first_frame(
    night: tuple[EventConfig, Programme],
) -> None:
    config, programme = night
    header = design_to(FULL_HD, QRectF(520, 54, 880, HEADER_BOTTOM - 54))
    for name, card in reveal_cards(config, programme).items():
        rendered = render_card(card, FULL_HD)
        if isinstance(card, RevealOpeningCard | RevealClosingCard):
            assert config.name_en in " ".join(rendered.texts), name
            continue
        award = card.place.award
        assert award.name_zh in rendered.texts, f"{name}: {rendered.texts}"
        assert award.name_en in rendered.texts, f"{name}: {rendered.texts}"
        first = render_card(card, FULL_HD, progress=0.0)
        assert award.name_zh in first.texts and award.name_en in first.texts, name
        if isinstance(card, NomineesCard | MentionsCard | EnvelopeCard | WinnerCard):
            # the award's name stands at the top from the entrance's first frame
            assert ink(first.image, header) > 3000, f"{name}: no award name at progress 0"
        if isinstance(card, PendingCard):
            assert "結果稍後公佈" in rendered.texts and "To be announced" in rendered.texts


def test_chinese_is_drawn_with_real_glyphs(night: tuple[EventConfig, Programme]) -> None:
    config, programme = night
    results = demo_results(programme)
    step = next(s for s in build_plan(config.awards, results) if s.kind is StepKind.WINNER)
    card = card_for_step(step, config, programme, results, OwnStills())
    assert isinstance(card, WinnerCard)
    title = design_to(FULL_HD, QRectF(1068, 316, 756, 220))  # the Chinese title

    def with_title(text: str) -> QImage:
        film = replace(card.winner.film, title_zh=text)
        return render_card(replace(card, winner=ShownFilm(film, None)), FULL_HD).image

    one, other, empty = with_title("最後的燈籠"), with_title("鹽與雜訊啊"), with_title("")
    assert count_above(difference(one, empty), INK, title) > 5000
    # missing glyphs would be identical boxes: two different titles must differ
    assert count_above(difference(one, other), INK, title) > 5000


def nominees(
    programme: Programme, count: int, title_en: str | None = None, title_zh: str | None = None
) -> NomineesCard:
    """The first `count` films of the programme as nominees of Best Film (titles replaced)."""
    place = AwardPlace(AwardCategory("best-film", "Best Film", "最佳影片"), 1, 4)
    films = [
        replace(f, title_en=title_en or f.title_en, title_zh=title_zh or f.title_zh)
        for f in programme.films[:count]
    ]
    return NomineesCard(place, tuple(ShownFilm(f, OwnStills().still_for(f)) for f in films))


def grid_for(count: int) -> NomineeGrid:
    return NomineeGrid(count, films_area())


@pytest.mark.parametrize("count", range(1, 9))
def test_one_to_eight_nominees_fit(night: tuple[EventConfig, Programme], count: int) -> None:
    _config, programme = night
    card = nominees(programme, count)
    rendered = render_card(card, FULL_HD)
    save(rendered.image, "nominees", f"nominees-{count}")
    assert ink_outside_safe(rendered.image) == 0
    grid = grid_for(count)
    frames = [grid.cell(i)[0] for i in range(count)]
    for index, frame in enumerate(frames):
        assert SAFE_RECT.contains(frame), f"still {index} at {frame}"
        assert frame.width() >= 300, f"still {index} is only {frame.width():.0f} wide"
        for other in frames[index + 1 :]:
            assert not frame.intersects(other)
        # the still really is there (not the bare background)
        assert ink(rendered.image, design_to(FULL_HD, frame.adjusted(8, 8, -8, -8))) > 1000
    for film in programme.films[:count]:
        assert film.title_zh in rendered.texts
        assert film.title_en in rendered.texts


@pytest.mark.parametrize("count", (2, 4, 8))
def test_long_titles_shrink_and_never_spill_into_a_neighbour(
    night: tuple[EventConfig, Programme], count: int
) -> None:
    _config, programme = night
    card = nominees(programme, count, title_en=LONG_EN, title_zh=LONG_ZH)
    rendered = render_card(card, FULL_HD)
    save(rendered.image, "nominees", f"nominees-{count}-long")
    assert ink_outside_safe(rendered.image) == 0
    grid = grid_for(count)
    # the gaps between the columns stay empty from the stills' top to the captions' foot
    for index in range(min(count, grid.columns) - 1):
        _frame, left_text = grid.cell(index)
        _frame2, right_text = grid.cell(index + 1)
        gap = QRectF(left_text.right() + 6, grid.top, right_text.left() - left_text.right() - 12, 0)
        gap.setBottom(left_text.bottom())
        assert ink(rendered.image, design_to(FULL_HD, gap)) == 0, f"spill into gap {index}"


def test_a_long_winning_title_shrinks_beside_its_still(
    night: tuple[EventConfig, Programme],
) -> None:
    config, programme = night
    film = replace(programme.films[0], title_en=LONG_EN * 2, title_zh=LONG_ZH * 2)
    place = AwardPlace(config.awards[0], 1, 4)
    long_citation = "一部非常長的評語，" * 12
    card = WinnerCard(place, ShownFilm(film, None), LONG_EN * 3, long_citation)
    rendered = render_card(card, FULL_HD)
    save(rendered.image, "winner", "winner-long")
    assert ink_outside_safe(rendered.image) == 0
    assert SAFE_RECT.adjusted(-1, -1, 1, 1).contains(rendered.content)
    between = design_to(FULL_HD, QRectF(1012, 250, 50, 500))  # between still and title
    assert ink(rendered.image, between) == 0


def test_a_missing_or_unreadable_still_shows_the_placeholder(
    night: tuple[EventConfig, Programme], tmp_path: Path
) -> None:
    config, programme = night
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    place = AwardPlace(config.awards[0], 1, 4)
    film = programme.films[1]
    without = render_card(WinnerCard(place, ShownFilm(film, None)), FULL_HD).image
    unreadable = render_card(WinnerCard(place, ShownFilm(film, broken)), FULL_HD).image
    save(without, "winner", "winner-placeholder")
    frame = design_to(FULL_HD, QRectF(96, 344, 912, 513).adjusted(10, 10, -10, -10))
    assert ink(without, frame) > 0  # the placeholder's mark is drawn
    assert count_above(difference(without, unreadable), INK) == 0  # the same placeholder


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_entrance_frames_move_and_end_on_the_card_at_rest(
    night: tuple[EventConfig, Programme],
) -> None:
    config, programme = night
    logo = load_logo()
    for name, card in reveal_cards(config, programme).items():
        scene = CardScene(card, FULL_HD, logo)
        start, middle, end = scene.render(0.0), scene.render(0.5), scene.render(1.0)
        at_rest = render_card(card, FULL_HD, logo).image
        assert count_above(difference(start, middle), INK) > 2000, f"{name}: 0 vs 0.5"
        assert count_above(difference(middle, end), INK) > 500, f"{name}: 0.5 vs 1"
        # the last frame is the still card, every layer on the same pixels (large type may
        # differ by a hair between two drawings: misplaced_pixels says why)
        assert misplaced_pixels(end, at_rest) == 0, f"{name}: last frame != card"
        # ...and every layer fully faded in, the card fully up from black
        change = brightness(end) - brightness(at_rest)
        assert abs(change) <= 2000, f"{name}: last frame {change} grey levels off the card"
        if isinstance(card, WinnerCard):
            for progress in (0.0, 0.15, 0.3, 0.5, 0.75):
                save(scene.render(progress), "winner-entrance", f"{name}-{progress:.2f}")


def test_the_last_frame_is_the_card_at_rest_whatever_type_was_drawn_before() -> None:
    # Qt's FreeType state is per process and every earlier test has drawn type: a fresh process
    # draws the order that moved the envelope's line (tests/ui/card_frames_child.py)
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.card_frames_child"],
        cwd=REPOSITORY,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = dict(line.split() for line in done.stdout.splitlines() if line.count(" ") == 1)
    assert int(figures["LINE_INK"]) > 20000, done.stdout  # the line is drawn in both
    # MOVED (over 4 grey levels: the old check) was 4,086 here every time, the type a hair
    # apart; the entrance test's check must still find no layer a pixel off
    assert int(figures["MISPLACED"]) == 0, done.stdout


def test_the_card_scales_to_a_smaller_screen(night: tuple[EventConfig, Programme]) -> None:
    config, programme = night
    cards = reveal_cards(config, programme)
    thumbnail = QSize(240, 135)

    def small(image: QImage) -> QImage:
        return image.scaled(
            thumbnail,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )

    for name in ("04-winner-best-film", "02-nominees-best-film", "01-category-best-film"):
        big = small(render_card(cards[name], FULL_HD).image)
        laptop = small(render_card(cards[name], LAPTOP).image)
        # the same layout, only smaller: seen from afar, the two pictures are the same
        changed = count_above(difference(big, laptop), INK)
        assert changed < thumbnail.width() * thumbnail.height() * 0.01, f"{name}: {changed}"


def test_card_for_step_makes_the_right_card_and_keeps_the_winner_off_the_nominees(
    night: tuple[EventConfig, Programme],
) -> None:
    config, programme = night
    results = demo_results(programme)
    kinds = {
        StepKind.OPENING: RevealOpeningCard,
        StepKind.CATEGORY: AwardCategoryCard,
        StepKind.NOMINEES: NomineesCard,
        StepKind.MENTIONS: MentionsCard,
        StepKind.ENVELOPE: EnvelopeCard,
        StepKind.WINNER: WinnerCard,
        StepKind.CLIP: WinnerCard,
        StepKind.PENDING: PendingCard,
        StepKind.CLOSING: RevealClosingCard,
    }
    plan = build_plan(config.awards, results)
    for step in plan:
        card = card_for_step(step, config, programme, results, OwnStills())
        assert isinstance(card, kinds[step.kind]), step.describe()
    clip = RevealStep(99, StepKind.CLIP, config.awards[0], 1, 4)
    winner = card_for_step(clip, config, programme, results, OwnStills())
    assert isinstance(winner, WinnerCard) and winner.winner.film.id == "F01"
    # the nominees card is the same whoever won
    other = JuryResults((replace(results.results[0], winner="F17"), *results.results[1:]))
    step = next(s for s in plan if s.kind is StepKind.NOMINEES)
    assert card_for_step(step, config, programme, results, OwnStills()) == card_for_step(
        step, config, programme, other, OwnStills()
    )
    missing = JuryResults((replace(results.results[0], nominees=("F01", "NOPE")),))
    with pytest.raises(ValueError, match="best-film") as raised:
        card_for_step(step, config, programme, missing, OwnStills())
    assert "NOPE" not in str(raised.value)  # errors never name films


def animating(view: CardView) -> bool:
    """Read afresh each time (keeps the type checker from narrowing the property)."""
    return view.animating


@pytest.fixture
def card_view(qtbot: QtBot) -> Iterator[CardView]:
    widget = CardView()
    qtbot.addWidget(widget)
    widget.resize(960, 540)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def test_card_view_plays_the_entrance_then_rests(
    card_view: CardView, qtbot: QtBot, night: tuple[EventConfig, Programme]
) -> None:
    config, programme = night
    cards = reveal_cards(config, programme)
    frames: list[float] = []
    card_view.frame_shown.connect(lambda: frames.append(card_view.progress))
    card_view.set_card(cards["04-winner-best-film"], animate=True)
    assert animating(card_view) and card_view.progress == 0.0
    qtbot.waitUntil(lambda: not animating(card_view), timeout=5000)
    assert card_view.progress == 1.0
    qtbot.waitUntil(lambda: frames[-1] == 1.0, timeout=2000)  # the last frame is painted
    assert len(frames) > 5, f"only {len(frames)} frames in 1.5 s"
    assert frames == sorted(frames) and frames[0] == 0.0
    # shown without its entrance (e.g. GO back): at rest at once
    card_view.set_card(cards["02-nominees-best-film"], animate=False)
    assert not animating(card_view) and card_view.progress == 1.0
    # other cards never animate
    plain: Card = TitleCard.for_film(programme.films[0], programme)
    card_view.set_card(plain, animate=True)
    assert not animating(card_view)
    # hiding the layer ends an entrance at once
    card_view.set_card(cards["01-category-best-film"], animate=True)
    assert animating(card_view)
    card_view.hide()
    assert not animating(card_view) and card_view.progress == 1.0
