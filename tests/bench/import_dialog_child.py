"""Child of the import dialog's opening benchmark: the real console, the dialog opened in it.

    python import_dialog_child.py EVENT_DIR EXPORT_CSV OPENINGS

Opens the console as `main.py` does (`open_console`, maximized, the stage on the projector
monitor), lets it settle, then opens the Registrations view's import preview `OPENINGS` times
the way the Import button does (`preview_file` then `open()`), each closed before the next. For
each opening it measures, on the GUI thread: the CPU and wall time of `preview_file` and of
`open()`, the CPU and wall time from the call to the dialog's first paint, and the worst
lateness of a 5 ms precise timer from the call until 300 ms after that paint. Prints one line
``RESULT [...]`` and quits. Works on any version whose `RegistrationsView` has `preview_file`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDialog

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console

PROBE_MS = 5
SETTLE_MS = 3000  # the console's first answers and paints come in before the first opening
AFTER_PAINT_S = 0.3  # the lateness is watched this long after the dialog's first paint
BETWEEN_MS = 1500


class FirstPaint(QObject):
    """Notes when the watched dialog first receives a Paint (time and GUI-thread CPU)."""

    def __init__(self) -> None:
        super().__init__()
        self.at: tuple[float, float] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = (time.perf_counter(), time.thread_time())
        return False


class Openings:
    """Opens the dialog again and again, measuring each opening, then prints the results."""

    def __init__(self, view: Any, export_csv: Path, openings: int) -> None:
        self.view = view
        self.export_csv = export_csv
        self.left = openings
        self.results: list[dict[str, float]] = []
        self.lateness: list[tuple[float, float]] = []  # (time, ms late)
        self.last_tick = time.perf_counter()
        self.probe = QTimer()
        self.probe.setTimerType(Qt.TimerType.PreciseTimer)
        self.probe.setInterval(PROBE_MS)
        self.probe.timeout.connect(self._tick)
        self.probe.start()
        self.painted = FirstPaint()
        self.started: tuple[float, float] = (0.0, 0.0)
        self.dialog: QDialog | None = None
        self.steps: dict[str, float] = {}

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness.append((now, max(0.0, (now - self.last_tick) * 1000 - PROBE_MS)))
        self.last_tick = now

    def open_one(self) -> None:
        self.lateness.clear()
        self.painted.at = None
        wall, cpu = time.perf_counter(), time.thread_time()
        dialog = self.view.preview_file(self.export_csv)
        built_wall, built_cpu = time.perf_counter(), time.thread_time()
        dialog.installEventFilter(self.painted)
        dialog.open()
        opened_wall, opened_cpu = time.perf_counter(), time.thread_time()
        self.started = (wall, cpu)
        self.dialog = dialog
        self.steps = {
            "preview_file_ms": (built_wall - wall) * 1000,
            "preview_file_cpu_ms": (built_cpu - cpu) * 1000,
            "open_ms": (opened_wall - built_wall) * 1000,
            "open_cpu_ms": (opened_cpu - built_cpu) * 1000,
        }
        QTimer.singleShot(20, self._wait_for_paint)

    def _wait_for_paint(self) -> None:
        painted = self.painted.at
        if painted is None or time.perf_counter() - painted[0] < AFTER_PAINT_S:
            QTimer.singleShot(20, self._wait_for_paint)
            return
        wall, cpu = self.started
        late = [ms for at, ms in self.lateness if at >= wall]
        self.results.append(
            {
                **self.steps,
                "to_first_paint_ms": (painted[0] - wall) * 1000,
                "to_first_paint_cpu_ms": (painted[1] - cpu) * 1000,
                "max_late_ms": max(late, default=0.0),
            }
        )
        assert self.dialog is not None
        self.dialog.removeEventFilter(self.painted)
        self.dialog.reject()  # its reading (a child process) is stopped
        self.left -= 1
        if self.left > 0:
            QTimer.singleShot(BETWEEN_MS, self.open_one)
        else:
            print("RESULT " + json.dumps(self.results), flush=True)
            os._exit(0)  # the figures are out; nothing of the console's closing is measured


def main(event_dir: str, export_csv: str, openings: str) -> int:
    app = make_application()
    folder = EventFolder(Path(event_dir))
    lock = folder.lock()
    lock.acquire()
    window, _reporter = open_console(folder, screen_name="PROJECTOR")
    window.showMaximized()
    view = next(
        window.tabs.widget(i)
        for i in range(window.tabs.count())
        if type(window.tabs.widget(i)).__name__ == "RegistrationsView"
    )
    bench = Openings(view, Path(export_csv), int(openings))
    QTimer.singleShot(SETTLE_MS, bench.open_one)
    print("READY", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
