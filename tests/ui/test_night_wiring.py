"""The running night wired end to end, with real libvlc (dummy outputs), real sealed results,
the real console and the real journal: after a rehearsal, Start over then the whole reveal with
the winner's clip playing on live players; restoring after SIGKILL then Start over; and a
warning posted before the console listened still reaching its log panel."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from kiosk.core.awards import StepKind
from kiosk.core.show import ShowPhase
from kiosk.media.player import SlotState
from kiosk.night import KeyMode
from kiosk.night.show import read_resume_point
from kiosk.render.cards import EndCard, HoldingCard
from kiosk.render.reveal_cards import WinnerCard
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.ui.console.window import ConsoleWindow
from kiosk.ui.stage.window import StageWindow
from tests.ui.app_process import main_py, offscreen_env
from tests.ui.reveal_helpers import (
    current_kind,
    open_console_window,
    slot_up,
    space,
    start_reveal,
)

pytestmark = [pytest.mark.vlc, pytest.mark.slow]


def stage_of(window: ConsoleWindow) -> StageWindow:
    stage = window.night.projector.stage
    assert isinstance(stage, StageWindow)
    return stage


def start_over_by_key(qtbot: QtBot, window: ConsoleWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+Shift+Home, answering Yes to the console's question."""
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    )
    qtbot.keyClick(
        window,
        Qt.Key.Key_Home,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )


def mode_of(window: ConsoleWindow) -> KeyMode:
    return window.night.mode


def kinds_of(event: EventFolder) -> list[str]:
    return [e.kind for e in Journal(event.open_db()).entries()]


def play_the_whole_reveal(qtbot: QtBot, window: ConsoleWindow) -> None:
    """From the end card: open the seal, GO through every step; the winner's clip must play
    on the projector's players (picture up, time running) and end by itself."""
    stage = stage_of(window)
    players = window.night.projector.players
    panel = start_reveal(qtbot, window)
    qtbot.waitUntil(lambda: panel.active, timeout=60000)
    assert mode_of(window) is KeyMode.REVEAL
    controller = panel.controller
    assert controller is not None and controller is window.night.reveal
    assert controller.players is players  # the night's one projector, not a copy
    clips = 0
    while controller.snapshot().next is not None:
        space(qtbot, window)
        if current_kind(panel) is StepKind.WINNER:
            assert isinstance(stage.cards.card, WinnerCard)
        if current_kind(panel) is StepKind.CLIP and controller.snapshot().clip_playing:
            clips += 1
            assert controller.on_stage == "A" and stage.layer.value == "A"  # picture up
            qtbot.waitUntil(lambda: players.state_of("A") is SlotState.PLAYING, timeout=5000)
            started_at = players.time_of("A")

            def running(since: float = started_at) -> bool:
                return players.time_of("A") > since + 0.2

            qtbot.waitUntil(running, timeout=5000)  # the clip's time runs on a live player
            qtbot.waitUntil(lambda: not controller.snapshot().clip_playing, timeout=10000)
            assert slot_up(controller) is None and isinstance(stage.cards.card, WinnerCard)
        qtbot.wait(50)  # the card goes up (the reveal has no GO guard)
    assert clips >= 1
    assert controller.snapshot().current is not None
    qtbot.keyClick(
        window,
        Qt.Key.Key_End,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert mode_of(window) is KeyMode.SHOW and not panel.active
    assert isinstance(stage.cards.card, EndCard)


def rehearse_briefly(event: EventFolder) -> None:
    """`rehearse` as a real process until a film plays, then Ctrl+C (SIGTERM): it stops cleanly."""
    process = subprocess.Popen(
        main_py("--event", str(event.root), "rehearse", "--straight-cut"),
        env=offscreen_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while "film_started" not in kinds_of(event):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) in (0, 1)


def test_after_a_rehearsal_start_over_then_the_full_reveal_plays_the_clip_on_live_players(
    qtbot: QtBot, sealed_event: EventFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rehearsal ran on the event; the console restores its show, the operator plays a film,
    starts the night over, and at the end the whole reveal runs, the winner's clip playing on
    the projector's players (the ones the new show uses, never released ones)."""
    rehearse_briefly(sealed_event)
    resets = kinds_of(sealed_event).count("show_reset")
    assert resets >= 1  # the rehearsal's own
    window = open_console_window(qtbot, sealed_event)
    try:
        night = window.night
        first = night.show
        assert first is not None
        first.jump_to("card:F01")
        space(qtbot, window)  # GO: film 1 plays
        qtbot.waitUntil(lambda: first.snapshot().phase is ShowPhase.FILM, timeout=8000)
        replaced: list[object] = []
        night.show_replaced.connect(replaced.append)
        start_over_by_key(qtbot, window, monkeypatch)
        second = night.show
        assert second is not None and second is not first and replaced == [second]
        assert first.closed and not night.projector.closed
        assert window.show_panel is not None and window.show_panel.controller is second
        assert second.snapshot().phase is ShowPhase.HOLDING
        assert isinstance(stage_of(window).cards.card, HoldingCard)
        assert night.runner.settle()  # the journal is written on its own thread
        assert kinds_of(sealed_event).count("show_reset") == resets + 1
        second.jump_to("end")
        play_the_whole_reveal(qtbot, window)
    finally:
        window.close()


def test_restore_after_sigkill_then_start_over(
    qtbot: QtBot, long_event: EventFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = subprocess.Popen(
        main_py("--event", str(long_event.root), "rehearse", "--straight-cut"),
        env=offscreen_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            point = read_resume_point(Journal(long_event.open_db()))
            if point is not None and point.cue_key == "film:L2" and point.position_s > 1.0:
                break
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    window = open_console_window(qtbot, long_event)
    try:
        night = window.night
        restored = night.show
        assert restored is not None and restored.snapshot().phase is ShowPhase.PAUSED
        assert "Restored after an interruption" in window.log_view.toPlainText()
        start_over_by_key(qtbot, window, monkeypatch)
        fresh = night.show
        assert fresh is not None and fresh is not restored and restored.closed
        assert fresh.snapshot().phase is ShowPhase.HOLDING
        assert window.show_panel is not None and not window.show_panel.resume_banner.isVisible()
        assert night.runner.settle()  # the show's journal is written on its own thread
        assert read_resume_point(Journal(long_event.open_db())) is not None
        assert kinds_of(long_event)[-2:] == ["show_reset", "cue_started"]
        space(qtbot, window)  # GO: the night plays again from film 1, on the same players
        qtbot.waitUntil(lambda: fresh.snapshot().phase is ShowPhase.FILM, timeout=8000)
        assert fresh.machine.cue.key == "film:L1"
        slot = fresh.on_stage
        assert slot is not None
        players = night.projector.players
        qtbot.waitUntil(lambda: players.state_of(slot) is SlotState.PLAYING, timeout=5000)
        qtbot.waitUntil(lambda: players.time_of(slot) > 0.3, timeout=5000)
    finally:
        window.close()


def test_a_warning_posted_before_the_console_listens_reaches_its_log(
    qtbot: QtBot, long_event: EventFolder
) -> None:
    """The journal names a cue the programme no longer has: the night warns while the console
    is still being built, and the log panel shows it once the console subscribes."""
    Journal(long_event.open_db()).append(
        "cue_started", "film:GONE", {"cue": "film:GONE", "position": 3.0}
    )
    window = open_console_window(qtbot, long_event)
    try:
        text = window.log_view.toPlainText()
        assert "Could not restore the show" in text
        assert text.index("Could not restore the show") < text.index("Event opened")
        show = window.night.show
        assert show is not None and show.snapshot().phase is ShowPhase.HOLDING
    finally:
        window.close()
