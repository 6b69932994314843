"""A paired door station's window in its own process, run as `python main.py station` runs it
(`run_remote_doors`), its GUI thread watched while it scans. Driven over stdin/stdout:

    python station_window_child.py STATION_DIR

    stdin  "focus code" -> the ticket code field has the keyboard; prints "FOCUSED code …"
    stdin  "arm"        -> the watch (tests/gui_thread_watch.py) starts; prints "ARMED"
    stdin  "state"      -> prints "STATE {json}": the header's link line and how many times the
                           window's 2 s poll ran since "arm"
    stdin  "report"     -> the watch stops; prints "REPORT {json}" (what the GUI thread did,
                           and each header refresh timed: kind "timed")
    closing stdin quits: the station closes as when the usher closes its window
    stdout "READY <window id>" once the door window is on screen, "ANSWER {json}" for each
           scan answered, "PAINTED {ms}" from the real Return key to the verdict on screen

The kiosk code comes from PYTHONPATH first (a benchmark runs an older commit's), the tests'
helpers from this checkout.
"""

from __future__ import annotations

import faulthandler
import json
import signal
import sys
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[2]))  # the tests' helpers, after kiosk

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.core.admissions import ScanResult
from kiosk.ui.common.application import make_application
from kiosk.ui.doors.remote_app import run_remote_doors
from kiosk.ui.doors.window import DoorsWindow
from tests.child_commands import listen_to_stdin
from tests.gui_thread_watch import GuiThreadWatch
from tests.return_stamps import ReturnStamps, report_paint


def describe(answer: object) -> dict[str, Any]:
    if isinstance(answer, ScanResult):
        return {"verdict": answer.verdict.value, "offline": answer.offline, "code": answer.code}
    return {"verdict": None, "text": str(answer)}


def main(station_dir: str) -> int:
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # a hung station's stacks
    app = make_application()
    watch = GuiThreadWatch()
    watch.install()  # before the station opens: its connections are traced
    watch.note_waits(DoorsWindow, "refresh_link", kind="timed")  # the header, timed
    stamps = ReturnStamps()
    polls = [0]
    found: list[DoorsWindow] = []

    def door_window() -> DoorsWindow | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, DoorsWindow) and widget.isVisible():
                return widget
        return None

    def look_for_window() -> None:
        window = door_window()
        if window is None:
            return
        finder.stop()
        found.append(window)
        app.installEventFilter(stamps)  # installed last: it sees the keys before the capture
        window.overlay.painted.connect(lambda: report_paint(stamps))
        window.answered.connect(stamps.answer_shown)  # before it is painted
        window.answered.connect(lambda a: print("ANSWER", json.dumps(describe(a)), flush=True))
        window._poll.timeout.connect(lambda: polls.__setitem__(0, polls[0] + 1))
        print("READY", int(window.winId()), flush=True)

    def on_line(text: str) -> None:
        command, _, _argument = text.strip().partition(" ")
        window = found[0] if found else None
        if command == "focus" and window is not None:
            window.activateWindow()
            window.code_entry.setFocus()
            QApplication.processEvents()
            focused = QApplication.focusWidget()
            on_it = focused is window.code_entry
            print("FOCUSED code", type(focused).__name__, on_it, flush=True)
        elif command == "arm":
            polls[0] = 0
            watch.phase = "scanning"
            print("ARMED", flush=True)
        elif command == "state" and window is not None:
            state = {"link": window.link_label.text(), "polls": polls[0]}
            print("STATE", json.dumps(state, ensure_ascii=False), flush=True)
        elif command == "report":
            watch.phase = None
            print("REPORT", json.dumps({"gui_thread": watch.seen}), flush=True)
        elif command == "quit":
            app.quit()

    finder = QTimer()
    finder.timeout.connect(look_for_window)
    finder.start(50)
    _commands = listen_to_stdin(on_line)
    return run_remote_doors(Path(station_dir), pair=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
