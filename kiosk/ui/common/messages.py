"""One channel for every message the operator should see (qutebrowser's message bridge idea).

Messages posted before anyone listens (e.g. "could not restore the show", while the console is
still being built) are kept and delivered, in order and with their own time, to the first
listener that subscribes.
"""

from __future__ import annotations

import collections
import datetime as dt
import enum
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

KEEP_AT_MOST = 500  # messages kept until the console listens (older ones are dropped first)


class Level(enum.Enum):
    """How much attention a message needs."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_LOG_LEVELS = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}


class MessageBus(QObject):
    """Windows post here; the console's log panel (and later alerts) listen. Also logged.

    Until the first `subscribe`, messages are held back; then that listener gets them all.
    """

    posted = Signal(object, str, str)  # Level, time "HH:MM:SS", text

    def __init__(self, parent: QObject | None = None, *, keep: int = KEEP_AT_MOST) -> None:
        super().__init__(parent)
        self._held: collections.deque[tuple[Level, str, str]] = collections.deque(maxlen=keep)
        self._listened = False

    def post(self, level: Level, text: str) -> None:
        """Show `text` to the operator (safe from the GUI thread; use TaskRunner otherwise)."""
        log.log(_LOG_LEVELS[level], "operator message: %s", text)
        at = dt.datetime.now().strftime("%H:%M:%S")
        if not self._listened:
            self._held.append((level, at, text))
            return
        self.posted.emit(level, at, text)

    def subscribe(self, listener: Callable[[Level, str, str], None]) -> None:
        """Listen from now on; messages held until now are delivered to `listener` at once."""
        self.posted.connect(listener)
        self._listened = True
        held, self._held = list(self._held), collections.deque(maxlen=self._held.maxlen)
        for level, at, text in held:
            listener(level, at, text)

    @property
    def held(self) -> int:
        """How many messages wait for a listener."""
        return len(self._held)

    def info(self, text: str) -> None:
        """An informational message."""
        self.post(Level.INFO, text)

    def warning(self, text: str) -> None:
        """Something the operator should look at."""
        self.post(Level.WARNING, text)

    def error(self, text: str) -> None:
        """Something went wrong."""
        self.post(Level.ERROR, text)
