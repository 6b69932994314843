"""Enter to verdict on screen, from the real key: the X server's stamp of the last Return.

A door child installs :class:`ReturnStamps` on its application (last, so it sees the keys
before the scanner capture), tells it each answer shown (:meth:`ReturnStamps.answer_shown`)
and calls :func:`report_paint` after each paint of the verdict overlay: the first paint after
the answer prints ``PAINTED {ms}``, the time since the X server stamped that Return (X
timestamps are the server's CLOCK_MONOTONIC in ms, the same clock as ``time.monotonic()``
here). A paint before the answer (the verdict before it fading) is not the verdict. (When
the scanner capture took the burst before its Return arrived, the answer came first and the
first paint after the Return is reported, as before.)
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent


class ReturnStamps(QObject):
    """Remembers the X server's timestamp of the latest Return key press (before anyone)."""

    def __init__(self) -> None:
        super().__init__()
        self.last_ms = 0
        self.answered = False  # the door answered since the last report: its next paint is it

    def answer_shown(self, _answer: object = None) -> None:
        """The door's answer to the scan is on its way to the screen."""
        self.answered = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.spontaneous()  # from the X server, not a replay
            and not event.isAutoRepeat()
        ):
            self.last_ms = int(event.timestamp())
        return False


def report_paint(stamps: ReturnStamps) -> None:
    """After the paint, on the event loop's next turn (the backing store is flushed by then)."""
    if stamps.last_ms == 0 or not stamps.answered:
        return
    stamp = stamps.last_ms

    def flushed() -> None:
        now_ms = time.monotonic() * 1000
        elapsed = (now_ms - stamp) % 2**32  # X timestamps are 32-bit milliseconds
        print(f"PAINTED {elapsed:.1f}", flush=True)

    QTimer.singleShot(0, flushed)
    stamps.last_ms = 0  # one report per key press: the fade's paints are not verdicts
    stamps.answered = False
