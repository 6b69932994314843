"""Show keys pressed while no window of the console is active yet: carried out, never dropped.

The console's commands are application shortcuts, and Qt matches a shortcut only while one of
the application's windows is active. Closing a modal dialog takes that away at once (hiding it
leaves no active window and no focus window), but the console becomes active again only when
the window system says so: a pass of the event loop later with the offscreen platform, after
the window manager's focus change on X. A key pressed in that gap reaches the console (or the
hidden dialog) as a plain key press that no widget handles, and is lost. That is what lost
the award reveal's first GO: the passphrase dialog closes, the reveal is already running and
the night is in reveal mode, and the projectionist's Space came before the console was active
again.

This filter (on the application) takes such a key press when it is aimed at the console, one
of its widgets or one of its hidden dialogs. It asks the focused widget first whether it types
the key (the same `ShortcutOverride` question Qt asks before any shortcut: a text field keeps
its Space, a number field only what it can type), unless that widget is hidden (the passphrase
field of a dialog that just closed types nothing), and otherwise hands the key to the key map,
which routes it by the night's key mode like any other press. While a window is active, or a
modal dialog is open, it does nothing: Qt's shortcuts have the keys then.

It is installed on the application only while no window is active (`follow`: the focus signals
of the application put it on and take it off). An application's filter is called for every
event of the process, each a call into Python that must take the interpreter lock: with a
worker thread busy in Python, the GUI thread waited for that lock again and again in one pass
(the stall probe: "serial_worker.py _run → keys_between_windows.py eventFilter", up to 251 ms).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)


class KeysBetweenWindows(QObject):
    """Event filter (on the application): a console key pressed while no window is active goes
    to `press(command)`, the command being `command_for(event)` (None: not a console key)."""

    def __init__(
        self,
        console: QWidget,
        command_for: Callable[[QKeyEvent], str | None],
        press: Callable[[str], bool],
    ) -> None:
        super().__init__(console)
        self._console = console
        self._command_for = command_for
        self._press = press
        self._application: QApplication | None = None
        self._dialog: QWidget | None = None  # the last other window that was active
        self.installed = False  # on the application now (no window is active)

    def follow(self, application: QApplication) -> None:
        """Filter `application`'s events while it has no active window, only then."""
        self._application = application
        application.focusChanged.connect(self._follow_active_window)
        application.focusWindowChanged.connect(self._follow_active_window)
        self._follow_active_window()

    def _follow_active_window(self, *_changed: object) -> None:
        active = QApplication.activeWindow()
        if active is not None and active is not self._console and active is not self._dialog:
            self._watch_dialog(active)
        self._install(active is None)

    def _watch_dialog(self, window: QWidget) -> None:
        """Filter the active dialog's own events (not its children's): its hiding starts the
        gap, before the application says so (a dialog whose field had no focus)."""
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            self._dialog.removeEventFilter(self)
        self._dialog = window
        window.installEventFilter(self)

    def _install(self, wanted: bool) -> None:
        application = self._application
        if application is None or wanted == self.installed or not shiboken6.isValid(application):
            return  # (the application's own ending still moves the focus)
        if wanted:
            application.installEventFilter(self)
        else:
            application.removeEventFilter(self)
        self.installed = wanted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and watched is self._dialog:
            self._install(True)  # the dialog closes: no window is active until the console is
            return False
        if (
            event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
            or not isinstance(watched, QWidget)
            or QApplication.activeWindow() is not None  # Qt's shortcuts have the keys
            or QApplication.activeModalWidget() is not None  # a dialog has them
            or not self._console.isVisible()
            or not self._aimed_at_console(watched)
        ):
            return False
        command = self._command_for(event)
        if command is None or (watched.isVisible() and self._typed_by(watched, event)):
            return False  # not a console key, or typing in a field the operator can see
        log.info("key %s pressed while no window was active: carried out", command)
        self._press(command)
        return True

    def _aimed_at_console(self, widget: QWidget) -> bool:
        """True for the console and its widgets, and for its dialogs once they are hidden (a
        key the window system still sends to a dialog that just closed)."""
        current: QWidget | None = widget
        while current is not None:
            if current is self._console:
                return True
            if current.isWindow() and current.isVisible():
                return False  # another window, still open: its keys are its own
            current = current.parentWidget()
        return False

    @staticmethod
    def _typed_by(widget: QWidget, event: QKeyEvent) -> bool:
        """Ask the widget, as Qt does before a shortcut, whether it types this key."""
        question = QKeyEvent(
            QEvent.Type.ShortcutOverride,
            event.key(),
            event.modifiers(),
            event.nativeScanCode(),
            event.nativeVirtualKey(),
            event.nativeModifiers(),
            event.text(),
            event.isAutoRepeat(),
            event.count(),
        )
        question.ignore()
        QCoreApplication.sendEvent(widget, question)
        return question.isAccepted()
