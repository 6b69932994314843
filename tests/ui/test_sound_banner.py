"""The console's side of the "No sound" alarm, offscreen: banner, title, log panel, journal.

(`test_sound_alarm.py` does it against a real PulseAudio server under Xvfb; this one feeds
the night's `SoundWatch` the signals libvlc's log gives, to check the console's reactions.)
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.audio_watch import AudioSignal, SignalKind
from kiosk.night.audio_alarm import AUDIO_BACK, AUDIO_LOST
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console


@pytest.mark.logs_errors  # the alarm is an error in the log; headless: "no audio device" too
def test_banner_log_and_journal_from_lost_to_back(qtbot: QtBot, small_event: EventFolder) -> None:
    make_application()
    window, _ = open_console(small_event)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sound = window.night.sound
    assert sound is not None
    banner = window.sound_banner
    assert not banner.isVisible()

    sound.observe(AudioSignal(SignalKind.CONNECTED, "cap", "pulse"), time.monotonic())
    lost = AudioSignal(SignalKind.LOST, "cannot write: Connection terminated", "vlcpulse")
    sound.observe(lost, time.monotonic())
    sound.observe(lost, time.monotonic())  # libvlc repeats it every 0.5 s: one alarm
    QApplication.processEvents()
    assert banner.isVisible() and sound.sound_lost
    assert banner.headline.text().startswith("No sound — audio output lost: cap (since ")
    assert "Connection terminated" in banner.detail.text()
    assert window.windowTitle().startswith("NO SOUND — ")
    text = window.log_view.toPlainText()
    assert text.count("NO SOUND · 沒有聲音 — audio output lost: cap") == 1, text
    journal = window.night.journal
    assert window.night.runner.settle()  # the journal is written on its own thread
    entries = list(journal.entries(AUDIO_LOST))
    assert [e.data for e in entries] == [
        {"device": "cap", "reason": "cannot write: Connection terminated"}
    ]

    banner.reconnect_button.click()  # the operator's "Reconnect now"
    assert "Reconnecting the sound (operator)" in window.log_view.toPlainText()

    sound.observe(AudioSignal(SignalKind.CONNECTED, "cap", "pulse"), time.monotonic())
    sound.observe(AudioSignal(SignalKind.STARTED, "", "pulse"), time.monotonic())
    assert banner.isVisible()  # not before it held 1.5 s
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=4000)
    assert not window.windowTitle().startswith("NO SOUND")
    assert "Sound is back · 聲音已恢復 on cap" in window.log_view.toPlainText()
    assert window.night.runner.settle()  # the journal is written on its own thread
    (back,) = journal.entries(AUDIO_BACK)
    assert back.data["device"] == "cap" and back.data["after_s"] >= 1.5
