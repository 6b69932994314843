"""Show unexpected errors to the operator on the console, never on the projector."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


class ErrorReporter(QObject):
    """Installed as sys.excepthook and threading.excepthook.

    Logs the traceback, then shows a non-modal dialog parented to the console window (so it
    appears on the operator's screen, not the projector) and keeps the app running: the show
    must go on. Errors from other threads are relayed to the GUI thread first.
    """

    _relay = Signal(str, str)

    def __init__(self, parent_window: Callable[[], QWidget | None]) -> None:
        super().__init__()
        self._parent_window = parent_window
        self._relay.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.shown: list[str] = []  # summaries of what was shown (for the log panel and tests)
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> None:
        """Become the process's exception hook."""
        sys.excepthook = self._hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        """Restore the previous hooks."""
        sys.excepthook, threading.excepthook = self._previous

    def _hook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous[0](kind, exc, tb)
            return
        text = "".join(traceback.format_exception(kind, exc, tb))
        log.error("unhandled error:\n%s", text)
        self._relay.emit(f"{kind.__name__}: {exc}", text)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self._hook(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.shown.append(summary)
        box = QMessageBox(self._parent_window())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle("Unexpected error — the show goes on")
        box.setText(f"Something went wrong inside the app:\n\n{summary}")
        box.setInformativeText(
            "It has been written to the log. The projector output is not "
            "affected. Carry on, and report it after the show."
        )
        box.setDetailedText(details)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
