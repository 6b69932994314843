"""The stage window's layers, flags and black overlay, on Qt's offscreen platform.

What needs a real X server (covering the screen, focus, pointer, libvlc) is tested in
tests/integration/test_stage_x11.py and test_stage_video.py.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.render.cards import BlackCard, EndCard, HoldingCard, TitleCard
from kiosk.store.event_folder import EventFolder
from kiosk.ui.stage.window import Layer, StageWindow


@pytest.fixture
def stage(qtbot: QtBot, demo_event: EventFolder) -> StageWindow:
    config = demo_event.load_config()
    window = StageWindow(config, demo_event.load_programme(config))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def layer(stage: StageWindow) -> Layer:
    """Read afresh each time (keeps the type checker from narrowing the property)."""
    return stage.layer


def black(stage: StageWindow) -> bool:
    """Read afresh each time."""
    return stage.black


def subtitle(stage: StageWindow) -> str | None:
    """Read afresh each time."""
    return stage.subtitle


def top_layer(stage: StageWindow) -> QWidget:
    """The visible child drawn last (on top)."""
    visible = [w for w in stage.children() if isinstance(w, QWidget) and w.isVisible()]
    return visible[-1]


def test_window_is_borderless_fullscreen_and_never_takes_focus(stage: StageWindow) -> None:
    flags = stage.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowDoesNotAcceptFocus
    assert stage.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert stage.isFullScreen()
    assert stage.geometry() == stage.screen().geometry()
    assert stage.screen_name() == stage.screen().name()
    for widget in [stage, *stage.findChildren(QWidget)]:
        assert widget.cursor().shape() == Qt.CursorShape.BlankCursor, widget.objectName()
        assert widget.focusPolicy() == Qt.FocusPolicy.NoFocus, widget.objectName()


def test_video_surfaces_are_native_black_and_fill_the_stage(stage: StageWindow) -> None:
    ids = set()
    for slot in ("A", "B"):
        surface = stage.video_surface(slot)
        assert surface.testAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        assert surface.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        assert surface.testAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        assert surface.geometry() == stage.rect()
        ids.add(int(surface.winId()))
        image = surface.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        assert image.pixel(10, 10) & 0xFFFFFF == 0
    assert len(ids) == 2
    with pytest.raises(ValueError, match="no video slot"):
        stage.video_surface("C")


def test_cuts_raise_the_right_layer(stage: StageWindow, qtbot: QtBot) -> None:
    assert layer(stage) is Layer.CARD
    assert isinstance(stage.cards.card, HoldingCard)
    assert top_layer(stage) is stage.cards
    stage.show_video("A")
    assert layer(stage) is Layer.VIDEO_A
    assert top_layer(stage) is stage.video_surface("A")
    assert not stage.cards.ticking  # the holding clock stops while the film shows
    stage.show_video("B")
    assert top_layer(stage) is stage.video_surface("B")
    programme = stage.programme
    with qtbot.waitSignal(stage.frame_shown, timeout=3000):
        stage.show_card(TitleCard.for_film(programme.films[0], programme))
    assert layer(stage) is Layer.CARD
    assert top_layer(stage) is stage.cards


def test_fade_to_black_and_back_over_a_card(stage: StageWindow, qtbot: QtBot) -> None:
    stage.show_card(EndCard(stage.config))
    with qtbot.waitSignal(stage.black_changed, timeout=3000) as blocker:
        stage.set_black(True, fade_s=0.3)
        assert black(stage)  # fading counts as black at once
        assert top_layer(stage) is stage.curtain
    assert blocker.args == [True]
    image = stage.curtain.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert image.pixel(image.width() // 2, image.height() // 2) & 0xFFFFFF == 0
    # a cut while black stays under the curtain
    stage.show_video("A")
    assert top_layer(stage) is stage.curtain
    stage.show_card(BlackCard())
    assert top_layer(stage) is stage.curtain
    with qtbot.waitSignal(stage.black_changed, timeout=3000) as blocker:
        stage.set_black(False, fade_s=0.3)
    assert blocker.args == [False]
    assert not black(stage)
    assert not stage.curtain.isVisible()
    assert top_layer(stage) is stage.cards


def test_cut_to_black_over_a_film_is_instant(stage: StageWindow, qtbot: QtBot) -> None:
    stage.show_video("A")
    with qtbot.waitSignal(stage.black_changed, timeout=1000):
        stage.set_black(True)
    assert black(stage) and top_layer(stage) is stage.curtain
    stage.set_black(True)  # already black: nothing happens
    with qtbot.waitSignal(stage.black_changed, timeout=1000):
        stage.set_black(False, fade_s=2.0)  # over a film, coming back is a cut
    assert not black(stage)
    assert top_layer(stage) is stage.video_surface("A")


def test_caption_shows_only_over_a_film(stage: StageWindow, qtbot: QtBot) -> None:
    line = "她說：「我們回家吧。」 She said: let's go home."
    stage.show_video("A")
    stage.set_subtitle(line)
    assert stage.subtitle == line
    assert stage.caption.isVisible() and top_layer(stage) is stage.caption
    box = stage.caption.geometry()
    width, height = stage.width(), stage.height()
    assert box.left() >= width * 0.05 and box.right() <= width * 0.95
    assert box.bottom() <= height * 0.95
    assert abs(box.center().x() - width / 2) <= 2
    image = stage.caption.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    lit = sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixelColor(x, y).lightness() > 200
    )
    assert lit > 100  # white text on the black box
    stage.show_card(BlackCard())
    assert not stage.caption.isVisible()  # never over a card
    stage.show_video("A")
    assert stage.caption.isVisible()
    with qtbot.waitSignal(stage.black_changed, timeout=1000):
        stage.set_black(True)
    assert not stage.caption.isVisible()  # never over black
    with qtbot.waitSignal(stage.black_changed, timeout=1000):
        stage.set_black(False)
    assert stage.caption.isVisible()
    stage.set_subtitle("一" * 400)  # far too long: wrapped, never shrunk, inside the safe width
    assert stage.caption.geometry().width() <= width * 0.9 + 1
    assert stage.caption.geometry().top() >= height * 0.05 - 1
    stage.set_subtitle(None)
    assert subtitle(stage) is None
    assert not stage.caption.isVisible()


def test_place_on_unknown_screen_falls_back_to_one_that_exists(stage: StageWindow) -> None:
    stage.place_on_screen("NO-SUCH-PROJECTOR")
    assert stage.screen_name() == stage.screen().name()
    assert stage.geometry() == stage.screen().geometry()


def test_fade_to_black_over_a_film_runs_over_a_still_of_the_frame(
    stage: StageWindow, qtbot: QtBot
) -> None:
    stage.show_video("B")
    stage.set_black(True, fade_s=0.4)
    assert stage.curtain.still is not None  # the frame as it was on screen
    assert 0.0 <= stage.curtain.level < 1.0
    with qtbot.waitSignal(stage.black_changed, timeout=3000) as blocker:
        pass
    assert blocker.args == [True]
    assert stage.curtain.level == 1.0
    assert stage.curtain.still is None
