"""Start the Qt application on an event: the console window (and, later, the stage)."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.core.problems import ConfigError
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.ui.common.excepthook import ErrorReporter
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import apply_theme
from kiosk.ui.console.window import ConsoleContext, ConsoleWindow

log = logging.getLogger(__name__)


def make_application() -> QApplication:
    """The QApplication, created once, with the app's names and theme."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("AIFF Screening Night")
    app.setOrganizationName("AIFF")
    app.setDesktopFileName("aiff-kiosk")
    apply_theme(app)
    return app


def _refuse(title: str, text: str) -> int:
    log.error("%s: %s", title, text)
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()
    return 1


def open_console(folder: EventFolder) -> tuple[ConsoleWindow, ErrorReporter]:
    """Build the console on an event (the caller holds the event lock and runs the loop)."""
    config = folder.load_config()
    programme = folder.load_programme(config)
    messages = MessageBus()
    context = ConsoleContext(folder, config, programme, folder.open_db(), messages, TaskRunner())
    window = ConsoleWindow(context)
    reporter = ErrorReporter(lambda: window)
    return window, reporter


def run_console(folder: EventFolder) -> int:
    """Open the console on `folder` and run until it is closed; returns the exit status."""
    app = make_application()
    lock = folder.lock()
    try:
        lock.acquire()
    except StoreError as exc:
        return _refuse("AIFF Screening Night is already running", str(exc))
    try:
        window, reporter = open_console(folder)
    except ConfigError as exc:
        return _refuse(
            "The event cannot be opened",
            "Fix these and start again:\n\n" + "\n".join(map(str, exc.problems)),
        )
    except StoreError as exc:
        return _refuse("The event cannot be opened", str(exc))
    reporter.install()
    window.showMaximized()
    try:
        return app.exec()
    finally:
        reporter.uninstall()
        lock.release()
