"""Projector screen and audio device chosen in the console (key O), remembered per event."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.console_settings import ConsoleSettings
from kiosk.store.console_settings import FILE_NAME, read_console_settings, write_console_settings
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.outputs_dialog import OutputsDialog


def test_settings_round_trip_and_broken_file(tmp_path: Path) -> None:
    folder = EventFolder(tmp_path)
    assert read_console_settings(folder.root) == ConsoleSettings()
    chosen = ConsoleSettings(projector_screen="HDMI-1", audio_device="hw:1,3")
    write_console_settings(folder.root, chosen)
    assert read_console_settings(folder.root) == chosen
    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    assert read_console_settings(folder.root) == ConsoleSettings()  # ignored, logged


@pytest.mark.logs_errors  # headless players have no audio device: the alarm is an error
def test_o_opens_the_dialog_applies_and_remembers(qtbot: QtBot, small_event: EventFolder) -> None:
    make_application()
    window, _ = open_console(small_event)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()

    def answer() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, OutputsDialog))
        dialog.audio_choice.addItem("Test device (test:1)", "test:1")  # libvlc's list is empty
        dialog.audio_choice.setCurrentIndex(dialog.audio_choice.count() - 1)
        assert dialog.screen_choice.count() >= 2  # default + every screen
        dialog.accept()

    QTimer.singleShot(300, answer)
    assert window.keys.press("outputs")  # as key O does
    assert read_console_settings(small_event.root) == ConsoleSettings(None, "test:1")
    text = window.log_view.toPlainText()
    assert "⌨ Projector screen and audio device…: projector default screen, sound test:1" in text
    assert "No audio output device" in text  # the alarm: nothing would be heard
