"""The one hand-off between the GUI thread and the threads that may wait (files, database, network).

Two pieces, used by every panel of the console and the door window:

* :class:`GuiRelay` carries a callable from any thread to the GUI thread (a queued signal), so
  answers may touch widgets.
* :class:`SerialWorker` is one thread with its own resource (typically a repository on its own
  database connection, opened on that thread: one connection per thread). Work submitted to it
  runs strictly in the order it was submitted; each piece's result (or the exception it raised)
  comes back on the GUI thread. Nothing a worker does can make the GUI thread wait, except
  :meth:`SerialWorker.wait_idle` and :meth:`SerialWorker.shutdown`, meant for closing and tests.

Long work reports progress with :meth:`SerialWorker.to_gui` and may be cancelled with a
:class:`Cancel` that the work polls between steps.
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

Resource = TypeVar("Resource")
Result = TypeVar("Result")
_STOP = object()


class GuiRelay(QObject):
    """Carries a callable from any thread to the thread this object lives in (the GUI)."""

    call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, function: Callable[[], None]) -> None:
        """Run ``function`` on the GUI thread soon (safe from any thread)."""
        self.call.emit(function)

    @Slot(object)
    def _run(self, function: Callable[[], None]) -> None:
        function()


class Cancel:
    """A request to stop long work between two steps (thread-safe)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next step."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether stopping was asked for."""
        return self._event.is_set()


class SerialWorker(QObject, Generic[Resource]):
    """One worker thread owning one resource; work runs in order, answers come on the GUI.

    ``open_resource`` is called once, on the worker thread, so what it opens (e.g. a database
    connection) belongs to that thread alone; ``close_resource`` is called there at shutdown.
    If opening fails, every piece of work is answered with that error (nothing is lost).
    """

    def __init__(
        self,
        open_resource: Callable[[], Resource],
        *,
        name: str,
        close_resource: Callable[[Resource], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self._relay = GuiRelay(self)
        self._close_resource = close_resource
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._serve, args=(open_resource,), name=name, daemon=True
        )
        self._thread.start()

    def submit(
        self,
        work: Callable[[Resource], Result],
        on_done: Callable[[Result], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run ``work(resource)`` after everything submitted before; answer on the GUI."""
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put((work, on_done, on_error))

    def to_gui(self, function: Callable[[], None]) -> None:
        """Run ``function`` on the GUI thread soon (for progress reports from the work)."""
        self._relay.post(function)

    @property
    def pending(self) -> int:
        """Pieces of work submitted and not yet answered."""
        with self._lock:
            return self._pending

    @property
    def running(self) -> bool:
        """Whether the worker's thread is alive (until `shutdown` has stopped it)."""
        return self._thread.is_alive()

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until all submitted work has run (closing and tests); False on timeout."""
        return self._idle.wait(timeout_s)

    def shutdown(self, timeout_s: float = 15.0) -> None:
        """Finish the queued work, close the resource, then stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout_s)

    def _serve(self, open_resource: Callable[[], Resource]) -> None:
        opened: list[Resource] = []  # empty: the opening failed (a resource may be None)
        opening_error: BaseException | None = None
        try:
            opened.append(open_resource())
        except BaseException as exc:  # every later request gets this error
            log.exception("worker %s could not open its resource", self.name)
            opening_error = exc
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                self._run(opened, opening_error, *item)
        finally:
            if opened and self._close_resource is not None:
                try:
                    self._close_resource(opened[0])
                except Exception:
                    log.exception("worker %s could not close its resource", self.name)

    def _run(
        self,
        opened: list[Resource],
        opening_error: BaseException | None,
        work: Callable[[Resource], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        try:
            if not opened:
                assert opening_error is not None
                raise opening_error
            result = work(opened[0])
        except BaseException as exc:  # handed to the GUI, never lost
            if not isinstance(exc, Exception):
                log.exception("work on %s failed", self.name)
            self._relay.post(partial(on_error, exc))
        else:
            self._relay.post(partial(on_done, result))
        finally:
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.set()
