"""Run slow work off the GUI thread and get the results back on it (Picard's run_task idea)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Carries a callable from any thread to the thread this object lives in (the GUI)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, function: Callable[[], None]) -> None:
        function()


class TaskRunner(QObject):
    """Starts background tasks; their callbacks always run on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay()
        self._threads: list[threading.Thread] = []

    def to_main(self, function: Callable[[], None]) -> None:
        """Run `function` on the GUI thread soon (safe to call from any thread)."""
        self._relay.call.emit(function)

    def run(
        self,
        work: Callable[..., Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        *args: Any,
    ) -> threading.Thread:
        """Run `work(*args)` on a thread; then `on_done(result)` or `on_error(exc)` on the GUI."""

        def body() -> None:
            try:
                result = work(*args)
            except BaseException as exc:  # handed to the GUI, never lost
                log.exception("background task failed")
                self.to_main(partial(on_error, exc))
            else:
                self.to_main(partial(on_done, result))

        thread = threading.Thread(target=body, name=getattr(work, "__name__", "task"), daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running tasks finish (for shutdown and tests)."""
        for thread in self._threads:
            thread.join(timeout)
