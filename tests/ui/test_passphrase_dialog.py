"""The passphrase dialog keeps its help whole (issue #23 item 12): its explanation was clipped
when the busy bar showed while the seal is opened, and again under an error. Offscreen, with
the real dialog and a real worker thread that takes its time."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.ui.app import make_application
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.console.passphrase_dialog import PassphraseDialog

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def whole(label: QLabel) -> bool:
    """The label's text has all the height it needs, and all of it is on screen."""
    QApplication.processEvents()
    shown = label.visibleRegion().boundingRect().size()
    return shown == label.size() and label.height() >= label.heightForWidth(label.width())


def test_the_help_stays_whole_while_busy_and_after_an_error(qtbot: QtBot) -> None:
    make_application()
    release = threading.Event()

    def slow_refusal(_phrases: list[str]) -> None:
        release.wait(10)
        raise ValueError("That passphrase does not open the seal · 密碼不正確")

    intro = "The results were sealed on Sunday by the jury's secretary. " * 3
    dialog = PassphraseDialog(2, slow_refusal, TaskRunner(), intro=intro)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    help_text = next(
        label for label in dialog.findChildren(QLabel) if "sealed on Sunday" in label.text()
    )
    assert whole(help_text)
    for field in dialog.fields:
        field.setText("correct horse battery staple")
    dialog.open_seal()
    assert dialog.busy.isVisible()
    assert whole(help_text), "the help is clipped while the busy bar shows"
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "passphrase-busy.png"))
    release.set()
    qtbot.waitUntil(dialog.error.isVisible, timeout=10_000)
    assert whole(help_text), "the help is clipped under the error"
    assert whole(dialog.error)
    dialog.reject()
