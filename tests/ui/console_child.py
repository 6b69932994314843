"""The console in its own process on a real X display, driven by a test over stdin/stdout.

Opened the way `python main.py` opens it (open_console), on the first screen. The test types on
the X server with xdotool; this process says where the focus is and what happened:

    stdin  "focus NAME"  -> shows NAME's tab, puts the focus in that field and prints
                            "FOCUSED NAME <class of the focused widget> <True if it is NAME>"
                            (search: the registrations search box; station: the name of a new
                            door station; minutes: the vote's minutes; trim: the film's sound
                            trim on the Show tab; log: the log panel)
    stdin  "state"       -> prints "STATE {json}": every field's text, the log panel's lines
                            with "⌨" (the operator commands carried out) or "📡" (remotes)
    stdin  "clicker on"  -> lets the presenter clicker drive the show (the Remote tab's switch)
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

from kiosk.services.event import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.registrations_view import RegistrationsView
from kiosk.ui.console.stations_panel import StationsPanel
from kiosk.ui.console.vote_panel import VotePanel


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread."""

    line = Signal(str)


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
        return {
            "fields": {name: text_of(widget) for name, widget in fields.items()},
            "commands": [line for line in log_lines if "⌨" in line or "📡" in line],
        }

    def on_line(text: str) -> None:
        command, _, argument = text.strip().partition(" ")
        if command == "focus":
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
        elif command == "state":
            print("STATE", json.dumps(state(), ensure_ascii=False), flush=True)
        elif command == "clicker":
            window.keys.set_clicker_in_show(argument == "on")
            print("CLICKER", argument, flush=True)
        elif command == "quit":
            app.quit()

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
