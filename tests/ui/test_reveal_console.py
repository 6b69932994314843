"""The award reveal from the console: a real sealed results file, the real passphrase dialog,
the real StageWindow (offscreen), real libvlc playing the winner's clip, the real journal."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.awards import REVEAL_KINDS, StepKind
from kiosk.render.cards import EndCard, HoldingCard
from kiosk.render.reveal_cards import WinnerCard
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.ui.console.window import ConsoleWindow
from kiosk.ui.stage.window import StageWindow
from tests.ui.conftest import ConsoleFactory
from tests.ui.reveal_helpers import (
    CITATION,
    PASSPHRASE,
    current_kind,
    is_true,
    open_console_window,
    reveal_panel,
    slot_up,
    space,
    start_reveal,
    to_the_end_of_the_show,
)

pytestmark = [pytest.mark.vlc, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"


def test_a_wrong_passphrase_is_said_and_nothing_starts(
    qtbot: QtBot, sealed_console: ConsoleWindow
) -> None:
    to_the_end_of_the_show(sealed_console)
    panel = start_reveal(qtbot, sealed_console, "not the passphrase")
    dialog = panel.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.error.isVisible, timeout=60000)
    assert "passphrase" in dialog.error.text().lower()
    assert dialog.fields[0].text() == ""
    assert not panel.active
    dialog.reject()


def test_the_reveal_steps_with_the_show_keys_and_plays_the_clip(
    qtbot: QtBot, sealed_console: ConsoleWindow, sealed_event: EventFolder
) -> None:
    stage = sealed_console.night.projector.stage
    assert isinstance(stage, StageWindow)
    to_the_end_of_the_show(sealed_console)
    panel = start_reveal(qtbot, sealed_console)
    qtbot.waitUntil(lambda: panel.active, timeout=60000)
    assert sealed_console.tabs.currentWidget() is panel
    controller = panel.controller
    assert controller is not None and controller.sting is not None
    assert "Not started" not in panel.now_award.text()

    space(qtbot, sealed_console)  # opening card
    assert current_kind(panel) is StepKind.OPENING
    space(qtbot, sealed_console)  # Best Film
    assert current_kind(panel) is StepKind.CATEGORY
    assert "Best Film" in panel.now_award.text() and "最佳影片" in panel.now_award.text()
    space(qtbot, sealed_console, 2)  # nominees, envelope
    assert current_kind(panel) is StepKind.ENVELOPE
    assert controller.sting.plays == 1
    # the console names the award and the step, never the film, before the winner is shown
    console_text = " ".join(
        w.text() for w in (panel.now_award, panel.now_step, panel.next_award, panel.next_step)
    )
    assert "F11" not in console_text and CITATION not in console_text
    assert "WINNER" in panel.next_step.text()

    space(qtbot, sealed_console)  # the winner
    assert current_kind(panel) is StepKind.WINNER
    card = stage.cards.card
    assert isinstance(card, WinnerCard) and card.winner.film.id == "F11"
    assert card.place.award.id == "best-film"

    space(qtbot, sealed_console)  # the clip, on the show's player
    assert current_kind(panel) is StepKind.CLIP
    assert slot_up(controller) == "A"
    # it ends by itself at clip_end and the winner card comes back
    qtbot.waitUntil(lambda: not controller.snapshot().clip_playing, timeout=10000)
    assert slot_up(controller) is None
    assert isinstance(stage.cards.card, WinnerCard)

    # black and the holding slide are one key away and keep the place
    qtbot.keyClick(sealed_console, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)
    assert controller.snapshot().black and stage.black
    space(qtbot, sealed_console)
    assert not controller.snapshot().black
    assert current_kind(panel) is StepKind.CLIP  # still at the same step
    qtbot.keyClick(sealed_console, Qt.Key.Key_H)
    assert isinstance(stage.cards.card, HoldingCard)
    qtbot.keyClick(sealed_console, Qt.Key.Key_H)
    assert isinstance(stage.cards.card, WinnerCard)

    # the show's keys do nothing to the show while the reveal runs
    show = sealed_console.night.show
    assert show is not None and show.players_lent

    entries = list(Journal(sealed_event.open_db()).entries(*REVEAL_KINDS))
    assert [e.kind for e in entries].count("reveal_step") >= 6
    text = json.dumps([e.data for e in entries] + [e.subject for e in entries])
    for secret in ("F11", "F03", "F17", CITATION):
        assert secret not in text

    qtbot.keyClick(
        sealed_console,
        Qt.Key.Key_End,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert not panel.active and not is_true(show.players_lent)
    assert isinstance(stage.cards.card, EndCard)


def test_a_go_pressed_as_the_passphrase_dialog_closes_is_not_lost(
    qtbot: QtBot, sealed_console: ConsoleWindow
) -> None:
    """The race that lost the reveal's first GO under load, made certain: Space is pressed the
    moment the passphrase dialog closes, before the window system has made the console the
    active window again (closing the dialog leaves no active window, and Qt matches the
    console's application shortcuts only while one is active). It must step the reveal."""
    to_the_end_of_the_show(sealed_console)
    panel = start_reveal(qtbot, sealed_console)
    dialog = panel.dialog
    assert dialog is not None
    pressed: dict[str, object] = {}

    def go_at_once() -> None:  # runs right after the panel's own handler, in the same pass
        pressed["active window"] = QApplication.activeWindow()
        pressed["reveal running"] = panel.active
        qtbot.keyClick(sealed_console, Qt.Key.Key_Space)
        pressed["step"] = current_kind(panel)

    dialog.accepted.connect(go_at_once)
    qtbot.waitUntil(lambda: "step" in pressed, timeout=60000)
    assert pressed["active window"] is None  # the gap the race needs is really there
    assert pressed["reveal running"] is True
    assert pressed["step"] is StepKind.OPENING
    assert "Opening" in panel.now_step.text()
    assert "Reveal · GO" in sealed_console.log_view.toPlainText()  # logged like any other GO


def test_a_reveal_killed_mid_way_resumes_at_the_same_step_under_black(
    qtbot: QtBot, sealed_event: EventFolder
) -> None:
    """A real console process runs the reveal to "and the award goes to…" and is SIGKILLed;
    the next console holds the projector black and resumes there once the seal is opened."""
    child = Path(__file__).with_name("reveal_child.py")
    process = subprocess.Popen(
        [sys.executable, str(child), str(sealed_event.root), PASSPHRASE, "4"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line == "AT 3", line  # step 4: best-film's "and the award goes to…"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    again = open_console_window(qtbot, sealed_event)  # the event lock died with the process
    try:
        stage = again.night.projector.stage
        assert isinstance(stage, StageWindow)
        panel = reveal_panel(again)
        # the tab's reader finds the interrupted reveal (off the GUI thread) and blacks out
        qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
        assert stage.black
        assert again.tabs.currentWidget() is panel
        assert panel.interrupted_text.isVisible()
        assert "step 4" in panel.interrupted_text.text()
        assert "Best Film" in panel.interrupted_text.text()
        to_the_end_of_the_show(again)
        panel = start_reveal(qtbot, again)
        qtbot.waitUntil(lambda: panel.active, timeout=60000)
        assert current_kind(panel) is StepKind.ENVELOPE
        assert panel.controller is not None and panel.controller.snapshot().black
        assert stage.black
        space(qtbot, again)  # GO: the same step comes back, without the sting
        assert current_kind(panel) is StepKind.ENVELOPE
        assert not is_true(stage.black)
        assert panel.controller.sting is not None and panel.controller.sting.plays == 0
        space(qtbot, again)
        assert current_kind(panel) is StepKind.WINNER
    finally:
        again.close()


@pytest.mark.logs_errors  # the refusal is an operator error message
def test_no_seal_means_the_reveal_cannot_start(qtbot: QtBot, demo_event: EventFolder) -> None:
    demo_event.sealed_results_path.unlink(missing_ok=True)
    window = open_console_window(qtbot, demo_event)
    try:
        panel = reveal_panel(window)
        qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
        assert not panel.start_button.isEnabled()
        assert "results seal" in panel.seal_text.text()
        qtbot.keyClick(window, Qt.Key.Key_F8)
        qtbot.waitUntil(lambda: not panel.busy, timeout=30000)  # F8 read the seal again
        assert panel.dialog is None and not panel.active
    finally:
        window.close()


@pytest.mark.logs_errors  # the refusal is logged and said as an error
def test_the_reveal_waits_for_the_show_to_end(qtbot: QtBot, sealed_console: ConsoleWindow) -> None:
    show = sealed_console.night.show
    assert show is not None
    show.jump_to("card:F01")
    panel = start_reveal(qtbot, sealed_console)
    qtbot.waitUntil(lambda: panel.dialog is None or not panel.dialog.isVisible(), timeout=60000)
    assert not panel.active
    assert "under way" in sealed_console.log_view.toPlainText()


def test_nothing_written_names_a_winner_before_the_winner_card(
    qtbot: QtBot, sealed_event: EventFolder
) -> None:
    """Every file of the event (database, WAL, journal, logs at DEBUG), scanned after the
    reveal reached "and the award goes to…", holds no winner's title and no citation."""
    sealed_event.logs_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(sealed_event.logs_dir / "kiosk.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        window = open_console_window(qtbot, sealed_event)
        to_the_end_of_the_show(window)
        panel = start_reveal(qtbot, window)
        qtbot.waitUntil(lambda: panel.active, timeout=60000)
        space(qtbot, window, 4)
        assert current_kind(panel) is StepKind.ENVELOPE
        window.close()
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)

    config = sealed_event.load_config()
    programme = sealed_event.load_programme(config)
    secrets = [CITATION, "秘密評語"]
    for film_id in ("F11", "F18", "F04"):
        film = programme.film(film_id)
        secrets += [film.title_en, film.title_zh]
    skipped = {programme.source.resolve(), config.source.resolve()}  # public: every title
    scanned = 0
    for path in sealed_event.root.rglob("*"):
        if not path.is_file() or path.resolve() in skipped:
            continue
        if path.suffix.lower() in {".mp4", ".srt", ".png", ".jpg", ".jpeg"}:
            continue  # the films, their subtitles and stills
        data = path.read_bytes()
        scanned += 1
        for secret in secrets:
            assert secret.encode("utf-8") not in data, f"{secret!r} found in {path}"
    assert scanned >= 3  # the database, its WAL or journal, the log
    assert (sealed_event.logs_dir / "kiosk.log").stat().st_size > 0


def test_the_step_list_keeps_its_room_beside_the_preview_on_a_laptop(
    qtbot: QtBot, console_factory: ConsoleFactory, sealed_event: EventFolder
) -> None:
    """Issue #23 item 4: at 1366x768 the projector preview took the step list's room (about
    three steps showed). In a laptop's client area (the screen less the desktop's bars) the
    list and the preview do not overlap, the list shows at least eight steps, and the current
    step is always in view as GO moves down the list."""
    window = console_factory(sealed_event, 1366, 768 - 60)
    to_the_end_of_the_show(window)
    panel = start_reveal(qtbot, window)
    qtbot.waitUntil(lambda: panel.active, timeout=60000)
    QApplication.processEvents()
    steps, preview = panel.steps, panel.preview
    list_box = QRect(steps.mapTo(panel, QPoint(0, 0)), steps.size())
    preview_box = QRect(preview.mapTo(panel, QPoint(0, 0)), preview.size())
    assert not list_box.intersects(preview_box), (list_box, preview_box)
    row_height = steps.visualItemRect(steps.item(0)).height()
    assert steps.viewport().height() >= min(8, steps.count()) * row_height, (
        steps.viewport().height(),
        row_height,
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "reveal-1366x708.png"))
    for _ in range(steps.count() - 1):
        space(qtbot, window)
        QApplication.processEvents()
        step = panel.controller.snapshot().current if panel.controller else None
        assert step is not None
        shown = steps.visualItemRect(steps.item(step.index))
        view = steps.viewport().rect()
        assert view.top() <= shown.top() and shown.bottom() <= view.bottom(), (step.index, shown)
        assert shown.width() <= view.width(), "a step is cut at the right"
        if panel.controller is not None and panel.controller.snapshot().clip_playing:
            qtbot.waitUntil(lambda: not panel.controller.snapshot().clip_playing, timeout=20000)  # type: ignore[union-attr]
