"""The console's one key map: every shortcut is bound once, here, and routed by the key mode.

Like qutebrowser's key modes: one table says which key means which command (`CONSOLE_KEYS`,
generated into the docs' key table, docs/reference/console-keys.md); the panels register what a
command does in a mode (`handle`); a key press asks the night which mode it is in (`Night.mode`:
the show, or the award reveal while it has the projector) and runs that mode's handler. Nothing
else in the console installs application-wide shortcuts, so no two panels can claim the same key.

In a text field (a search box, a station's name) the letters, Space and '-' are typing, not
commands; Esc (fade), Shift+Esc (black) and the F-keys work from anywhere. A number field (the
trim, the vote's minutes) keeps only the keys it can type: Space, letters there are commands
(`number_keys`). A key pressed in the moment a dialog has closed and the console is not
active again yet is carried out too, never dropped (`keys_between_windows`).

Every command that reaches a handler is written to the console's log panel (with what it did,
when the handler says), so the log keeps every operator action: GO, pause, black, skip, back,
volume, jump, the slide. Commands from a remote (OSC from the booth) come through `press` too,
with their source, so they meet the same handlers and the same guards.

A presenter clicker is a keyboard that sends Page Down / Page Up, "." (its black-screen button)
and F5 / Shift+F5 (its start button): `CLICKER_KEYS`. They step the award reveal always, and the
show only while the operator has turned the clicker on for the night (there "." would otherwise
be Trim + and F5 Run preflight).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QCoreApplication, QKeyCombination, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.night.night import KeyMode
from kiosk.night.ports import OperatorMessages
from kiosk.ui.console.keys_between_windows import KeysBetweenWindows
from kiosk.ui.console.number_keys import NumberFieldKeys

log = logging.getLogger(__name__)

Handler = Callable[[], str | None]  # returns what happened, for the log (None: just the name)

SHOW = frozenset({KeyMode.SHOW})
REVEAL = frozenset({KeyMode.REVEAL})
BOTH = SHOW | REVEAL


@dataclass(frozen=True)
class Binding:
    """One console command: its name, the keys that trigger it, the modes it works in."""

    name: str
    label: str
    keys: tuple[str, ...]
    modes: frozenset[KeyMode]
    logged: bool = True  # written to the log panel when carried out

    def shown(self) -> str:
        """The keys as a button shows them, e.g. `␣ Space` or `B / Left`."""
        return " / ".join("␣ Space" if key == "Space" else key for key in self.keys)


CONSOLE_KEYS: tuple[Binding, ...] = (
    Binding("go", "GO", ("Space",), BOTH),
    Binding("pause", "Pause / resume", ("P",), SHOW),
    Binding("fade", "Fade to black", ("Esc",), BOTH),
    Binding("black", "Black now", ("Shift+Esc",), BOTH),
    Binding("back", "Back", ("B", "Left"), BOTH),
    Binding("skip", "Skip", ("N", "Right"), BOTH),
    Binding("rewind", "−10 s", ("[",), SHOW),
    Binding("forward", "+10 s", ("]",), SHOW),
    Binding("retry", "Retry", ("R",), SHOW),
    Binding("mute", "Mute", ("M",), BOTH),
    Binding("volume_down", "Vol −", ("-",), BOTH),
    Binding("volume_up", "Vol +", ("=",), BOTH),
    Binding("trim_down", "Trim −", (",",), SHOW),
    Binding("trim_up", "Trim +", (".",), SHOW),
    Binding("music_play", "Music start / pause", ("U",), SHOW),
    Binding("music_skip", "Music next track", ("Y",), SHOW),
    Binding("music_fade", "Music fade out now", ("Shift+U",), SHOW),
    Binding("music_down", "Music −", (";",), SHOW),
    Binding("music_up", "Music +", ("'",), SHOW),
    Binding("recheck", "Re-check file", ("F6",), SHOW),
    Binding("jump", "Jump to film…", ("J",), SHOW),
    Binding("difficulties", "Technical difficulties slide", ("T",), BOTH),
    Binding("outputs", "Projector screen and audio device…", ("O",), BOTH),
    Binding("checklist", "Booth checklist…", ("K",), BOTH),
    Binding("start_over", "Start over", ("Ctrl+Shift+Home",), SHOW),
    Binding("holding", "Holding slide", ("H",), REVEAL),
    Binding("open_reveal", "Open results and start the reveal", ("F8",), BOTH),
    Binding("end_reveal", "End the reveal", ("Ctrl+Shift+End",), REVEAL),
    Binding("preflight", "Run preflight", ("F5",), BOTH, logged=False),
    Binding("remotes_off", "Turn every remote off", ("Ctrl+Shift+R",), BOTH),
    Binding("quit", "Close the console", ("Ctrl+Q",), BOTH, logged=False),
)

# A presenter clicker's keys and the command each means while the clicker drives (key -> name).
CLICKER_KEYS: dict[str, str] = {
    "PgDown": "go",
    "PgUp": "back",
    ".": "black",
    "F5": "go",
    "Shift+F5": "go",
}


def binding(name: str) -> Binding:
    """The binding called `name` (KeyError if none)."""
    for entry in CONSOLE_KEYS:
        if entry.name == name:
            return entry
    raise KeyError(name)


class KeyMap(QObject):
    """Binds every key of `CONSOLE_KEYS` once on `window` (application-wide: they work from
    any tab and even when a dialog or the projector window is active) and routes each press
    to the handler of the current mode (`mode()`)."""

    def __init__(
        self,
        window: QWidget,
        mode: Callable[[], KeyMode],
        messages: OperatorMessages | None = None,
    ) -> None:
        super().__init__(window)
        self._mode = mode
        self._messages = messages
        self._handlers: dict[tuple[KeyMode, str], Handler] = {}
        self._clicker_in_show = False
        self.shortcuts: dict[str, QShortcut] = {}
        self._names: dict[str, str | None] = {}  # key sequence -> its own command (if any)
        meaning = {key: entry.name for entry in CONSOLE_KEYS for key in entry.keys}
        for sequence in [*meaning, *(key for key in CLICKER_KEYS if key not in meaning)]:
            shortcut = QShortcut(QKeySequence(sequence), window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(partial(self._key, sequence, meaning.get(sequence)))
            self.shortcuts[sequence] = shortcut
            self._names[sequence] = meaning.get(sequence)
        # a focused number field (trim, the vote's minutes) keeps only the keys it can type
        self._number_keys = NumberFieldKeys(self)
        # a key pressed just after a dialog closed, before the console is active again
        self.keys_between_windows = KeysBetweenWindows(window, self.command_for, self.press)
        application = QCoreApplication.instance()
        if isinstance(application, QApplication):  # filters only where and while needed
            application.focusChanged.connect(self._number_keys.follow_focus)
            self.keys_between_windows.follow(application)

    def handle(self, name: str, action: Handler, modes: frozenset[KeyMode] | None = None) -> None:
        """What command `name` does in `modes` (default: every mode the binding works in)."""
        entry = binding(name)
        for mode in modes if modes is not None else entry.modes:
            self._handlers[(mode, name)] = action

    def set_clicker_in_show(self, on: bool) -> None:
        """Let a presenter clicker drive the show too (it always drives the reveal)."""
        self._clicker_in_show = on
        if self._messages is not None:
            state = "drives the show and the reveal" if on else "drives the reveal only"
            self._messages.info(f"Presenter clicker {state}")

    def _key(self, sequence: str, name: str | None) -> None:
        """A bound key was pressed: the clicker's meaning where the clicker drives, else the
        key's own command."""
        clicker = CLICKER_KEYS.get(sequence)
        if clicker is not None and self._clicker_drives():
            self.press(clicker, source="clicker")
        elif name is not None:
            self.press(name)

    def _clicker_drives(self) -> bool:
        return self._clicker_in_show or self._mode() is KeyMode.REVEAL

    def command_for(self, event: QKeyEvent) -> str | None:
        """The command a key press means (None: no console key), as its shortcut would."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(QKeyCombination(modifiers, event.keyCombination().key()))
        for sequence, shortcut in self.shortcuts.items():
            if shortcut.key().matches(pressed) == QKeySequence.SequenceMatch.ExactMatch:
                clicker = CLICKER_KEYS.get(sequence)
                if clicker is not None and self._clicker_drives():
                    return clicker
                return self._names[sequence]
        return None

    def press(self, name: str, *, source: str = "key") -> bool:
        """Carry out command `name` in the current mode; False if it does nothing there.

        `source` says where it came from: "key" (the keyboard), "clicker", or a remote such as
        "OSC udp 10.0.5.20"; the log panel's line says so."""
        entry = binding(name)
        mode = self._mode()
        action = self._handlers.get((mode, name))
        if action is None:
            log.info("key %s: nothing to do in %s mode", name, mode.value)
            if self._messages is not None and mode not in entry.modes:
                where = "the award reveal" if mode is KeyMode.REVEAL else "the show"
                self._messages.info(f"{entry.label} does nothing during {where}")
            return False
        outcome = action()
        if entry.logged and self._messages is not None:
            prefix = "Reveal · " if mode is KeyMode.REVEAL and entry.modes != REVEAL else ""
            mark = {"key": "⌨", "clicker": "⌨ clicker ·"}.get(source, f"📡 {source} ·")
            self._messages.info(
                f"{mark} {prefix}{entry.label}" + (f": {outcome}" if outcome else "")
            )
        return True
