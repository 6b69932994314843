"""The Awards tab reads the seal and the journal on its own reader worker: at console start,
on refresh and when F8 is pressed, never on the GUI thread that times the show's cuts."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from kiosk.core.awards import JuryResults, RevealStep, StepKind
from kiosk.night.reveal import RevealController
from kiosk.night.reveal_launcher import SealStatus
from kiosk.ui.app import make_application
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.console.reveal_panel import RevealPanel


class _Recorded:
    """A reveal launcher that notes the thread of each read."""

    def __init__(self) -> None:
        self.threads: dict[str, set[str]] = {}

    def _note(self, call: str) -> None:
        self.threads.setdefault(call, set()).add(threading.current_thread().name)

    def status(self) -> SealStatus:
        self._note("status")
        return SealStatus(True, "Sealed: 1 award(s) · 1 keyholder", 1)

    def interrupted_at(self) -> RevealStep | None:
        self._note("interrupted_at")
        return RevealStep(3, StepKind.ENVELOPE, None, 0, 0)

    def open_results(self, passphrases: list[str]) -> JuryResults:
        raise ValueError("not in this test")

    def build(self, results: JuryResults) -> RevealController:
        raise AssertionError("never built here")


def test_the_awards_tab_reads_the_seal_on_its_reader(qtbot: QtBot) -> None:
    make_application()
    launcher = _Recorded()
    interrupted: list[RevealStep] = []
    panel = RevealPanel(launcher, TaskRunner(), MessageBus(), on_interrupted=interrupted.append)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel.busy, timeout=10000)
    assert "1 award(s)" in panel.seal_text.text()
    assert "step 4" in panel.interrupted_text.text()
    assert [step.index for step in interrupted] == [3]  # told once, at the first reading
    panel.refresh_status()
    panel.start()  # F8: read again, then the passphrase dialog
    qtbot.waitUntil(lambda: panel.dialog is not None, timeout=10000)
    dialog = panel.dialog
    assert dialog is not None
    dialog.reject()
    assert panel.dialog is None  # closed: F8 may open it again
    panel.stop()
    assert set().union(*launcher.threads.values()) == {"reveal-reader"}, launcher.threads
    assert launcher.threads.keys() == {"status", "interrupted_at"}
    assert len(interrupted) == 1
