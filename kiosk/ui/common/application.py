"""The QApplication every window of the app runs in, and the one way to refuse to start.

Shared by the console (kiosk.ui.app) and the door station (kiosk.ui.doors.app).
"""

from __future__ import annotations

import gc
import logging
import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.desktop.inhibit import kept_awake
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


def freeze_startup_objects() -> None:
    """Move everything built so far out of the garbage collector's sight, before the night.

    A window's modules, Qt wrappers and caches are some 70,000 Python objects that live until
    the app ends; a full collection walking them froze the door window for 20-80 ms at random
    moments, longer than a verdict may take. After ``gc.freeze()`` collections only look at
    what was made since (call this once the window is built, just before ``app.exec()``).

    Only the young generations are collected first (the garbage of the window's building);
    a full collection here walked every object of the process: 51 ms at a console's start,
    63-253 ms (median 122) per console in a test process that opens many, against 0.6-1.3 ms
    for the young ones (docs/dev/threads.md, "Garbage collections"). What older garbage
    there is stays frozen with the rest until :func:`thaw_startup_objects`.
    """
    gc.collect(1)
    gc.freeze()
    if log.isEnabledFor(logging.DEBUG):  # counting walks every frozen object: 10-15 ms in tests
        log.debug("%d startup objects frozen out of garbage collection", gc.get_freeze_count())


def thaw_startup_objects() -> None:
    """Hand the frozen objects back to the garbage collector (a console closing in a process
    that goes on, as in tests: what it left in cycles can be collected again)."""
    gc.unfreeze()


def exec_kept_awake(app: QApplication, reason: str) -> int:
    """Run the event loop with idle and sleep inhibited (a door window during doors: the
    screen must not blank or lock mid-queue); released when the loop ends. Qt's offscreen
    platform (tests, checks) has no screen to keep awake."""
    if app.platformName() in ("offscreen", "minimal"):
        return app.exec()
    with kept_awake(reason, os.environ):
        return app.exec()


def refuse(title: str, text: str) -> int:
    """Say why the app cannot start (logged, and in a dialog); returns the exit status 1."""
    log.error("%s: %s", title, text)
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()
    return 1
