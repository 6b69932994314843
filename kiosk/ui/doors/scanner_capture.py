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

A scanner types a capital letter as Shift + key, and layouts need AltGr or CapsLock: presses of
modifier keys alone (Shift, Ctrl, Alt, AltGr, CapsLock, Meta) neither end nor join a burst, and
printable text typed with Shift or AltGr (which X reports as a group switch, Windows as
Ctrl+Alt) is held like any other character. Gaps are measured on the keyboard's own event
timestamps when there are any, so a burst queued behind a busy moment of the GUI still counts as
one burst; and the timer that ends a burst, if it fires late (the GUI thread was held up, keys
may still be queued behind it), first gives the event loop one more gap to deliver them. A
burst that already reads as a ticket code is never replayed into a text field: if its Enter
does not come, it is taken as a scan when the burst stops (or at once when the scanner ends it
with Tab or a line feed instead of Enter). A scanner left at its US factory setting on a laptop
with another layout (German, French) is read through its key codes
(:mod:`kiosk.core.scanner_layouts`), and its burst is held as patiently as a code typed as
printed once that reading looks like a code's beginning.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit

from kiosk.core.scanner_layouts import choose_reading, us_reading
from kiosk.core.tickets import CODE_PREFIX, TICKET_CODE_LENGTH, normalise_scanned

log = logging.getLogger(__name__)

DEFAULT_MAX_GAP_S = 0.08  # scanners type 2-30 ms apart; people rarely type 4+ keys this fast
DEFAULT_MIN_LENGTH = 8  # a burst this long ending in Enter is a scan even if it is not a code
DEFAULT_PATIENCE_S = 0.5  # a burst that reads like the start of a code waits this long for more
_CODE_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_) ß‐‑‒–—―−")
_RECENT_S = 1.0  # released text this recent may be the start of a burst split by a busy GUI
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_SUFFIX_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
_TYPING_MODIFIERS = (
    Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.KeypadModifier
    | Qt.KeyboardModifier.GroupSwitchModifier
)
_ALTGR_AS_CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
        Qt.Key.Key_Hyper_L,
        Qt.Key.Key_Hyper_R,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
        Qt.Key.Key_Mode_switch,
        Qt.Key.Key_ScrollLock,
    }
)


def may_become_code(text: str) -> bool:
    """True for 2+ characters that a ticket code could start with (a scan cut by a stall).

    Hardly anyone types "ai" at scanner speed into a text field, so such a burst is kept back
    a little longer rather than replayed into the field the moment the GUI or the system
    hiccups in the middle of a scan.
    """
    prepared = unicodedata.normalize("NFKC", text).strip().upper()
    if len(prepared) < 2 or len(prepared) > TICKET_CODE_LENGTH + 4:
        return False
    head, rest = prepared[: len(CODE_PREFIX)], prepared[len(CODE_PREFIX) :]
    return CODE_PREFIX.startswith(head) and all(c in _CODE_CHARACTERS for c in rest)


def is_modifier_key(key: int) -> bool:
    """True for a key that only changes what the next key types (Shift, AltGr, CapsLock…)."""
    return key in _MODIFIER_KEYS


def is_suffix_key(event: QKeyEvent) -> bool:
    """Tab or a line feed (the X Linefeed key, Ctrl+J): what scanners may send after a code
    instead of Enter."""
    return event.key() in _SUFFIX_KEYS or event.text() in ("\t", "\n", "\r")


def is_typing(event: QKeyEvent) -> bool:
    """True when the key press types one printable character (with Shift/AltGr if needed)."""
    text = event.text()
    if len(text) != 1 or not text.isprintable() or event.isAutoRepeat():
        return False
    modifiers = event.modifiers() & ~_TYPING_MODIFIERS
    return modifiers in (Qt.KeyboardModifier.NoModifier, _ALTGR_AS_CTRL_ALT)


@dataclass
class _Held:
    """One held-back key press or input-method commit, and where it was going."""

    receiver: QObject  # the object the event was caught at (a real key: the window)
    text: str
    key: int | None  # None: an input-method commit string
    modifiers: Qt.KeyboardModifier
    scan_code: int = 0  # the XKB key code (0: none, e.g. a synthetic event or an IME commit)
    focus: QObject | None = None  # the widget it was typing into (a replay lands there)


class ScannerCapture(QObject):
    """Application-level event filter turning scanner bursts into :attr:`scanned` signals."""

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_gap_s: float = DEFAULT_MAX_GAP_S,
        min_length: int = DEFAULT_MIN_LENGTH,
        patience_s: float = DEFAULT_PATIENCE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self.patience_s = patience_s
        self._clock = clock
        self._held: list[_Held] = []
        self._last_at = 0.0
        self._last_stamp_ms = 0  # the keyboard's own timestamp of the last held key (0: none)
        self._recent_items: list[_Held] = []
        self._recent_at = -1e9
        self._replaying = False
        self._installed_on: QCoreApplication | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._burst_ended)
        self._timer_due = 0.0  # when the running timer should fire, on `clock`
        self._gave_late_keys_a_turn = False  # since the last held key
        self._scanned_without_end_at: float | None = None  # a scan taken before its Enter came

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
        if is_modifier_key(event.key()):
            return False  # Shift before a capital, AltGr, CapsLock: part of the burst, or nothing
        now = self._clock()
        if self._is_late_end_of_scan(event, now):
            return True  # the scan's own Enter (or Tab), late behind a busy moment: never lands
        stamp = int(event.timestamp())
        if self._held and self._gap_s(now, stamp) > self._allowed_gap_s():
            self.release()
        if event.key() in _ENTER_KEYS:
            return self._on_enter(now)
        if is_typing(event):
            held = _Held(
                watched,
                event.text(),
                event.key(),
                event.modifiers(),
                event.nativeScanCode(),
                QGuiApplication.focusObject(),
            )
            self._hold(held, now, stamp)
            return True
        if self._held and is_suffix_key(event):
            code = self._code_with_recent(now)  # a scanner ending with Tab or a line feed
            if code is not None:
                self._emit(code)
                return True  # the Tab never moves the focus, the line feed never lands
        self.release()  # Backspace, arrows, shortcuts: let earlier keys land first
        return False

    def _allowed_gap_s(self) -> float:
        """The pause that ends a burst: longer while the burst reads like a code's beginning
        (as typed, or through the US key table: a US scanner on a French laptop)."""
        return self.patience_s if self._may_become_code() else self.max_gap_s

    def _may_become_code(self) -> bool:
        if may_become_code(self.holding):
            return True
        as_us = self._us_reading()
        return as_us is not None and may_become_code(as_us)

    def _us_reading(self, items: list[_Held] | None = None) -> str | None:
        """The held keys (or `items`) as a US keyboard types them (None: a key without a
        code, or an input-method commit)."""
        chosen = self._held if items is None else items
        codes = [item.scan_code for item in chosen]
        if not all(item.key is not None for item in chosen) or not all(codes):
            return None
        return us_reading(codes)

    def _start_timer(self, seconds: float) -> None:
        milliseconds = max(1, round(seconds * 1000))
        self._timer_due = self._clock() + milliseconds / 1000
        self._timer.start(milliseconds)

    def _fired_late(self) -> bool:
        """Whether the timer fired well after it was due: the GUI thread was held up (a loaded
        laptop, a slow paint), and keys typed meanwhile may be queued behind the timer. The
        keyboard's timestamps cannot tell: the keys still waiting have not been read yet."""
        return self._clock() - self._timer_due > self.max_gap_s / 4

    def _gap_s(self, now: float, stamp_ms: int) -> float:
        """Time since the last held key: by the keyboard's timestamps when both have one."""
        if stamp_ms and self._last_stamp_ms and stamp_ms >= self._last_stamp_ms:
            return (stamp_ms - self._last_stamp_ms) / 1000
        return now - self._last_at

    def _on_input_method(self, watched: QObject, event: QInputMethodEvent) -> bool:
        text = event.commitString()
        if not text or event.preeditString() or event.replacementLength():
            self.release()
            return False
        now = self._clock()
        if self._held and now - self._last_at > self.max_gap_s:
            self.release()
        item = _Held(
            watched, text, None, Qt.KeyboardModifier.NoModifier, focus=QGuiApplication.focusObject()
        )
        self._hold(item, now, 0)
        return True

    def _hold(self, item: _Held, now: float, stamp_ms: int) -> None:
        self._held.append(item)
        self._last_at = now
        self._last_stamp_ms = stamp_ms
        self._gave_late_keys_a_turn = False
        self._start_timer(self.max_gap_s)

    def _reading(self, items: list[_Held] | None = None) -> str:
        """The held burst (or `items`) as typed, or as a US keyboard types its keys if that is
        the code.

        A scanner left at its US factory setting on a German or French laptop types "ß" for
        '-', swaps Y and Z, or types "&é\"'(" for digits; its key codes are still the US keys.
        """
        chosen_items = self._held if items is None else items
        typed = "".join(item.text for item in chosen_items)
        chosen = choose_reading(typed, self._us_reading(chosen_items))
        if chosen != typed:
            log.info("scanner burst read through the US key table (the host's layout differs)")
        return chosen

    def _burst_ended(self) -> None:
        """No key for a while: a complete ticket code is a scan without Enter; else replay.

        A timer that fired late does not end the burst: the keys a scanner typed while the GUI
        thread was held up may still be queued behind it, so the event loop gets one more gap
        to deliver them first (a scan is never split in two by a busy laptop). If none came,
        there were none: the burst ends then, late or not."""
        if self._fired_late() and not self._gave_late_keys_a_turn:
            log.debug("burst timer %.0f ms late: one more gap for queued keys", self._lateness_ms())
            self._gave_late_keys_a_turn = True
            self._start_timer(self.max_gap_s)
            return
        waited = self._clock() - self._last_at
        code = self._code_with_recent(self._clock())
        if code is not None:
            self._emit(code)
            self._scanned_without_end_at = self._clock()  # its Enter may still come
            return
        if self._may_become_code() and waited < self.patience_s:
            self._start_timer(self.patience_s - waited)
            return
        self.release()

    def _lateness_ms(self) -> float:
        return (self._clock() - self._timer_due) * 1000

    def _on_enter(self, now: float) -> bool:
        text = self._reading()
        code = self._code_with_recent(now)
        if not text:
            if code is None:
                return False  # Enter alone: it presses what it would
            self._emit(code)  # the whole code let through by stalls, just before: a scan
            return True
        if code is None and len(text) < self.min_length:
            self.release()  # short and not a code: someone typed and pressed Enter
            return False
        self._emit(code if code is not None else text)
        return True

    def _code_with_recent(self, now: float) -> str | None:
        """The held burst if it reads as a ticket code; else, joined to the keys a stall let
        through just before it (a burst split in two by a busy moment), if that reads as one:
        those keys are then taken back out of the text box they landed in. Both parts are
        read together, so a US scanner's split code is read through the US key table whole.
        None: no code."""
        text = self._reading()
        if len(text) >= self.min_length and normalise_scanned(text) is not None:
            return text
        if not self._recent_items or now - self._recent_at >= _RECENT_S:
            return None
        joined = self._reading(self._recent_items + self._held)
        if normalise_scanned(joined) is None:
            return None
        self._take_back()
        return joined

    def _is_late_end_of_scan(self, event: QKeyEvent, now: float) -> bool:
        """Whether this key is the Enter (or Tab, line feed) of a scan already taken when its
        burst stopped: it came late, and must not press a button or move the focus. Only the
        very next key, within a second, can be that."""
        taken_at, self._scanned_without_end_at = self._scanned_without_end_at, None
        if taken_at is None or self._held or now - taken_at >= _RECENT_S:
            return False
        return event.key() in _ENTER_KEYS or is_suffix_key(event)

    def _emit(self, text: str) -> None:
        self._scanned_without_end_at = None
        self._held.clear()
        self._timer.stop()
        self._recent_items = []
        self._last_stamp_ms = 0
        log.debug("scanner burst of %d characters", len(text))
        self.scanned.emit(text)

    def _take_back(self) -> None:
        """Remove from line edits what a stall let through of a burst that was a scan after all."""
        typed: dict[int, tuple[QLineEdit, str]] = {}
        for item in self._recent_items:
            box = item.focus if isinstance(item.focus, QLineEdit) else item.receiver
            if isinstance(box, QLineEdit) and shiboken6.isValid(box):
                box, text = typed.get(id(box), (box, ""))
                typed[id(box)] = (box, text + item.text)
        for box, text in typed.values():
            if text and box.text().endswith(text):
                box.setText(box.text()[: -len(text)])
                log.info("took %d scanned character(s) back out of a text box", len(text))
        self._recent_items = []

    def release(self) -> None:
        """Replay held keys to the widgets they were meant for (a person is typing)."""
        self._timer.stop()
        if not self._held:
            return
        held, self._held = self._held, []
        self._last_stamp_ms = 0
        now = self._clock()
        if now - self._recent_at >= _RECENT_S:
            self._recent_items = []
        self._recent_items += held  # a burst cut twice adds up
        self._recent_at = now
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
