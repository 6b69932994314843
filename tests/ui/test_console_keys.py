"""The console's one key map: keys routed by the night's mode, every operator action in the log
panel, the technical-difficulties slide and the guarded jump (offscreen, real libvlc)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.programme import Programme
from kiosk.core.show import CueKind, FilmStatus, ShowPhase, Snapshot
from kiosk.night.projector import Slide
from kiosk.ui.console import show_panel as show_panel_module
from kiosk.ui.console.keymap import CLICKER_KEYS, CONSOLE_KEYS, KeyMap
from kiosk.ui.console.window import ConsoleWindow
from kiosk.ui.stage.window import StageWindow


@pytest.fixture(autouse=True)
def _the_jump_dialog_chooses_a3(monkeypatch: pytest.MonkeyPatch) -> None:
    def choose(parent: object, programme: Programme, snapshot: Snapshot) -> str | None:
        return "A3"

    monkeypatch.setattr(show_panel_module, "ask_jump", choose)


def log_text(window: ConsoleWindow) -> str:
    QApplication.processEvents()
    return window.log_view.toPlainText()


def stage_of(window: ConsoleWindow) -> StageWindow:
    stage = window.night.projector.stage
    assert isinstance(stage, StageWindow)
    return stage


def test_one_shortcut_per_key_and_no_other_application_shortcuts(console: ConsoleWindow) -> None:
    keys = [key for binding in CONSOLE_KEYS for key in binding.keys]
    assert len(keys) == len(set(keys)), "a key bound twice"
    assert set(console.keys.shortcuts) == set(keys) | set(CLICKER_KEYS)
    assert len(console.findChildren(KeyMap)) == 1


def test_keys_are_logged_and_the_slide_is_one_key_away(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    qtbot.keyClick(console, Qt.Key.Key_Space)
    assert "⌨ GO: Card · A1" in log_text(console)
    qtbot.keyClick(console, Qt.Key.Key_T)
    stage = stage_of(console)
    assert stage.slide_up and stage.black
    show = console.night.show
    assert show is not None and show.snapshot().phase is ShowPhase.BLACK  # the show is held
    assert "⌨ Technical difficulties slide: slide up" in log_text(console)
    qtbot.keyClick(console, Qt.Key.Key_Equal)
    qtbot.keyClick(console, Qt.Key.Key_Minus)
    qtbot.keyClick(console, Qt.Key.Key_M)
    text = log_text(console)
    assert "⌨ Vol +: master 100 %" in text and "⌨ Vol −: master 95 %" in text
    assert "⌨ Mute: muted" in text
    qtbot.wait(1100)  # past the double-GO guard
    qtbot.keyClick(console, Qt.Key.Key_Space)  # GO lifts the black, and the slide with it
    qtbot.waitUntil(lambda: not stage.black, timeout=5000)
    assert not stage_of(console).slide_up
    qtbot.keyClick(console, Qt.Key.Key_P)
    qtbot.keyClick(console, Qt.Key.Key_Escape)
    text = log_text(console)
    assert "⌨ Pause / resume" in text and "⌨ Fade to black" in text


def test_jump_goes_to_the_chosen_film_and_is_logged(qtbot: QtBot, console: ConsoleWindow) -> None:
    qtbot.keyClick(console, Qt.Key.Key_J)
    show = console.night.show
    assert show is not None
    snap = show.snapshot()
    assert snap.cue.kind is CueKind.CARD and snap.cue.film is not None
    assert snap.cue.film.id == "A3"
    assert snap.status_of("A1") is FilmStatus.PENDING  # never reached: not skipped
    assert "⌨ Jump to film…: from Holding to Card · A3 · Film A3" in log_text(console)


def test_the_console_says_and_shows_when_the_slide_is_up(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    """Badge and preview show the difficulties slide the audience sees, not plain black."""
    panel = console.show_panel
    assert panel is not None
    qtbot.keyClick(console, Qt.Key.Key_Space)
    qtbot.keyClick(console, Qt.Key.Key_T)
    panel.refresh()
    assert panel.phase_label.text().strip() == show_panel_module.SLIDE_STYLE[Slide.DIFFICULTIES][0]
    panel.preview.refresh()
    shown = panel.preview.pixmap().toImage()
    bright = max(
        shown.pixelColor(x, y).lightness()
        for y in range(0, shown.height(), 2)
        for x in range(0, shown.width(), 2)
    )
    assert bright > 200, "the preview should show the slide's white headline"
    qtbot.wait(1100)
    qtbot.keyClick(console, Qt.Key.Key_Space)  # GO lifts the black and the slide
    qtbot.waitUntil(lambda: not stage_of(console).black, timeout=5000)
    panel.refresh()
    assert panel.phase_label.text().strip() != show_panel_module.SLIDE_STYLE[Slide.DIFFICULTIES][0]


def test_a_presenter_clicker_drives_the_show_only_when_turned_on(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    show = console.night.show
    assert show is not None
    qtbot.keyClick(console, Qt.Key.Key_PageDown)  # off: the clicker's Next does nothing
    assert show.snapshot().cue.kind is CueKind.HOLDING
    assert "⌨ clicker" not in log_text(console)
    console.keys.set_clicker_in_show(True)
    qtbot.keyClick(console, Qt.Key.Key_PageDown)
    assert show.snapshot().cue.kind is CueKind.CARD
    assert "⌨ clicker · GO: Card · A1" in log_text(console)
    qtbot.keyClick(console, Qt.Key.Key_Period)  # the clicker's black-screen button
    assert stage_of(console).black
    assert "⌨ clicker · Black now" in log_text(console)
    console.keys.set_clicker_in_show(False)
    qtbot.keyClick(console, Qt.Key.Key_Period)  # Trim + again
    assert "⌨ Trim +" in log_text(console)


def _press_as_a_dialog_closes(
    qtbot: QtBot, console: ConsoleWindow, target: QWidget | None = None
) -> bool:
    """Open a modal dialog over the console, close it and press Space on `target` in the same
    pass of the event loop: before the window system has made the console active again (Qt
    leaves no active and no focus window when a modal dialog closes). Returns whether there
    was no active window when the key was pressed (the gap is real)."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is console, timeout=5000)
    dialog = QDialog(console)
    field = QLineEdit(dialog)  # as the passphrase field
    dialog.open()  # window-modal, as the reveal's passphrase dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    dialog.accept()
    gap = QApplication.activeWindow() is None
    qtbot.keyClick(target or field, Qt.Key.Key_Space)  # default: the window system still
    return gap  # sends it to the dialog that just closed, to its focused field


def test_a_key_pressed_as_a_dialog_closes_is_carried_out(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    assert _press_as_a_dialog_closes(qtbot, console, console)
    assert "⌨ GO: Card · A1" in log_text(console)


def test_a_space_typed_in_a_text_field_as_a_dialog_closes_stays_typing(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    field = console.findChildren(QLineEdit)[0]
    page: QWidget = field
    while console.tabs.indexOf(page) < 0:
        parent = page.parentWidget()
        assert parent is not None, "the text field is on no tab"
        page = parent
    console.tabs.setCurrentWidget(page)  # the field on screen, as the operator typed into it
    assert field.isVisible()
    field.setText("Chan")
    field.end(False)
    assert _press_as_a_dialog_closes(qtbot, console, field)
    assert field.text() == "Chan "
    assert "⌨ GO" not in log_text(console)


def test_a_key_sent_to_the_dialog_that_just_closed_is_carried_out(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    assert _press_as_a_dialog_closes(qtbot, console)
    assert "⌨ GO: Card · A1" in log_text(console)


def test_the_key_filter_is_on_the_application_only_while_no_window_is_active(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    """An application's event filter runs, in Python, for every event of the process: the
    filter that catches keys between windows is there only in that gap."""
    between = console.keys.keys_between_windows
    console.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is console, timeout=5000)
    assert not between.installed
    assert _press_as_a_dialog_closes(qtbot, console, console)  # the gap: filtered, carried out
    assert "⌨ GO: Card · A1" in log_text(console)
    console.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is console, timeout=5000)
    assert not between.installed
