"""A newcomer's first minute: a window at once, the demo night built behind a progress bar.

The first `make run` has no event yet. Instead of a terminal that prints lines for about a
minute, `DemoBuildWindow` opens within a few seconds, builds the demo night on a worker thread
(`TaskRunner`: the 35 films, the registrations, the sealed demo results, then preflight) and
draws how far it is, step by step; then the console opens on the night.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from kiosk.services.demo import build_demo
from kiosk.services.open_event import EventFolder
from kiosk.services.preflight import run_preflight
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label

log = logging.getLogger(__name__)

STEPS = {
    "films": "Making the demo films · 製作示範影片",
    "preflight": "Checking every film (preflight) · 檢查每部影片",
}


class DemoBuildWindow(QWidget):
    """Shows the demo night being built (a worker thread does the work) until it is ready."""

    def __init__(self, folder: EventFolder, tasks: TaskRunner) -> None:
        super().__init__()
        self.folder = folder
        self.tasks = tasks
        self.finished_ok: bool | None = None
        self.error = ""
        self._started = time.monotonic()
        self.setWindowTitle("AIFF Screening Night — building the demo night")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(10)
        layout.addWidget(text_label("AIFF Screening Night", 18, bold=True))
        layout.addWidget(
            text_label("第一次使用：正在準備示範放映之夜", 14, colour=Colours.accent.name())
        )
        intro = text_label(
            f"First run: building the demo night in {folder.root} — 35 short generated films, "
            "sample registrations and sealed demo jury results. This takes about a minute, "
            "once; the console opens by itself when it is ready.",
            11,
            colour=Colours.muted.name(),
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.step = text_label(STEPS["films"], 12, bold=True)
        layout.addWidget(self.step)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first film is counted
        self.bar.setMinimumHeight(26)
        layout.addWidget(self.bar)
        self.detail: QLabel = text_label("", 10, colour=Colours.muted.name())
        layout.addWidget(self.detail)
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(500)

    def start(self) -> None:
        """Start building on a worker thread."""
        log.info("building the demo night in %s (first run)", self.folder.root)
        self.tasks.run(self._build, self._built, self._failed)

    def _build(self) -> None:  # worker thread
        self.folder.create_dirs()
        with self.folder.lock():
            build_demo(self.folder, progress=self._progress("films"))
            run_preflight(self.folder, self._progress("preflight"))

    def _progress(self, step: str) -> Callable[[int, int, str], None]:
        def report(done: int, total: int, item: str) -> None:  # worker thread
            self.tasks.to_main(lambda: self._show(step, done, total, item))

        return report

    def _show(self, step: str, done: int, total: int, item: str) -> None:
        self.step.setText(STEPS[step])
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        self.bar.setFormat(f"{done} / {total}")
        self.detail.setText(item)

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.setWindowTitle(f"AIFF Screening Night — building the demo night ({elapsed:.0f} s)")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Not while building: the build holds the event and would be left half done."""
        if self.finished_ok is None:
            event.ignore()
            self.detail.setText("Still building — the console opens when the demo is ready")
            return
        event.accept()

    def _built(self, _: None) -> None:
        log.info("demo night built in %.1f s", time.monotonic() - self._started)
        self.finished_ok = True
        self._clock.stop()
        self.close()

    def _failed(self, error: BaseException) -> None:
        log.error("the demo night could not be built: %s", error)
        self.finished_ok = False
        self.error = str(error)
        self._clock.stop()
        self.close()


def build_demo_in_window(folder: EventFolder) -> str | None:
    """Show the build window, build the demo night, wait; None when built, else the error."""
    tasks = TaskRunner()
    window = DemoBuildWindow(folder, tasks)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    loop = QEventLoop()
    done = QTimer()

    def check() -> None:
        if window.finished_ok is not None:
            loop.quit()

    done.timeout.connect(check)
    done.start(100)
    window.show()
    window.start()
    loop.exec()
    done.stop()
    tasks.wait(timeout=30)
    return None if window.finished_ok else (window.error or "the build window was closed")
