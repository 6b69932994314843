"""The QApplication every window of the app runs in, and the one way to refuse to start.

Shared by the console (kiosk.ui.app) and the door station (kiosk.ui.doors.app).
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.ui.common.theme import apply_theme

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


def refuse(title: str, text: str) -> int:
    """Say why the app cannot start (logged, and in a dialog); returns the exit status 1."""
    log.error("%s: %s", title, text)
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()
    return 1
