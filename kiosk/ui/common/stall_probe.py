"""The console's stall probe: how late the GUI thread runs, all night, and what held it.

A precise timer on the GUI thread fires every ``interval_ms``; each firing's lateness (beyond
the interval) goes to :class:`~kiosk.core.stalls.StallLog`. A watchdog thread looks every
``WATCH_MS`` at when the timer last fired: once the GUI thread is late by more than the log
threshold, it reads the GUI thread's Python stack (``current_frames``: ``sys._current_frames``
without its deadlock) and keeps the name
of the handler that is running, e.g. ``registrations_view.py:287 refresh_preview →
attendees.py:280 apply_import`` (the slot Qt called, then the innermost frame of the app). When
the timer fires again, the stall is logged with that handler (over 50 ms), handed to
``record_incident`` (over 100 ms: the console journals it; the show report lists it) and the
status line shows the worst lateness of the last minutes.

Painting runs in Qt, with no Python frame to read: :class:`WindowPaints` (an event filter on
each visible top-level window, not on the application) delivers each window's
``UpdateRequest`` (the paint of everything that changed in that window, and its flush to the
window system) itself, so the watchdog can say which window was being painted:
``painting ConsoleWindow (Qt)``, or ``painting StageWindow → canvas.py:54 background`` when a
Python paint of ours ran inside it.
"""

from __future__ import annotations

import logging
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core.stalls import Stall, StallLog, status_text
from kiosk.core.thread_frames import current_frames
from kiosk.ui.common.theme import Colours, set_style, text_label

log = logging.getLogger(__name__)

INTERVAL_MS = 10
WATCH_MS = 20
LABEL_EVERY_S = 1.0
_LIBRARIES = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")})
NO_PYTHON = "Qt itself (painting or layout: no Python handler running)"


class WindowPaints(QObject):
    """Which top-level window Qt is painting now (read by the watchdog thread): an event filter
    on each visible top-level window that delivers the window's ``UpdateRequest`` itself, between
    two notes. Only the windows' own events pass through it (not their children's), never every
    event of the application."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.painting = ""  # the window being painted, "" between paints
        self._watched: set[int] = set()

    def watch_windows(self) -> None:
        """Filter every visible top-level window not filtered yet (new dialogs included)."""
        for window in QApplication.topLevelWidgets():
            key = id(window)
            if window.isVisible() and key not in self._watched:
                self._watched.add(key)
                window.installEventFilter(self)
                window.destroyed.connect(lambda *_a, key=key: self._watched.discard(key))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A window's UpdateRequest: delivered here, named while it runs."""
        if event.type() != QEvent.Type.UpdateRequest or not isinstance(watched, QWidget):
            return False
        self.painting = _object_name(watched)
        try:
            watched.event(event)
        finally:
            self.painting = ""
        return True


def _object_name(widget: QObject) -> str:
    name = widget.objectName()
    return f"{type(widget).__name__}#{name}" if name else type(widget).__name__


class StallProbe(QObject):
    """Measures the GUI thread's lateness; owns the status-line label that shows the worst."""

    def __init__(
        self,
        record_incident: Callable[[Stall], None],
        *,
        stall_log: StallLog | None = None,
        interval_ms: int = INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.stall_log = stall_log or StallLog()
        self.label = text_label("", 9, colour=Colours.muted.name())
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setToolTip(
            "The worst delay of the console's own clock (the one that times every cut) over "
            "the last minutes. Over 50 ms is logged with what held it; over 100 ms goes into "
            "the show report as an incident."
        )
        self.stalls: list[Stall] = []  # every incident recorded, for the operator and tests
        self._record_incident = record_incident
        self._interval_s = interval_ms / 1000
        self._gui_thread = threading.get_ident()
        self._loop_frames: frozenset[int] = frozenset()  # the GUI stack under the last firing
        self._lock = threading.Lock()
        self._beat = time.monotonic()
        self._handler = ""  # what the watchdog saw holding the GUI thread since the last beat
        self._label_at = 0.0
        self.paints = WindowPaints(self)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fired)
        self._stop = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="stall-watchdog", daemon=True)
        self._draw(0.0)

    def start(self) -> None:
        """Start measuring (the watchdog thread too); not again once stopped."""
        if self._stop.is_set():
            return
        with self._lock:
            self._beat = time.monotonic()
        self.paints.watch_windows()
        self._timer.start()
        if not self._watchdog.is_alive():
            self._watchdog.start()

    def stop(self) -> None:
        """Stop measuring (the console is closing)."""
        self._timer.stop()
        self._stop.set()

    def worst_ms(self) -> float:
        """The worst lateness of the window, now."""
        return self.stall_log.worst(time.monotonic())

    # --- GUI thread ---------------------------------------------------------------------------
    def _fired(self) -> None:
        now = time.monotonic()
        below = _frames_below()  # the event loop that called this (any nested one included)
        with self._lock:
            self._loop_frames = below
            lateness_ms = (now - self._beat - self._interval_s) * 1000
            self._beat = now
            handler, self._handler = self._handler, ""
        log_ = self.stall_log
        log_.record(now, lateness_ms)
        if log_.should_log(lateness_ms):
            stall = Stall(lateness_ms, handler or NO_PYTHON)
            log.warning("%s", stall.describe())
            if log_.is_incident(lateness_ms):
                self.stalls.append(stall)
                self._record_incident(stall)
        if now - self._label_at >= LABEL_EVERY_S:
            self._label_at = now
            self._draw(log_.worst(now))
            self.paints.watch_windows()  # a dialog opened since

    def _draw(self, worst_ms: float) -> None:
        self.label.setText(status_text(worst_ms, self.stall_log.window_s))
        log_ = self.stall_log
        colour = (
            Colours.bad
            if log_.is_incident(worst_ms)
            else Colours.warn
            if log_.should_log(worst_ms)
            else Colours.muted
        )
        set_style(self.label, f"color: {colour.name()};")

    # --- watchdog thread ----------------------------------------------------------------------
    def _watch(self) -> None:
        threshold_s = self._interval_s + self.stall_log.log_over_ms / 1000
        while not self._stop.wait(WATCH_MS / 1000):
            with self._lock:
                late = time.monotonic() - self._beat > threshold_s and not self._handler
            if not late:
                continue
            handler = self._handler_now()
            with self._lock:
                if not self._handler:
                    self._handler = handler

    def _handler_now(self) -> str:
        frame = current_frames().get(self._gui_thread)
        with self._lock:
            loop = self._loop_frames
        chain = []  # innermost first
        while frame is not None:
            chain.append(frame)
            frame = frame.f_back
        running = [f for f in reversed(chain) if id(f) not in loop]  # outermost first
        painting = self.paints.painting
        if painting:
            return _painting_name(painting, running)
        if not running:
            return ""
        summaries = [
            traceback.FrameSummary(
                f.f_code.co_filename, f.f_lineno, f.f_code.co_name, lookup_line=False
            )
            for f in running
        ]
        names = [_frame_name(summaries[0])]
        ours = [f for f in summaries[1:] if _is_app_code(f.filename)]
        if ours:
            names.append(_frame_name(ours[-1]))
        return " → ".join(names)


def _painting_name(window: str, running: list[FrameType]) -> str:
    """`painting <window> (Qt)`, or `painting <window> → <innermost frame of the app>` when a
    Python paint of ours runs inside it."""
    ours = [
        f
        for f in running
        if _is_app_code(f.f_code.co_filename) and f.f_code.co_filename != __file__
    ]
    if not ours:
        return f"painting {window} (Qt)"
    innermost = ours[-1]
    summary = traceback.FrameSummary(
        innermost.f_code.co_filename,
        innermost.f_lineno,
        innermost.f_code.co_name,
        lookup_line=False,
    )
    return f"painting {window} → {_frame_name(summary)}"


def _frames_below() -> frozenset[int]:
    """The frames under the caller (the event loop that called it), by identity."""
    below = set()
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        below.add(id(frame))
        frame = frame.f_back
    return frozenset(below)


def _is_app_code(filename: str) -> bool:
    """Code of this app (or its tests), not of Python or an installed library."""
    return not filename.startswith(_LIBRARIES)


def _frame_name(frame: traceback.FrameSummary) -> str:
    return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
