"""A door station in its own process on a real X display, driven by a test over stdin/stdout.

Built the way `python main.py doors` builds it (open_doors + attach_scanner), full screen. The
test types on the X server with xdotool; this process reports what the door answered and what
landed in its text fields:

    stdin  "focus NAME"  -> puts the focus in a field (code, search, name, latin, email, undo)
                            and prints "FOCUSED NAME <class of the focused widget>"
    stdin  "state"       -> prints "STATE {json}": every field's text, the status line, the
                            question of a dialog open ("dialog") and where the Undo button is
    stdin  "reset"       -> between two tests on one station: closes a question left open,
                            empties the text fields and the status line, shows the first tab;
                            prints "RESET"
    stdout "SCANNED {json string}" for every burst the scanner capture took as a scan
    stdout "ANSWER {json}" for every answer of the door (scan verdict, undo, error)
    stdout "PAINTED {ms}" after every verdict painted and flushed to the X server: the time
                            since the X server stamped the last Return key press (X timestamps
                            are the server's CLOCK_MONOTONIC in ms, the same clock as
                            time.monotonic() here), so it is measured from the real key event
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the tests' helpers

from kiosk.core.admissions import ScanResult, UndoneAdmission
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application
from kiosk.ui.common.application import freeze_startup_objects
from kiosk.ui.doors.app import attach_scanner, open_doors
from tests.child_commands import listen_to_stdin
from tests.return_stamps import ReturnStamps, report_paint


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
    lock = folder.station_lock(sys.argv[2])  # as `python main.py doors` does
    lock.acquire()
    window = open_doors(folder, sys.argv[2], with_camera=False, with_sound=False)
    capture = attach_scanner(app, window)
    capture.scanned.connect(lambda text: print("SCANNED", json.dumps(text), flush=True))
    stamps = ReturnStamps()
    app.installEventFilter(stamps)  # installed last, so it sees the keys before the capture
    window.overlay.painted.connect(lambda: report_paint(stamps))
    window.answered.connect(stamps.answer_shown)  # before it is painted
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
        table = window.search_panel.table
        texts["search_rows"] = [
            [item.text() if (item := table.item(row, column)) else "" for column in range(4)]
            for row in range(table.rowCount())
        ]
        viewport = table.viewport().rect()
        texts["search_rows_seen"] = sum(
            1
            for row in range(table.rowCount())
            if viewport.contains(
                table.visualRect(table.model().index(row, 0)).adjusted(0, 0, -1, -1)
            )
        )
        texts["search_scrolls_sideways"] = table.horizontalScrollBar().maximum() > 0
        centre = window.undo_button.mapToGlobal(window.undo_button.rect().center())
        texts["undo_at"] = f"{centre.x()} {centre.y()}"  # where a real click lands on Undo
        dialog = QApplication.activeModalWidget()
        texts["dialog"] = dialog.text() if isinstance(dialog, QMessageBox) else ""
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
        elif command == "reset":
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, QMessageBox):
                dialog.reject()
            for widget in fields.values():
                if isinstance(widget, QLineEdit):
                    widget.clear()
            window.status_line.clear()
            window.tabs.setCurrentIndex(0)
            QApplication.processEvents()
            print("RESET", flush=True)
        elif command == "quit":
            app.quit()

    window.answered.connect(
        lambda answer: print("ANSWER", json.dumps(describe(answer), ensure_ascii=False), flush=True)
    )
    window.showFullScreen()
    _commands = listen_to_stdin(on_line)
    print("READY", int(window.winId()), flush=True)
    freeze_startup_objects()  # as `python main.py doors` does
    try:
        return app.exec()
    finally:
        capture.uninstall()
        window.context.writer.shutdown()
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
