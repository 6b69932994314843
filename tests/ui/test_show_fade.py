"""Lifting the black over a film: the film fades itself up and the black curtain drops under it.

Real StageWindow (offscreen), real libvlc (dummy outputs), real clips; what the audience sees
is recorded off a real X display in tests/integration/test_stage_fade.py.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.show import ShowPhase
from kiosk.media.picture_fade import DARK_WITHIN_S, ease
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


def test_unblack_over_a_film_fades_it_up_and_drops_the_curtain_once_it_is_black(
    qtbot: QtBot, console: ConsoleWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = first_film(qtbot, console)
    stage = console.night.projector.stage
    assert isinstance(stage, StageWindow)
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)  # cut to black
    assert stage.black and not show.players.fading("A")
    switched: list[float] = []  # when libvlc's filter was switched on at black (the timer's start)
    fade_in = show.players.fade_in

    def timed_fade_in(slot: str, seconds: float, after_s: float = 0.0) -> bool:
        started = fade_in(slot, seconds, after_s)
        switched.append(time.monotonic())
        return started

    monkeypatch.setattr(show.players, "fade_in", timed_fade_in)
    qtbot.keyClick(console, Qt.Key.Key_Escape)  # lift it (a 2 s fade)
    assert show.snapshot().phase is ShowPhase.FILM
    assert show.players.fading("A")  # libvlc blacks the picture and will ramp it up
    assert stage.black  # the curtain stays until the film's own picture is black
    qtbot.waitUntil(lambda: not stage.black, timeout=2000)
    # not before the picture is black: DARK_WITHIN_S after the switch, never early (measured from
    # after the key press, a loaded run saw 107 ms: the handler's own time, and a coarse timer)
    assert len(switched) == 1 and time.monotonic() - switched[0] >= DARK_WITHIN_S - 0.001
    assert not stage.curtain.isVisible()
    qtbot.waitUntil(lambda: not show.players.fading("A"), timeout=4000)  # filter off again


def test_black_again_before_the_curtain_drops_keeps_it_down(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    show = first_film(qtbot, console)
    stage = console.night.projector.stage
    assert isinstance(stage, StageWindow)
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(console, Qt.Key.Key_Escape)  # lift...
    qtbot.keyClick(console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)  # ...and not
    qtbot.wait(round(DARK_WITHIN_S * 1000) + 200)
    assert show.snapshot().phase is ShowPhase.BLACK
    assert stage.black and stage.curtain.isVisible()


def test_the_ramp_eases_in_and_out() -> None:
    assert ease(-1) == 0 and ease(0) == 0 and ease(1) == 1 and ease(2) == 1
    assert ease(0.5) == pytest.approx(0.5)
    assert ease(0.1) < 0.1 and ease(0.9) > 0.9
