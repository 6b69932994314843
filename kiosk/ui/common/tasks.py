"""Run slow independent work off the GUI thread, side by side (Picard's run_task/to_main).

Work that must run in order, or on one connection, goes to a
:class:`~kiosk.ui.common.serial_worker.SerialWorker` instead; both answer through the same
:class:`~kiosk.ui.common.serial_worker.GuiRelay`.

Work runs on the runner's own `QThreadPool` (not Qt's global instance: no singletons); its
result, or the exception it raised, comes back to the GUI thread through a queued signal, so
the callbacks may touch widgets. Typed: `run(work, on_done, ...)` checks that `on_done` takes
what `work` returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool

from kiosk.ui.common.serial_worker import GuiRelay

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_THREADS = 8  # a preflight, a ticket render and the previews' snapshots side by side


class TaskRunner(QObject):
    """Starts background tasks on a thread pool; their callbacks always run on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = MAX_THREADS) -> None:
        super().__init__(parent)
        self._relay = GuiRelay(self)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)

    def to_main(self, function: Callable[[], None]) -> None:
        """Run `function` on the GUI thread soon (safe to call from any thread)."""
        self._relay.post(function)

    def run(
        self,
        work: Callable[..., T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
        *args: Any,
    ) -> None:
        """Run `work(*args)` on the pool; then `on_done(result)` or `on_error(exc)` on the GUI."""

        def body() -> None:
            try:
                result = work(*args)
            except BaseException as exc:  # handed to the GUI, never lost
                log.warning("background task %s failed", _name(work), exc_info=True)
                self.to_main(partial(on_error, exc))
            else:
                self.to_main(partial(on_done, result))

        self._pool.start(body)

    @property
    def active(self) -> int:
        """How many tasks are running now."""
        return self._pool.activeThreadCount()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running tasks finish (for shutdown and tests); False on timeout."""
        return self._pool.waitForDone(-1 if timeout is None else round(timeout * 1000))


def _name(work: Callable[..., Any]) -> str:
    return getattr(work, "__name__", type(work).__name__)
