"""The night's journal writer: entries committed in order on a thread and connection of its own.

The show's GUI thread times every cut; a journal commit (fully synced) waiting for SQLite's
write lock while the doors write the same database must not delay one. The effect runner hands
each batch of entries here and goes on at once: the picture first, the record right after. The
entries are stamped when handed over (their `at` is the moment the show did it, not the moment
the commit got through), committed one batch per transaction strictly in the order they came,
on this writer's own connection, and it asks for the write lock every ``poll_s`` (like the
doors do) instead of SQLite's growing back-off, so door traffic cannot starve it.

:meth:`JournalWriter.flush` waits until everything handed over is committed: the show calls it
before it reads the journal back (restoring the sound settings), and closing the night does.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlite_utils

from kiosk.store.database import transaction
from kiosk.store.journal import Journal, utc_now_iso

log = logging.getLogger(__name__)

LOCK_POLL_S = 0.0005  # how often a waiting batch asks for the write lock
_STOP = object()

Entry = tuple[str, str | None, Mapping[str, Any]]


class JournalWriter:
    """Commits journal batches in order on its own thread; never makes the caller wait."""

    def __init__(
        self,
        open_db: Callable[[], sqlite_utils.Database],
        on_failure: Callable[[str], None] = lambda _text: None,
        *,
        poll_s: float = LOCK_POLL_S,
    ) -> None:
        self._open_db = open_db
        self._on_failure = on_failure  # called on the writer's thread
        self._poll_s = poll_s
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._serve, name="journal-writer", daemon=True)
        self._thread.start()

    def append_all(self, entries: Iterable[Entry]) -> None:
        """Hand over (kind, subject, data) entries, stamped now, to commit in one transaction."""
        at = utc_now_iso()
        batch = [(at, kind, subject, dict(data)) for kind, subject, data in entries]
        if not batch:
            return
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put(batch)

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until every batch handed over is committed (or failed); False on timeout."""
        return self._idle.wait(timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Commit what is queued, then stop the thread and close its connection."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout_s)

    def _serve(self) -> None:
        db: sqlite_utils.Database | None = None
        try:
            while True:
                batch = self._queue.get()
                if batch is _STOP:
                    return
                try:
                    if db is None:
                        db = self._open_db()
                    with transaction(db, poll_s=self._poll_s) as conn:
                        for at, kind, subject, data in batch:
                            Journal.append_in(conn, kind, subject, data, at=at)
                except Exception as exc:  # told to the operator, never raised into the show
                    log.exception("could not write %d journal entries", len(batch))
                    self._on_failure(f"The night's journal could not be written ({exc})")
                finally:
                    with self._lock:
                        self._pending -= 1
                        if self._pending == 0:
                            self._idle.set()
        finally:
            if db is not None:
                db.close()
