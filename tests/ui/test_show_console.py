"""The show from the console: real StageWindow (offscreen), real libvlc (dummy outputs), real
clips and a real event database; the operator's keys go through Qt."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.show import FilmStatus, ShowPhase
from kiosk.media.player import SlotState
from kiosk.night.show import ShowController
from kiosk.render.cards import BlackCard, TitleCard
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.ui.console.window import ConsoleWindow
from kiosk.ui.stage.window import StageWindow
from tests.conftest import film_toml, write_event
from tests.ui.conftest import ConsoleFactory

# not serial: nothing here is timed; each check waits for the show's state (a film's start
# with a bounded wait), and the guards' waits only err on the safe side on a slow machine
pytestmark = [pytest.mark.vlc, pytest.mark.slow]


def show_of(window: ConsoleWindow) -> ShowController:
    show = window.night.show
    assert show is not None
    return show


def phase(window: ConsoleWindow) -> ShowPhase:
    return show_of(window).snapshot().phase


def key(
    qtbot: QtBot, window: ConsoleWindow, which: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier
):
    qtbot.keyClick(window, which, modifier)


def journal_kinds(event: EventFolder) -> list[str]:
    return [e.kind for e in Journal(event.open_db()).entries()]


def go_to_first_film(qtbot: QtBot, window: ConsoleWindow) -> ShowController:
    show = show_of(window)
    key(qtbot, window, Qt.Key.Key_Space)
    assert phase(window) is ShowPhase.CARD
    qtbot.waitUntil(lambda: (show.snapshot().film_elapsed_s or 0) > 0.2, timeout=8000)
    return show


def test_go_runs_title_card_then_film_and_journals_it(
    qtbot: QtBot, console: ConsoleWindow, small_event: EventFolder
) -> None:
    show = show_of(console)
    stage = console.night.projector.stage
    assert isinstance(stage, StageWindow)
    assert phase(console) is ShowPhase.HOLDING
    assert "press GO" in console.show_panel.phase_label.text()  # type: ignore[union-attr]
    key(qtbot, console, Qt.Key.Key_Space)
    assert isinstance(stage.cards.card, TitleCard)
    assert stage.cards.card.film.id == "A1"
    qtbot.waitUntil(lambda: phase(console) is ShowPhase.FILM, timeout=6000)
    assert show.on_stage == "A" and stage.layer.value == "A"
    qtbot.waitUntil(lambda: show.players.state_of("A") is SlotState.PLAYING, timeout=3000)
    qtbot.waitUntil(lambda: "film_started" in journal_kinds(small_event), timeout=3000)
    panel = console.show_panel
    assert panel is not None  # redrawn after the cut's picture (AfterPaints)
    qtbot.waitUntil(lambda: panel.run_model.states["A1"] is FilmStatus.PLAYING)
    assert panel.now_title.text() == "1. Film A1"
    # the film ends by the clock and the next title card follows
    qtbot.waitUntil(lambda: show.machine.cue.key == "card:A2", timeout=6000)
    assert show.snapshot().status_of("A1") is FilmStatus.PLAYED
    assert console.night.runner.settle()
    ended = [e for e in Journal(small_event.open_db()).entries("film_ended")]
    assert ended and ended[0].subject == "A1"


def test_a_cards_end_is_a_precise_timer_not_the_next_tick(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    show = show_of(console)
    key(qtbot, console, Qt.Key.Key_Space)
    assert phase(console) is ShowPhase.CARD
    ends = show.machine.countdown_ends_at(show.now())
    assert ends is not None
    # the one-shot cut timer is aimed at the countdown's end (the 25 ms tick would cut up
    # to a tick late)
    assert show._cut_timer.isActive()
    assert show._cut_timer.remainingTime() == pytest.approx((ends - show.now()) * 1000, abs=30)
    key(qtbot, console, Qt.Key.Key_P)  # paused: the countdown stands still, nothing aimed
    assert phase(console) is ShowPhase.PAUSED
    assert not show._cut_timer.isActive()
    key(qtbot, console, Qt.Key.Key_P)  # resumed: aimed again at what is left
    ends = show.machine.countdown_ends_at(show.now())
    assert ends is not None and show._cut_timer.isActive()
    assert show._cut_timer.remainingTime() == pytest.approx((ends - show.now()) * 1000, abs=30)


def test_double_go_is_ignored_and_shown(qtbot: QtBot, console: ConsoleWindow) -> None:
    key(qtbot, console, Qt.Key.Key_Space)
    key(qtbot, console, Qt.Key.Key_Space)  # a bounce: within the 1 s guard
    assert show_of(console).machine.cue.key == "card:A1"
    panel = console.show_panel
    assert panel is not None and "GO ignored" in panel.go_feedback.text()


def test_pause_resume_and_seek_keys(qtbot: QtBot, console: ConsoleWindow) -> None:
    show = go_to_first_film(qtbot, console)
    key(qtbot, console, Qt.Key.Key_P)
    assert phase(console) is ShowPhase.PAUSED
    assert show.players.state_of("A") is SlotState.PAUSED
    held = show.snapshot().film_elapsed_s
    qtbot.wait(400)
    assert show.snapshot().film_elapsed_s == held
    key(qtbot, console, Qt.Key.Key_P)
    assert phase(console) is ShowPhase.FILM
    assert show.players.state_of("A") is SlotState.PLAYING
    key(qtbot, console, Qt.Key.Key_BracketLeft)  # −10 s: back to the start
    assert (show.snapshot().film_elapsed_s or 0) < 0.3


def test_fade_and_instant_black(qtbot: QtBot, console: ConsoleWindow) -> None:
    show = go_to_first_film(qtbot, console)
    stage = console.night.projector.stage
    assert isinstance(stage, StageWindow)
    key(qtbot, console, Qt.Key.Key_Escape)
    assert phase(console) is ShowPhase.BLACK and stage.black
    assert show.players.state_of("A") is SlotState.PAUSED
    key(qtbot, console, Qt.Key.Key_Escape)  # Esc again lifts the black
    assert phase(console) is ShowPhase.FILM
    key(qtbot, console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)
    assert phase(console) is ShowPhase.BLACK and stage.black
    qtbot.wait(1100)  # past the GO guard
    key(qtbot, console, Qt.Key.Key_Space)  # GO lifts the black too
    assert phase(console) is ShowPhase.FILM


def test_skip_and_back(qtbot: QtBot, console: ConsoleWindow) -> None:
    show = go_to_first_film(qtbot, console)
    key(qtbot, console, Qt.Key.Key_N)
    assert show.machine.cue.key == "card:A2"
    assert show.snapshot().status_of("A1") is FilmStatus.SKIPPED
    panel = console.show_panel
    assert panel is not None  # the run order is redrawn after the cut's picture (AfterPaints)
    qtbot.waitUntil(lambda: panel.run_model.states["A1"] is FilmStatus.SKIPPED)
    key(qtbot, console, Qt.Key.Key_Left)  # back: the film before the card, again
    assert show.machine.cue.key == "film:A1"
    qtbot.waitUntil(lambda: show.players.state_of(show.on_stage or "A") is SlotState.PLAYING)
    key(qtbot, console, Qt.Key.Key_Right)
    assert show.machine.cue.key == "card:A2"
    assert console.night.runner.settle()
    assert "skipped" in journal_kinds(console.open_event.folder)


def test_volume_mute_and_trim_are_applied_and_journalled(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    show = go_to_first_film(qtbot, console)
    key(qtbot, console, Qt.Key.Key_M)
    assert show.players.muted
    key(qtbot, console, Qt.Key.Key_Minus)
    assert show.players.master_volume == 95
    key(qtbot, console, Qt.Key.Key_Period)
    assert show.players.trim_of("A1") == 0.5
    assert console.night.runner.settle()  # the show's journal is written on its own thread
    kinds = journal_kinds(console.open_event.folder)
    assert {"mute", "master_volume", "gain_trim"} <= set(kinds)
    assert show.players.level_of("A1").gain_db == pytest.approx(show.players.gain_of("A1"))


def test_the_sound_set_last_comes_back_with_the_console_and_stays_at_start_over(
    qtbot: QtBot, console_factory: ConsoleFactory, small_event: EventFolder
) -> None:
    """Read back once, before the console's windows (not by each show as it opens)."""
    first = console_factory(small_event)
    show = go_to_first_film(qtbot, first)
    key(qtbot, first, Qt.Key.Key_Minus)
    key(qtbot, first, Qt.Key.Key_Period)
    assert show.players.master_volume == 95 and show.players.trim_of("A1") == 0.5
    first.close()
    qtbot.waitUntil(lambda: not first.isVisible())
    again = console_factory(small_event)
    players = show_of(again).players
    assert players.master_volume == 95 and players.trim_of("A1") == 0.5
    again.night.start_over()
    assert show_of(again).players.master_volume == 95


@pytest.fixture
def broken_event(tmp_path: Path, clips: dict[str, Path]) -> EventFolder:
    return write_event(
        tmp_path / "broken",
        [
            film_toml("OK1", clips["good"]),
            film_toml("GONE", tmp_path / "missing.mp4"),
            film_toml("FAKE", clips["fake"]),
            film_toml("OK2", clips["good"]),
        ],
    )


@pytest.mark.logs_errors  # a failing film is an operator error message
@pytest.mark.parametrize(("film", "reason"), [("GONE", "missing"), ("FAKE", "no picture")])
def test_a_failing_film_alerts_and_skip_moves_on(
    qtbot: QtBot,
    console_factory: ConsoleFactory,
    broken_event: EventFolder,
    film: str,
    reason: str,
) -> None:
    window = console_factory(broken_event)
    show = show_of(window)
    show.jump_to(f"card:{film}")
    qtbot.wait(1100)
    key(qtbot, window, Qt.Key.Key_Space)  # GO ends the card: the film should start
    qtbot.waitUntil(lambda: phase(window) is ShowPhase.FAILED, timeout=8000)
    stage = window.night.projector.stage
    assert isinstance(stage, StageWindow)
    assert isinstance(stage.cards.card, BlackCard)
    panel = window.show_panel
    assert panel is not None
    # the Show tab redraws after the cut's picture (AfterPaints): one turn of the event loop
    # after the phase changed, which the wait above may or may not have run
    qtbot.waitUntil(panel.alert.isVisible)
    assert film in panel.alert_text.text() and reason in panel.alert_text.text()
    assert "Retry" in panel.alert_retry.text() and "Skip" in panel.alert_skip.text()
    assert show.snapshot().status_of(film) is FilmStatus.FAILED
    assert window.night.runner.settle()
    assert "film_failed" in journal_kinds(broken_event)
    qtbot.mouseClick(panel.alert_skip, Qt.MouseButton.LeftButton)
    assert phase(window) is not ShowPhase.FAILED
    qtbot.waitUntil(lambda: not panel.alert.isVisible())  # redrawn after the cut's picture
    assert show.snapshot().status_of(film) is FilmStatus.FAILED  # stays failed in the record
    window.close()
