"""Files that hold ticket codes, keys or the night's log: readable by their owner only.

An event or station database holds every ticket code (working tickets, and from them vote
codes); the logs name people. On a laptop shared with other accounts, or a folder copied to a
USB stick, they must not be world-readable: files 0600, their folders 0700. Files made before
this rule are tightened when next opened.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700; returns it."""
    path.mkdir(parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> None:
    """Make an existing file 0600 (nothing if it does not exist)."""
    _tighten(path, PRIVATE_FILE)


def private_database(path: Path) -> None:
    """An SQLite database and its WAL and shared-memory files: 0600 each."""
    for suffix in ("", "-wal", "-shm"):
        private_file(path.with_name(path.name + suffix))


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current != mode:
            path.chmod(mode)
    except FileNotFoundError:
        return
    except OSError as exc:  # not ours (a shared folder): say so, do not stop
        log.warning("could not make %s private (mode %o): %s", path, mode, exc)
