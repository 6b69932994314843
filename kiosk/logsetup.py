"""Logging for the app: a rotating log file per event, and faulthandler dumps for C crashes."""

from __future__ import annotations

import datetime as dt
import faulthandler
import io
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"
_crash_file: TextIO | None = None


class EventClockFormatter(logging.Formatter):
    """Log times on the event's clock with its UTC offset (``2026-12-05 19:02:11.123+0800``),
    so the log reads like the screens whatever zone the laptop is set to."""

    def __init__(self, fmt: str, zone: dt.tzinfo | None) -> None:
        super().__init__(fmt)
        self._zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC).astimezone(self._zone)
        return (
            moment.strftime("%Y-%m-%d %H:%M:%S.")
            + f"{int(record.msecs):03d}"
            + moment.strftime("%z")
        )


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (the first and each one after a rotation) is 0600."""

    def _open(self) -> io.TextIOWrapper:
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


def configure_logging(
    logs_dir: Path | None, *, verbose: bool = False, zone: dt.tzinfo | None = None
) -> Path | None:
    """Send logs to `<logs_dir>/kiosk.log` (5 x 5 MB) and warnings to stderr.

    ``zone``: the event's time zone, for the times in the log (None: the computer's).

    Also points faulthandler at `<logs_dir>/crash.log`, because libvlc runs C code through
    ctypes and a segfault there would otherwise leave no trace. Returns the log file path.
    """
    global _crash_file  # noqa: PLW0603 - the file must stay open for faulthandler's lifetime
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(console)
    if logs_dir is None:
        return None
    logs_dir.mkdir(parents=True, exist_ok=True)
    logs_dir.chmod(0o700)  # logs name people: the owner's only
    log_file = logs_dir / "kiosk.log"
    handler = PrivateRotatingFileHandler(
        log_file, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(EventClockFormatter(LOG_FORMAT, zone))
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if _crash_file is not None:
        _crash_file.close()
    crash_path = logs_dir / "crash.log"
    _crash_file = os.fdopen(
        os.open(crash_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8"
    )
    os.chmod(crash_path, 0o600)  # made before logs were private
    faulthandler.enable(_crash_file, all_threads=True)
    return log_file
