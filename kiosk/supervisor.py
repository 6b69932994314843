"""Keeps the projector black while the app is down, and restarts the app if it dies.

`python main.py` on a machine with a projector runs this small process first. It puts a black,
borderless, focus-less fullscreen window on the projector screen (under the app's own stage
window, which maps later and so stacks above it), then runs the app as a child process. If the
app dies (a crash, a kill), the audience keeps seeing black instead of the desktop, and the app
is started again after a back-off (1, 2, 4 ... 30 s); the restarted console restores the show
paused from the journal. An app that exits with status 0 (the operator quit) ends the
supervisor too; so does reaching `MAX_RESTARTS` crashes within `RESTART_WINDOW_S`. An app that
exits with `KEEP_PROJECTOR_DARK` (the operator closed the console during the show and chose to
keep the projector black) is started again at once, without counting as a crash: the projector
stays black until the show is ended on purpose. SIGTERM to the supervisor (a logout) is passed
on to the app, which asks the operator during the show; the supervisor ends when the app does.

Why a separate process and not a window of the app itself: a window dies with its process, and
a crashed X client's windows are destroyed by the X server at once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.media.x11_background import paint_black_by_server
from kiosk.night.exits import KEEP_PROJECTOR_DARK, SUPERVISED_ENV
from kiosk.ui.stage.screens import choose_screen

log = logging.getLogger(__name__)

ALWAYS_ENV = "KIOSK_SUPERVISOR"  # "always": supervise even with a single screen (tests)
MAX_RESTARTS = 5
RESTART_WINDOW_S = 600.0
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
POLL_MS = 200
KEEP_DARK_RESTART_S = 0.5  # after a confirmed close during the show


def _say(text: str) -> None:
    """A line for the terminal the supervisor was started from (it has no window of its own)."""
    sys.stderr.write(f"supervisor: {text}\n")
    sys.stderr.flush()


class StandbyWindow(QWidget):
    """Plain black over the whole projector screen; never takes focus, hides the pointer."""

    def __init__(self) -> None:
        super().__init__(None)
        self.setWindowTitle("AIFF Screening Night — projector standby")
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.allow_close = False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Black, always."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.end()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Only the supervisor itself closes the standby window."""
        if self.allow_close:
            event.accept()
        else:
            event.ignore()


class Supervisor:
    """Runs the app as a child process behind a black standby window, restarting it if it dies."""

    def __init__(self, command: Sequence[str], window: StandbyWindow) -> None:
        self.command = list(command)
        self.window = window
        self.child: subprocess.Popen[bytes] | None = None
        self.crashes: list[float] = []
        self.exit_code = 0
        self._restart_at: float | None = None
        self.stopping = False
        self._timer = QTimer()
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Start the app and watch it."""
        self._spawn()
        self._timer.start()

    def _spawn(self) -> None:
        env = {**os.environ, SUPERVISED_ENV: "1"}
        self.child = subprocess.Popen(self.command, env=env)
        log.info("app started (pid %d)", self.child.pid)
        _say(f"app started (pid {self.child.pid})")

    def poll(self) -> None:
        """Notice the app ending; restart it after a back-off, or finish."""
        now = time.monotonic()
        if self._restart_at is not None:
            if now >= self._restart_at:
                self._restart_at = None
                self._spawn()
            return
        if self.child is None or self.child.poll() is None:
            return
        code = self.child.returncode
        if code == 0:
            log.info("app closed normally: supervisor ends")
            self.finish(0)
            return
        if code == KEEP_PROJECTOR_DARK:
            log.warning("console closed during the show: projector stays black, app restarts")
            _say("console closed during the show: the projector stays black; restarting it")
            self._restart_at = now + KEEP_DARK_RESTART_S
            self.stopping = False
            return
        if self.stopping:  # asked to stop, and the app ended (before it could ask anyone)
            log.info("app ended (status %s) after SIGTERM: supervisor ends", code)
            self.finish(0)
            return
        self.crashes = [t for t in self.crashes if now - t < RESTART_WINDOW_S] + [now]
        if len(self.crashes) > MAX_RESTARTS:
            log.error("app died %d times in %.0f s: giving up", len(self.crashes), RESTART_WINDOW_S)
            self.finish(1)
            return
        delay = BACKOFF_S[min(len(self.crashes) - 1, len(BACKOFF_S) - 1)]
        log.error("app died (status %s): restarting in %.0f s", code, delay)
        _say(f"app died (status {code}); restarting in {delay:g} s")
        self._restart_at = now + delay

    def ask_child_to_stop(self) -> None:
        """A logout or `kill`: pass SIGTERM on to the app (which asks the operator during the
        show); end at once if no app is running."""
        child = self.child
        if child is None or child.poll() is not None:
            self.finish(0)
            return
        self.stopping = True
        child.send_signal(signal.SIGTERM)

    def stop_child(self) -> None:
        """End the app (on the supervisor's own shutdown)."""
        child = self.child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(5)

    def finish(self, code: int) -> None:
        """Stop watching, close the standby window and leave the event loop."""
        self._timer.stop()
        self.exit_code = code
        self.window.allow_close = True
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()


def needed() -> bool:
    """Supervise when a projector (a second screen) is connected, or when asked to always."""
    if os.environ.get(SUPERVISED_ENV):
        return False
    if os.environ.get(ALWAYS_ENV) == "always":
        return True
    return len(QGuiApplication.screens()) > 1


def run_supervisor(command: Sequence[str]) -> int:
    """Black standby on the projector, the app as a child; returns when the app is closed."""
    app = QApplication.instance() or QApplication(sys.argv)
    window = StandbyWindow()
    screen = choose_screen(QGuiApplication.screens(), QGuiApplication.primaryScreen(), None)
    if screen is not None:
        window.setGeometry(screen.geometry())
    window.showFullScreen()
    paint_black_by_server(int(window.winId()))  # black at once when the app's windows die
    supervisor = Supervisor(command, window)

    def stop(*_: object) -> None:
        supervisor.stop_child()
        supervisor.finish(0)

    signal.signal(signal.SIGTERM, lambda *_: supervisor.ask_child_to_stop())
    signal.signal(signal.SIGINT, stop)
    wake = QTimer()  # lets Python run signal handlers while Qt waits
    wake.timeout.connect(lambda: None)
    wake.start(200)
    supervisor.start()
    app.exec()
    supervisor.stop_child()
    return supervisor.exit_code


def app_command(argv: Sequence[str]) -> list[str]:
    """The command that runs the app itself with the same arguments."""
    return [sys.executable, "-m", "kiosk", *argv]
