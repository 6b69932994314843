"""A per-event lock so that two copies of the app never run the same show.

One lock file per role: ``console.lock`` is the event's lock, held by whatever changes the
event as a whole (the console, ``rehearse``, ``results seal``, ``attendees import``, ``demo``;
see :meth:`EventFolder.event_lock`); door stations hold one per station name. Read-only
commands take no lock, and the doors work while the console runs.
"""

from __future__ import annotations

import datetime as dt
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

    def __init__(
        self,
        event_dir: Path,
        role: str = "console",
        *,
        holder: str | None = None,
        zone: dt.tzinfo | None = None,
    ) -> None:
        self.path = event_dir / f"{role}.lock"
        self.role = role
        self.holder = holder or role  # what takes the lock, e.g. "the console", "rehearse"
        self.zone = zone  # the event's time zone, for "since 19:02:11"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise EventLockedError naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            what, holder = self._read_holder(fd)
            os.close(fd)
            if self.role == "console":
                raise EventLockedError(
                    f"This event is already open in another copy of the app: {what} "
                    f"({holder}) is using it, so {self.holder} cannot change it now. Finish or "
                    f"close that first; read-only commands and the door stations work "
                    f"meanwhile. (Lock: {self.path})",
                    holder=what,
                    details=holder,
                )
            raise EventLockedError(
                f"{self.holder[:1].upper()}{self.holder[1:]} is already open in another copy "
                f"of the app ({holder}). Close that one first. (Lock: {self.path})",
                holder=what,
                details=holder,
            )
        os.ftruncate(fd, 0)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": time.time(),
            "holder": self.holder,
        }
        os.write(fd, json.dumps(info).encode())
        os.fsync(fd)
        self._fd = fd
        log.info("holding the %s lock on %s", self.role, self.path)

    def _read_holder(self, fd: int) -> tuple[str, str]:
        """(what holds the lock, e.g. "the console"; which process, since when)."""
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
            moment = dt.datetime.fromtimestamp(float(info["since"]), dt.UTC)
            if self.zone is not None:
                since = moment.astimezone(self.zone).strftime("%H:%M:%S")
            else:
                since = moment.strftime("%H:%M:%S UTC")
            what = str(info.get("holder") or "another copy of the app")
            return what, f"process {info['pid']} on {info['host']}, since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            return "another copy of the app", "unknown process"

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
