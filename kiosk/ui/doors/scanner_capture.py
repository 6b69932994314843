"""Catch a USB scanner's typing anywhere in the application, whatever widget has the focus.

A scanner in keyboard mode types the code as a burst of key presses a few milliseconds apart,
then Enter. This application-wide event filter holds printable keys back while they come in a
burst; when Enter ends a burst that looks like a scan, it emits :attr:`ScannerCapture.scanned`
and swallows everything, so the code never lands in a search box and the Enter never presses a
button. When the burst stops without an Enter (a person typing), the held keys are replayed, in
order, to the widget they were meant for: typing by hand still works, a few tens of
milliseconds later.

With a Chinese input method on, the scanner's characters may arrive as input-method commit
strings (often full-width) instead of key presses; those are held and replayed the same way.
Full-width characters are left to :func:`kiosk.core.tickets.normalise_scanned`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent

from kiosk.core.tickets import normalise_scanned

log = logging.getLogger(__name__)

DEFAULT_MAX_GAP_S = 0.08  # scanners type 2-30 ms apart; people rarely type 4+ keys this fast
DEFAULT_MIN_LENGTH = 8  # a burst this long ending in Enter is a scan even if it is not a code
_RECENT_S = 1.0  # released text this recent may be the start of a burst split by a busy GUI
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TYPING_MODIFIERS = (
    Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.KeypadModifier
    | Qt.KeyboardModifier.GroupSwitchModifier
)


@dataclass
class _Held:
    """One held-back key press or input-method commit, and where it was going."""

    receiver: QObject
    text: str
    key: int | None  # None: an input-method commit string
    modifiers: Qt.KeyboardModifier


class ScannerCapture(QObject):
    """Application-level event filter turning scanner bursts into :attr:`scanned` signals."""

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_gap_s: float = DEFAULT_MAX_GAP_S,
        min_length: int = DEFAULT_MIN_LENGTH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self._clock = clock
        self._held: list[_Held] = []
        self._last_at = 0.0
        self._recent = ""
        self._recent_at = -1e9
        self._replaying = False
        self._installed_on: QCoreApplication | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, round(max_gap_s * 1000)))
        self._timer.timeout.connect(self.release)

    def install(self, app: QCoreApplication) -> None:
        """Start watching every key of the application."""
        app.installEventFilter(self)
        self._installed_on = app

    def uninstall(self) -> None:
        """Stop watching (keys held now are released first)."""
        self.release()
        if self._installed_on is not None:
            self._installed_on.removeEventFilter(self)
            self._installed_on = None

    @property
    def holding(self) -> str:
        """Text held back right now (for tests and diagnostics)."""
        return "".join(item.text for item in self._held)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying:
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._on_key(watched, event)
        if kind == QEvent.Type.InputMethod and isinstance(event, QInputMethodEvent):
            return self._on_input_method(watched, event)
        return False

    def _on_key(self, watched: QObject, event: QKeyEvent) -> bool:
        now = self._clock()
        if self._held and now - self._last_at > self.max_gap_s:
            self.release()
        if event.key() in _ENTER_KEYS:
            return self._on_enter(now)
        text = event.text()
        typing = not (event.modifiers() & ~_TYPING_MODIFIERS)
        if len(text) == 1 and text.isprintable() and typing and not event.isAutoRepeat():
            self._hold(_Held(watched, text, event.key(), event.modifiers()), now)
            return True
        self.release()  # Backspace, arrows, shortcuts: let earlier keys land first
        return False

    def _on_input_method(self, watched: QObject, event: QInputMethodEvent) -> bool:
        text = event.commitString()
        if not text or event.preeditString() or event.replacementLength():
            self.release()
            return False
        now = self._clock()
        if self._held and now - self._last_at > self.max_gap_s:
            self.release()
        self._hold(_Held(watched, text, None, Qt.KeyboardModifier.NoModifier), now)
        return True

    def _hold(self, item: _Held, now: float) -> None:
        self._held.append(item)
        self._last_at = now
        self._timer.start()

    def _on_enter(self, now: float) -> bool:
        text = self.holding
        if not text:
            return False
        candidate = text
        if normalise_scanned(text) is None and now - self._recent_at < _RECENT_S:
            joined = self._recent + text  # a burst split in two by a busy moment of the GUI
            if normalise_scanned(joined) is not None:
                candidate = joined
        if normalise_scanned(candidate) is None and len(candidate) < self.min_length:
            self.release()  # short and not a code: someone typed and pressed Enter
            return False
        self._held.clear()
        self._timer.stop()
        self._recent = ""
        log.debug("scanner burst of %d characters", len(candidate))
        self.scanned.emit(candidate)
        return True

    def release(self) -> None:
        """Replay held keys to the widgets they were meant for (a person is typing)."""
        self._timer.stop()
        if not self._held:
            return
        held, self._held = self._held, []
        self._recent = "".join(item.text for item in held)
        self._recent_at = self._clock()
        self._replaying = True
        try:
            for item in held:
                if not shiboken6.isValid(item.receiver):
                    continue
                replay: QEvent
                if item.key is None:
                    ime = QInputMethodEvent()
                    ime.setCommitString(item.text)
                    replay = ime
                else:
                    replay = QKeyEvent(QEvent.Type.KeyPress, item.key, item.modifiers, item.text)
                QCoreApplication.sendEvent(item.receiver, replay)
        finally:
            self._replaying = False
