"""One channel for every message the operator should see (qutebrowser's message module idea)."""

from __future__ import annotations

import datetime as dt
import enum
import logging

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class Level(enum.Enum):
    """How much attention a message needs."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class MessageBus(QObject):
    """Windows post here; the console's log panel (and later alerts) listen. Also logged."""

    posted = Signal(object, str, str)  # Level, time "HH:MM:SS", text

    def post(self, level: Level, text: str) -> None:
        """Show `text` to the operator (safe from the GUI thread; use TaskRunner otherwise)."""
        log.log(
            {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}[
                level
            ],
            "operator message: %s",
            text,
        )
        self.posted.emit(level, dt.datetime.now().strftime("%H:%M:%S"), text)

    def info(self, text: str) -> None:
        """An informational message."""
        self.post(Level.INFO, text)

    def warning(self, text: str) -> None:
        """Something the operator should look at."""
        self.post(Level.WARNING, text)

    def error(self, text: str) -> None:
        """Something went wrong."""
        self.post(Level.ERROR, text)
