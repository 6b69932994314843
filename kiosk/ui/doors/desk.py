"""The door's writes (scans, hand admissions, walk-ins, undo) on one worker thread, in order.

A check-in is committed with ``synchronous=FULL`` before its verdict is shown, and may have to
wait for SQLite's write lock while another process (an import, another door) writes. None of
that may freeze the door window: the keyboard, the scanner capture and the verdict animation
keep running on the GUI thread while the worker waits. Work runs strictly in the order it was
submitted (a scan, then its Undo), on the worker's own database connection, and every answer
comes back on the GUI thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

Repo = TypeVar("Repo")
_STOP = object()


class _Relay(QObject):
    """Carries a callable from the worker to the thread this object lives in (the GUI)."""

    call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, function: Callable[[], None]) -> None:
        function()


class CheckinDesk(QObject, Generic[Repo]):
    """One worker thread with its own repository; answers are delivered on the GUI thread.

    ``open_repository`` is called once, on the worker thread, so the repository's database
    connection belongs to that thread alone.
    """

    def __init__(self, open_repository: Callable[[], Repo], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._serve, args=(open_repository,), name="door-desk", daemon=True
        )
        self._thread.start()

    def submit(
        self,
        work: Callable[[Repo], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run ``work(repository)`` after everything submitted before; answer on the GUI."""
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put((work, on_done, on_error))

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until all submitted work has run (shutdown and tests); False on timeout."""
        return self._idle.wait(timeout_s)

    def shutdown(self, timeout_s: float = 15.0) -> None:
        """Finish the queued work, then stop the worker."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout_s)

    def _serve(self, open_repository: Callable[[], Repo]) -> None:
        repository: Repo | None = None
        opening_error: BaseException | None = None
        try:
            repository = open_repository()
        except BaseException as exc:  # every later request gets this error, nothing is lost
            log.exception("the door's worker could not open the event")
            opening_error = exc
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            work, on_done, on_error = item
            try:
                if repository is None:
                    assert opening_error is not None
                    raise opening_error
                result = work(repository)
            except BaseException as exc:  # handed to the GUI, never lost
                if not isinstance(exc, Exception):
                    log.exception("door work failed")
                self._relay.call.emit(partial(on_error, exc))
            else:
                self._relay.call.emit(partial(on_done, result))
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.set()
