"""A door station in its own process on a real X display, driven by a test over stdin/stdout.

Built the way `python main.py doors` builds it (open_doors + attach_scanner), full screen. The
test types on the X server with xdotool; this process reports what the door answered and what
landed in its text fields:

    stdin  "focus NAME"  -> puts the focus in a field (code, search, name, latin, email, undo)
                            and prints "FOCUSED NAME <class of the focused widget>"
    stdin  "state"       -> prints "STATE {json}": every field's text and the status line
    stdout "ANSWER {json}" for every answer of the door (scan verdict, undo, error)
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from kiosk.store.checkins import ScanResult, UndoneAdmission
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application
from kiosk.ui.doors.app import attach_scanner, open_doors, station_lock


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread."""

    line = Signal(str)


def describe(answer: object) -> dict[str, object]:
    if isinstance(answer, ScanResult):
        return {
            "kind": "scan",
            "verdict": answer.verdict.value,
            "code": answer.code,
            "name": answer.name,
            "method": answer.method,
        }
    if isinstance(answer, UndoneAdmission):
        return {"kind": "undo", "name": answer.name, "code": answer.code}
    return {"kind": "other", "text": str(answer)}


def main() -> int:
    folder = EventFolder(Path(sys.argv[1]))
    app = make_application()
    lock = station_lock(folder, sys.argv[2])  # as `python main.py doors` does
    lock.acquire()
    window = open_doors(folder, sys.argv[2], with_camera=False, with_sound=False)
    capture = attach_scanner(app, window)
    fields: dict[str, QLineEdit | QPushButton] = {
        "code": window.code_entry,
        "search": window.search_panel.query,
        "name": window.walk_in_panel.name,
        "latin": window.walk_in_panel.name_latin,
        "email": window.walk_in_panel.email,
        "undo": window.undo_button,
    }

    def state() -> dict[str, object]:
        texts: dict[str, object] = {key: widget.text() for key, widget in fields.items()}
        texts["status"] = window.status_line.text()
        texts["search_summary"] = window.search_panel.summary.text()
        return texts

    def on_line(text: str) -> None:
        command, _, argument = text.strip().partition(" ")
        if command == "focus":
            widget = fields[argument]
            if argument in ("search",):
                window.tabs.setCurrentWidget(window.search_panel)
            elif argument in ("name", "latin", "email"):
                window.tabs.setCurrentWidget(window.walk_in_panel)
            window.activateWindow()
            widget.setFocus()
            QApplication.processEvents()
            focused = QApplication.focusWidget()
            print("FOCUSED", argument, type(focused).__name__, focused is widget, flush=True)
        elif command == "state":
            print("STATE", json.dumps(state(), ensure_ascii=False), flush=True)
        elif command == "quit":
            app.quit()

    commands = Commands()
    commands.line.connect(on_line)

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    window.answered.connect(
        lambda answer: print("ANSWER", json.dumps(describe(answer), ensure_ascii=False), flush=True)
    )
    window.showFullScreen()
    threading.Thread(target=read_stdin, daemon=True).start()
    print("READY", int(window.winId()), flush=True)
    try:
        return app.exec()
    finally:
        capture.uninstall()
        window.context.desk.shutdown()
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
