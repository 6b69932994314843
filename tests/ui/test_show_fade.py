"""Lifting the black over a film: the film fades itself up and the black curtain drops under it.

Real StageWindow (offscreen), real libvlc (dummy outputs), real clips; what the audience sees
is recorded off a real X display in tests/integration/test_stage_fade.py.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.picture_lift import PROOF_WITHIN_S, ease
from kiosk.core.show import ShowPhase
from kiosk.media import vlc_log
from kiosk.night.show import ShowController
from kiosk.ui.console.window import ConsoleWindow
from kiosk.ui.stage.window import StageWindow

pytestmark = [pytest.mark.vlc, pytest.mark.slow, pytest.mark.serial]


def first_film(qtbot: QtBot, window: ConsoleWindow) -> ShowController:
    show = window.night.show
    assert show is not None
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: (show.snapshot().film_elapsed_s or 0) > 0.2, timeout=8000)
    return show


def test_unblack_over_a_film_fades_it_up_and_drops_the_curtain_once_libvlc_has_the_filter(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    show = first_film(qtbot, console)
    stage = console.night.projector.stage
    tap = console.night.log_tap
    assert isinstance(stage, StageWindow) and tap is not None
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)  # cut to black
    assert stage.black and not show.players.fading("A")
    lines: list[tuple[str, float]] = []  # libvlc's word that a video filter is in
    tap.filter_added.connect(lambda name, at: lines.append((name, at)))
    lifted: list[float] = []
    stage.black_changed.connect(lambda black: None if black else lifted.append(time.monotonic()))
    qtbot.keyClick(console, Qt.Key.Key_Escape)  # lift it (a 2 s fade)
    assert show.snapshot().phase is ShowPhase.FILM
    assert show.players.fading("A")  # libvlc blacks the picture and will ramp it up
    assert stage.black and not lines  # the curtain stays until libvlc says the filter is in
    assert show.players.picture_level("A") == 0.0  # held at black until then
    qtbot.waitUntil(lambda: not stage.black, timeout=3000)
    assert [name for name, _ in lines] == ["adjust"] and lines[0][1] <= lifted[0]
    assert not stage.curtain.isVisible()
    qtbot.waitUntil(lambda: not show.players.fading("A"), timeout=4000)  # filter off again


def first_film_unheard(
    qtbot: QtBot, console: ConsoleWindow, monkeypatch: pytest.MonkeyPatch
) -> tuple[ShowController, StageWindow]:
    """The first film up, the night's libvlc log tap hearing no filter lines (a libvlc that
    logs otherwise); the show and the stage."""
    monkeypatch.setattr(vlc_log, "added_filter", lambda _module, _message: None)
    show = first_film(qtbot, console)
    stage = console.night.projector.stage
    assert isinstance(stage, StageWindow)
    return show, stage


def test_with_no_word_from_libvlc_the_film_fades_up_under_the_curtain_and_then_it_drops(
    qtbot: QtBot, console: ConsoleWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    show, stage = first_film_unheard(qtbot, console, monkeypatch)
    qtbot.keyClick(console, Qt.Key.Key_P)  # paused: the 2 s film outlasts the fallback
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)
    lifted: list[float] = []
    stage.black_changed.connect(lambda black: None if black else lifted.append(time.monotonic()))
    pressed = time.monotonic()
    qtbot.keyClick(console, Qt.Key.Key_Escape)  # lift it (a 2 s fade)
    qtbot.waitUntil(lambda: show.players.picture_level("A") > 0, timeout=4000)
    assert stage.black  # the ramp runs under the curtain, from PROOF_WITHIN_S on
    assert time.monotonic() - pressed >= PROOF_WITHIN_S
    qtbot.waitUntil(lambda: not stage.black, timeout=5000)
    assert not show.players.fading("A")  # the curtain dropped with the film at full
    assert lifted[0] - pressed >= PROOF_WITHIN_S + 2.0
    assert show.snapshot().phase is ShowPhase.PAUSED  # still the film, up


def test_a_film_that_ends_while_its_curtain_waits_leaves_no_black_over_the_next_card(
    qtbot: QtBot, console: ConsoleWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    show, stage = first_film_unheard(qtbot, console, monkeypatch)
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(console, Qt.Key.Key_Escape)  # lift: the film (2 s) ends under the curtain
    qtbot.waitUntil(lambda: show.snapshot().phase is not ShowPhase.FILM, timeout=6000)
    assert not stage.black and not stage.curtain.isVisible()  # the next card is up, not black


def test_black_again_before_the_curtain_drops_keeps_it_down(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    show = first_film(qtbot, console)
    stage = console.night.projector.stage
    tap = console.night.log_tap
    assert isinstance(stage, StageWindow) and tap is not None
    lines: list[str] = []
    tap.filter_added.connect(lambda name, _at: lines.append(name))
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(console, Qt.Key.Key_Escape)  # lift...
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)  # ...and not
    qtbot.waitUntil(lambda: "adjust" in lines, timeout=3000)  # libvlc has the filter in
    qtbot.wait(200)
    assert show.snapshot().phase is ShowPhase.BLACK
    assert stage.black and stage.curtain.isVisible()


def test_the_ramp_eases_in_and_out() -> None:
    assert ease(-1) == 0 and ease(0) == 0 and ease(1) == 1 and ease(2) == 1
    assert ease(0.5) == pytest.approx(0.5)
    assert ease(0.1) < 0.1 and ease(0.9) > 0.9
