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
    """Windows post here; the console's log panel (and later alerts) listen. Also logged.

    Times are on the event's clock (``zone``), not the laptop's.
    """

    posted = Signal(object, str, str)  # Level, time "HH:MM:SS", text

    def __init__(self, zone: dt.tzinfo | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = zone

    def post(self, level: Level, text: str) -> None:
        """Show `text` to the operator (safe from the GUI thread; use TaskRunner otherwise)."""
        log.log(
            {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}[
                level
            ],
            "operator message: %s",
            text,
        )
        now = dt.datetime.now(dt.UTC).astimezone(self._zone) if self._zone else dt.datetime.now()
        self.posted.emit(level, now.strftime("%H:%M:%S"), text)

    def info(self, text: str) -> None:
        """An informational message."""
        self.post(Level.INFO, text)

    def warning(self, text: str) -> None:
        """Something the operator should look at."""
        self.post(Level.WARNING, text)

    def error(self, text: str) -> None:
        """Something went wrong."""
        self.post(Level.ERROR, text)
