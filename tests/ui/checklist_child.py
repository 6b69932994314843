"""The console in its own process on a real X display, for the booth checklist's tests.

Opened as `python main.py` opens it (open_console). The test presses K with xdotool; this
process reports over stdout and takes commands on stdin:

    stdin  "activate"  -> raises the console and prints "ACTIVE True" once it has the focus
    stdin  "settle"    -> repaints the console and the checklist now; prints "SETTLED"
    stdin  "state"     -> "STATE {json}": the dialog's visibility and geometry, whether it is
                          gathering, its lines (id, state, detail), the tone prompt, whether the
                          heard / not-heard buttons show, and the log panel's lines
    stdin  "tone"      -> clicks "Play test tone"
    stdin  "heard"     -> clicks "Heard it"
    stdin  "runsheet"  -> clicks "Run sheet (PDF)" on the Programme tab
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from kiosk.services.event import EventFolder
from kiosk.ui.app import make_application, open_console


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread."""

    line = Signal(str)


def main() -> int:
    folder = EventFolder(Path(sys.argv[1]))
    app = make_application()
    window, _reporter = open_console(folder)

    def state() -> dict[str, object]:
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
            "lines": [
                {"id": e.id, "state": e.state.value, "detail_en": e.detail_en} for e in lines
            ],
        }

    def on_line(text: str) -> None:
        command = text.strip()
        if command == "activate":
            window.activateWindow()
            window.raise_()
            QApplication.processEvents()
            print("ACTIVE", window.isActiveWindow(), flush=True)
        elif command == "settle":  # before a screenshot: everything drawn on the X server
            QApplication.processEvents()
            for widget in (window, window.checklist):
                if widget is not None:
                    widget.repaint()
            QApplication.processEvents()
            QApplication.sync()
            print("SETTLED", flush=True)
        elif command == "state":
            print("STATE", json.dumps(state(), ensure_ascii=False), flush=True)
        elif command == "tone" and window.checklist is not None:
            window.checklist.tone_button.click()
        elif command == "heard" and window.checklist is not None:
            window.checklist.heard_button.click()
        elif command == "runsheet":
            window.run_sheet_button.click()
        elif command == "quit":
            app.quit()

    commands = Commands()
    commands.line.connect(on_line)

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    window.show()
    window.activateWindow()
    threading.Thread(target=read_stdin, daemon=True).start()
    print("READY", int(window.winId()), flush=True)
    try:
        return app.exec()
    finally:
        window.night.close()


if __name__ == "__main__":
    sys.exit(main())
