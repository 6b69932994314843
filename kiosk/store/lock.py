"""A per-event lock so that two copies of the app never run the same show."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from kiosk.store.errors import EventLockedError

log = logging.getLogger(__name__)

try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True


class InstanceLock:
    """An exclusive OS lock on `<event>/<role>.lock`, released when the process dies.

    The lock is held by the kernel, so a crashed or killed copy never leaves a stale lock behind;
    the file only carries who holds it, to make the refusal message useful.
    """

    def __init__(self, event_dir: Path, role: str = "console") -> None:
        self.path = event_dir / f"{role}.lock"
        self.role = role
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise EventLockedError naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            holder = self._read_holder(fd)
            os.close(fd)
            raise EventLockedError(
                f"This event is already open in another copy of the app ({holder}). "
                f"Close that one first; two copies must never drive the same {self.role}. "
                f"(Lock: {self.path})"
            )
        os.ftruncate(fd, 0)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        os.write(fd, json.dumps(info).encode())
        os.fsync(fd)
        self._fd = fd
        log.info("holding the %s lock on %s", self.role, self.path)

    @staticmethod
    def _read_holder(fd: int) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
            since = time.strftime("%H:%M:%S", time.localtime(info["since"]))
            return f"process {info['pid']} on {info['host']}, since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            return "unknown process"

    def release(self) -> None:
        """Let go of the lock (also happens by itself when the process exits)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
