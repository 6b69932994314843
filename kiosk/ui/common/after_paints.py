"""Run a console handler after the paints already asked for: the picture first, the console after.

A cut tells the stage what to show (a card raised and marked for painting, or a film's
surface raised and flushed to the X server) and then emits the show's `changed`. Whatever
the console does in reaction (the Show tab's labels and run order, the memory line's sample
read from `/proc`) used to run right there, before the event loop got back to painting the
stage: the load bench named them at a card→film cut (`ShowPanel.refresh`,
`MemoryStatus._show_changed` → `read_process_stats`, 3–11 ms each on the loaded machine).

`AfterPaints(handler)` is a slot for such a signal: `request()` posts one event to itself at a
priority below Qt's paint requests (`UpdateRequest` is posted at `Qt.LowEventPriority`), so
the handler runs once the paints pending when it was asked for have been delivered, in the
same turn of the event loop (within a millisecond at idle). Requests made before it runs fold
into one call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt

log = logging.getLogger(__name__)

_AFTER_PAINTS = QEvent.Type(QEvent.registerEventType())
# posted events are delivered highest priority first; paints are posted at LowEventPriority
_PRIORITY = Qt.EventPriority.LowEventPriority.value - 1


class AfterPaints(QObject):
    """Calls `handler` on the GUI thread after the paints pending when `request()` was called
    (once, however many requests came before it ran)."""

    def __init__(self, handler: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler = handler
        self._pending = False

    @property
    def pending(self) -> bool:
        """True between a request and the handler's call."""
        return self._pending

    def request(self) -> None:
        """Ask for one call of the handler after the paints asked for so far."""
        if self._pending:
            return
        self._pending = True
        QCoreApplication.postEvent(self, QEvent(_AFTER_PAINTS), _PRIORITY)

    def event(self, event: QEvent) -> bool:
        """Qt's delivery of the posted request: the handler runs here."""
        if event.type() != _AFTER_PAINTS:
            return super().event(event)
        self._pending = False
        self._handler()
        return True
