"""The checklist dialog's sound test, offscreen with a stand-in tone player (the real tone on a
real sound server is `test_checklist_console.py`): the answer reaches the gatherer, a tone that
cannot play turns the line red, and gathering runs on the worker, not the GUI thread."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from kiosk.core.booth_check import CheckState
from kiosk.core.booth_lines import ToneResult, judge_audio
from kiosk.media.test_tone import ToneState
from kiosk.services.booth_checklist import Checklist, Provider, gather
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.console.checklist_view import ChecklistDialog

SINKS = ["hall"]


class StandInTone:
    """Plays nothing; reports the state the test sets."""

    def __init__(self) -> None:
        self.device = ""
        self.next_state = ToneState.ENDED
        self.played: list[str] = []

    def play(self, device: str) -> None:
        self.device = device
        self.played.append(device)

    def state(self) -> ToneState:
        return self.next_state


def make_dialog(qtbot: QtBot, tone: StandInTone) -> tuple[ChecklistDialog, list[str]]:
    threads: list[str] = []

    def gather_lines(source: object) -> Checklist:
        threads.append(threading.current_thread().name)
        heard = source() if callable(source) else None
        assert heard is None or isinstance(heard, ToneResult)
        return gather([Provider("audio", lambda: judge_audio("hall", SINKS, heard))])

    tasks = TaskRunner()
    dialog = ChecklistDialog(gather_lines, tasks, MessageBus(), tone, lambda: "hall")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog, threads


def audio_state(dialog: ChecklistDialog) -> CheckState | None:
    lines = dialog.checklist.lines if dialog.checklist is not None else ()
    return next((e.state for e in lines if e.id == "audio"), None)


def test_heard_and_not_heard(qtbot: QtBot) -> None:
    tone = StandInTone()
    dialog, threads = make_dialog(qtbot, tone)
    dialog.refresh()
    qtbot.waitUntil(lambda: audio_state(dialog) is CheckState.AMBER, timeout=5000)
    assert threads and threading.main_thread().name not in threads  # gathered on a worker

    dialog.play_tone()
    assert tone.played == ["hall"]
    qtbot.waitUntil(lambda: not dialog.heard_button.isHidden(), timeout=5000)
    dialog.tone_heard(True)
    qtbot.waitUntil(lambda: audio_state(dialog) is CheckState.GREEN, timeout=5000)

    dialog.play_tone()
    qtbot.waitUntil(lambda: not dialog.not_heard_button.isHidden(), timeout=5000)
    dialog.tone_heard(False)
    qtbot.waitUntil(lambda: audio_state(dialog) is CheckState.RED, timeout=5000)
    assert dialog.checklist is not None and "not heard" in dialog.checklist.lines[0].detail_en


def test_a_tone_that_cannot_play_is_red(qtbot: QtBot) -> None:
    tone = StandInTone()
    tone.next_state = ToneState.FAILED
    dialog, _ = make_dialog(qtbot, tone)
    dialog.play_tone()
    qtbot.waitUntil(lambda: audio_state(dialog) is CheckState.RED, timeout=5000)
    assert dialog.heard_button.isHidden()
    assert "could not play" in dialog.tone_prompt.text()
