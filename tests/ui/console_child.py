"""The console in its own process on a real X display, driven by a test over stdin/stdout.

Opened the way `python main.py` opens it (open_console), on the first screen. The test types on
the X server with xdotool; this process says where the focus is and what happened:

    stdin  "focus NAME"  -> shows NAME's tab, puts the focus in that field and prints
                            "FOCUSED NAME <class of the focused widget> <True if it is NAME>"
                            (search: the registrations search box; station: the name of a new
                            door station; minutes: the vote's minutes; trim: the film's sound
                            trim on the Show tab; log: the log panel)
    stdin  "state"       -> prints "STATE {json}": every field's text, the log panel's lines
                            with "⌨" (the operator commands carried out) or "📡" (remotes),
                            the show's phase ("holding", "film"...)
    stdin  "reset"       -> between two tests on one console: empties the text fields (search,
                            station) and shows the Show tab; prints "RESET"
    stdin  "clicker on"  -> lets the presenter clicker drive the show (the Remote tab's switch)
    stdin  "activate"    -> raises the console; prints "ACTIVE True" once it has the focus
    stdin  "settle"      -> repaints the console and its checklist now (before a screenshot);
                            prints "SETTLED"
    stdin  "checklist"   -> prints "CHECKLIST {json}": the booth checklist dialog's visibility,
                            geometry, lines, tone prompt and the whole log panel
    stdin  "click NAME"  -> clicks a button: tone, heard (the checklist's), runsheet
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.registrations_view import RegistrationsView
from kiosk.ui.console.stations_panel import StationsPanel
from kiosk.ui.console.vote_panel import VotePanel
from kiosk.ui.console.window import ConsoleWindow


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread."""

    line = Signal(str)


def checklist_state(window: ConsoleWindow) -> dict[str, object]:
    """The booth checklist dialog as the test sees it (and the log panel's lines)."""
    dialog = window.checklist
    found: dict[str, object] = {"log": window.log_view.toPlainText().splitlines()}
    if dialog is None:
        return {**found, "visible": False}
    geometry = dialog.frameGeometry()
    lines = dialog.checklist.lines if dialog.checklist is not None else ()
    return {
        **found,
        "visible": dialog.isVisible(),
        "geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "busy": dialog.busy,
        "summary": dialog.summary.text(),
        "prompt": dialog.tone_prompt.text(),
        "asking": dialog.heard_button.isVisible(),
        "lines": [{"id": e.id, "state": e.state.value, "detail_en": e.detail_en} for e in lines],
    }


def main() -> int:
    folder = EventFolder(Path(sys.argv[1]))
    app = make_application()
    window, _reporter = open_console(folder)
    assert window.show_panel is not None
    fields: dict[str, QWidget] = {
        "search": window.findChildren(RegistrationsView)[0].search,
        "station": window.findChildren(StationsPanel)[0].name_entry,
        "minutes": window.findChildren(VotePanel)[0].minutes,
        "trim": window.show_panel.trim,
        "log": window.log_view,
    }

    def tab_of(widget: QWidget) -> QWidget | None:
        for index in range(window.tabs.count()):
            page = window.tabs.widget(index)
            if page is not None and (page is widget or page.isAncestorOf(widget)):
                return page
        return None

    def text_of(widget: QWidget) -> str:
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QAbstractSpinBox):
            return widget.text()
        return ""

    def state() -> dict[str, object]:
        log_lines = window.log_view.toPlainText().splitlines()
        show = window.night.show
        return {
            "fields": {name: text_of(widget) for name, widget in fields.items()},
            "commands": [line for line in log_lines if "⌨" in line or "📡" in line],
            "phase": None if show is None else show.snapshot().phase.value,
        }

    def focus(argument: str) -> None:
        widget = fields[argument]
        page = tab_of(widget)
        if page is not None:
            window.tabs.setCurrentWidget(page)
        window.activateWindow()
        widget.setFocus()
        QApplication.processEvents()
        focused = QApplication.focusWidget()
        inside = focused is widget or (focused is not None and widget.isAncestorOf(focused))
        print("FOCUSED", argument, type(focused).__name__, inside, flush=True)

    def reset(_argument: str) -> None:
        for widget in fields.values():
            if isinstance(widget, QLineEdit):
                widget.clear()
        window.tabs.setCurrentIndex(0)  # the Show tab
        QApplication.processEvents()
        print("RESET", flush=True)

    def clicker(argument: str) -> None:
        window.keys.set_clicker_in_show(argument == "on")
        print("CLICKER", argument, flush=True)

    def activate(_argument: str) -> None:
        window.activateWindow()
        window.raise_()
        QApplication.processEvents()
        print("ACTIVE", window.isActiveWindow(), flush=True)

    def settle(_argument: str) -> None:
        QApplication.processEvents()
        for shown in (window, window.checklist):
            if shown is not None:
                shown.repaint()
        QApplication.processEvents()
        QApplication.sync()
        print("SETTLED", flush=True)

    def click(argument: str) -> None:
        buttons = {"runsheet": window.run_sheet_button}
        if window.checklist is not None:
            buttons.update(tone=window.checklist.tone_button, heard=window.checklist.heard_button)
        buttons[argument].click()

    handlers: dict[str, Callable[[str], None]] = {
        "focus": focus,
        "state": lambda _a: print("STATE", json.dumps(state(), ensure_ascii=False), flush=True),
        "reset": reset,
        "clicker": clicker,
        "activate": activate,
        "settle": settle,
        "checklist": lambda _a: print(
            "CHECKLIST", json.dumps(checklist_state(window), ensure_ascii=False), flush=True
        ),
        "click": click,
        # the test is done with it: end now. (quit() would go through the console's close
        # guard, whose dialog asks during the show and nobody answers: 20 s, then SIGKILL.)
        "quit": lambda _a: app.exit(0),
    }

    def on_line(text: str) -> None:
        command, _, argument = text.strip().partition(" ")
        handler = handlers.get(command)
        if handler is not None:
            handler(argument)

    commands = Commands()
    commands.line.connect(on_line)

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    window.show()
    threading.Thread(target=read_stdin, daemon=True).start()
    print("READY", int(window.winId()), flush=True)
    try:
        return app.exec()
    finally:
        window.night.close()


if __name__ == "__main__":
    sys.exit(main())
