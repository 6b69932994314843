"""Logging for the app: a rotating log file per event, and faulthandler dumps for C crashes."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
from pathlib import Path
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"
_crash_file: TextIO | None = None


def configure_logging(logs_dir: Path | None, *, verbose: bool = False) -> Path | None:
    """Send logs to `<logs_dir>/kiosk.log` (5 x 5 MB) and warnings to stderr.

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
    log_file = logs_dir / "kiosk.log"
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if _crash_file is not None:
        _crash_file.close()
    _crash_file = (logs_dir / "crash.log").open("a", encoding="utf-8")
    faulthandler.enable(_crash_file, all_threads=True)
    return log_file
