"""The award reveal driven from a real console in tests: the jury's sealed results, opening
them with the real passphrase dialog, stepping with the show keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.awards import StepKind
from kiosk.night.reveal import RevealController
from kiosk.render.cards import EndCard
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.reveal_panel import RevealPanel
from kiosk.ui.console.window import ConsoleWindow
from kiosk.ui.stage.window import StageWindow

PASSPHRASE = "correct horse battery"


CITATION = "For a secret citation nobody may read early."


JURY = f"""
[[results]]
category = "best-film"
winner = "F11"
nominees = ["F03", "F11", "F17"]
citation_en = "{CITATION}"
citation_zh = "秘密評語。"
clip_start = 0.2
clip_end = 1.2

[[results]]
category = "best-narrative"
winner = "F18"
nominees = ["F07", "F18"]

[[results]]
category = "frontier"
winner = "F04"
nominees = ["F04", "F13"]
"""


def open_console_window(
    qtbot: QtBot, event: EventFolder, width: int = 1366, height: int = 768
) -> ConsoleWindow:
    """A real console on `event`, shown at laptop size and active (its keys are application
    shortcuts: they need an active window). The caller closes it (the `console_factory`
    fixture of tests/ui/conftest.py does)."""
    make_application()
    window, _reporter = open_console(event)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10000)
    return window


def reveal_panel(window: ConsoleWindow) -> RevealPanel:
    for index in range(window.tabs.count()):
        widget = window.tabs.widget(index)
        if isinstance(widget, RevealPanel):
            return widget
    raise AssertionError("no Awards tab")


def to_the_end_of_the_show(window: ConsoleWindow) -> None:
    show = window.night.show
    assert show is not None
    show.jump_to("end")
    stage = window.night.projector.stage
    assert isinstance(stage, StageWindow) and isinstance(stage.cards.card, EndCard)


def slot_up(controller: RevealController) -> str | None:
    return controller.on_stage


def is_true(value: bool) -> bool:
    """Read a property again after an action (mypy would keep an earlier assert's narrowing)."""
    return value


def start_reveal(qtbot: QtBot, window: ConsoleWindow, passphrase: str = PASSPHRASE) -> RevealPanel:
    panel = reveal_panel(window)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    # F8 reads the seal on the tab's reader worker first; the dialog opens with its answer
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=30000)
    dialog = panel.dialog
    assert dialog is not None
    assert len(dialog.fields) == 1
    dialog.fields[0].setText(passphrase)
    dialog.open_seal()
    return panel


def space(qtbot: QtBot, window: ConsoleWindow, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(window, Qt.Key.Key_Space)


def current_kind(panel: RevealPanel) -> StepKind | None:
    assert panel.controller is not None
    step = panel.controller.snapshot().current
    return step.kind if step else None
