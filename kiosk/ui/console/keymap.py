"""The console's one key map: every shortcut is bound once, here, and routed by the key mode.

Like qutebrowser's key modes: one table says which key means which command (`CONSOLE_KEYS`,
printed in README's key table); the panels register what a command does in a mode (`handle`);
a key press asks the night which mode it is in (`Night.mode`: the show, or the award reveal
while it has the projector) and runs that mode's handler. Nothing else in the console installs
application-wide shortcuts, so no two panels can claim the same key.

In a text field (a search box, a station's name) the letters, Space and '-' are typing, not
commands; Esc (fade), Shift+Esc (black) and the F-keys work from anywhere. A number field (the
trim, the vote's minutes) keeps only the keys it can type: Space, letters there are commands
(`number_keys`).

Every command that reaches a handler is written to the console's log panel (with what it did,
when the handler says), so the log keeps every operator action: GO, pause, black, skip, back,
volume, jump, the slide.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from kiosk.night.night import KeyMode
from kiosk.night.ports import OperatorMessages
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
    Binding("start_over", "Start over", ("Ctrl+Shift+Home",), SHOW),
    Binding("holding", "Holding slide", ("H",), REVEAL),
    Binding("open_reveal", "Open results and start the reveal", ("F8",), BOTH),
    Binding("end_reveal", "End the reveal", ("Ctrl+Shift+End",), REVEAL),
    Binding("preflight", "Run preflight", ("F5",), BOTH, logged=False),
    Binding("quit", "Close the console", ("Ctrl+Q",), BOTH, logged=False),
)


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
        self.shortcuts: dict[str, QShortcut] = {}
        for entry in CONSOLE_KEYS:
            for sequence in entry.keys:
                shortcut = QShortcut(QKeySequence(sequence), window)
                shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
                shortcut.activated.connect(partial(self.press, entry.name))
                self.shortcuts[sequence] = shortcut
        # a focused number field (trim, the vote's minutes) keeps only the keys it can type
        self._number_keys = NumberFieldKeys(self)
        application = QCoreApplication.instance()
        if application is not None:
            application.installEventFilter(self._number_keys)

    def handle(self, name: str, action: Handler, modes: frozenset[KeyMode] | None = None) -> None:
        """What command `name` does in `modes` (default: every mode the binding works in)."""
        entry = binding(name)
        for mode in modes if modes is not None else entry.modes:
            self._handlers[(mode, name)] = action

    def press(self, name: str) -> bool:
        """Carry out command `name` in the current mode; False if it does nothing there."""
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
            self._messages.info(f"⌨ {prefix}{entry.label}" + (f": {outcome}" if outcome else ""))
        return True
