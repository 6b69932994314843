"""What closing the console means while the night runs: ask first, and keep the projector dark.

Closing the console window (the window manager's close button, Alt+F4), Ctrl+Q, SIGTERM and the
desktop session logging out all come here. Before the show or after it, the console just
closes. While a film, a card, the intermission or the award reveal is up, the operator is asked
in a dialog on the console (never the projector); if they confirm, the projector goes black and
the app ends with `KEEP_PROJECTOR_DARK`, so the supervisor keeps its black window up and starts
the console again (the show restored, paused, under black) until the show is ended on purpose.
If they do not confirm, nothing changes.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication, QSessionManager
from PySide6.QtWidgets import QMessageBox, QWidget

from kiosk.night.exits import KEEP_PROJECTOR_DARK
from kiosk.night.night import Night

log = logging.getLogger(__name__)

ConfirmClose = Callable[[QWidget, str], bool]


def ask_close_during_show(parent: QWidget, text: str) -> bool:
    """The confirmation dialog, on the console (True: close and keep the projector black)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Close the console during the show? · 放映中關閉控制台？")
    box.setText(text)
    role = QMessageBox.ButtonRole
    keep = box.addButton("&Close, projector black · 關閉並保持黑幕", role.AcceptRole)
    stay = box.addButton("Keep the show running · 繼續放映", role.RejectRole)
    box.setDefaultButton(stay)  # Enter or Esc by accident keeps the show
    box.setEscapeButton(stay)
    box.exec()
    return box.clickedButton() is keep


def confirm_without_asking(parent: QWidget, text: str) -> bool:
    """For Qt's offscreen platform (tests, checks): nobody can answer a dialog, so a close
    during the show is confirmed (and logged)."""
    log.info("closing during the show without asking (no screen to ask on)")
    return True


class CloseGuard(QObject):
    """Answers "may the console close now?" and remembers the exit status that goes with it.

    `supervised`: a supervisor keeps the projector black while the app is down (the dialog
    says what will happen). `confirm(parent, text)` asks the operator (a dialog by default).
    """

    def __init__(
        self,
        night: Night,
        parent: QWidget,
        *,
        supervised: bool,
        confirm: ConfirmClose | None = None,
    ) -> None:
        super().__init__(parent)
        self._night = night
        self._parent = parent
        self._supervised = supervised
        self._confirm = confirm or ask_close_during_show
        self._asking = False
        self.exit_code = 0

    def question(self, running: str) -> str:
        """The dialog's text for what is running now."""
        after = (
            "The projector goes black and stays black; the console starts again at once with "
            "the show held paused, so you can continue with GO."
            if self._supervised
            else "The projector window closes (no supervisor keeps it black: the audience may "
            "see the desktop)."
        )
        return (
            f"{running[0].upper()}{running[1:]} is under way.\n\n{after}\n\n"
            "To finish the night on purpose, end the show first (it closes without asking at "
            "the end card or the holding slide)."
        )

    def may_close(self) -> bool:
        """True if the console may close now (asks while the show runs; sets `exit_code`)."""
        if self._asking:
            return False  # a second close request while the dialog is up: the dialog answers
        running = self._night.under_way()
        if running is None:
            self.exit_code = 0
            return True
        self._asking = True
        try:
            confirmed = self._confirm(self._parent, self.question(running))
        finally:
            self._asking = False
        if not confirmed:
            log.info("closing the console during %s was cancelled", running)
            if self._night.messages is not None:
                self._night.messages.info(f"Close cancelled: {running} goes on")
            return False
        log.warning("console closed during %s: the projector stays black", running)
        self._night.projector.stage.set_black(True)
        self.exit_code = KEEP_PROJECTOR_DARK
        return True

    def session_closing(self, manager: QSessionManager) -> None:
        """The desktop session is logging out: ask (if allowed) or cancel the logout while the
        show runs."""
        running = self._night.under_way()
        if running is None:
            return
        if manager.allowsInteraction() and self.may_close():
            manager.release()
            QTimer.singleShot(0, self._parent.close)
            return
        manager.cancel()


def close_on_sigterm(window: QWidget) -> Callable[[], None]:
    """Make SIGTERM (a logout, `kill`) a close request to `window` (so it asks during the
    show); returns a function that puts the old handler back."""
    wake = QTimer(window)  # lets Python run its signal handlers while Qt waits
    wake.timeout.connect(lambda: None)
    wake.start(200)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: asking the console to close", signum)
        QTimer.singleShot(0, window.close)

    previous = signal.signal(signal.SIGTERM, on_signal)
    app = QGuiApplication.instance()

    def restore() -> None:
        wake.stop()
        signal.signal(signal.SIGTERM, previous)

    if app is not None:
        app.aboutToQuit.connect(wake.stop)
    return restore
