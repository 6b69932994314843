"""The booth's music line on the Show tab: what plays and what is next, the music level, and
the music keys (start / pause, next track, fade out now, level − / +), bound through the one
key map (`kiosk.ui.console.keymap`), so each press is also written to the log panel."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QPushButton

from kiosk.core.music import DeckState, MusicView
from kiosk.night.music import LEVEL_STEP_DB
from kiosk.night.night import Night
from kiosk.ui.common.theme import Colours, text_label, ui_font
from kiosk.ui.console.keymap import KeyMap, binding

NO_MUSIC = "no [music] in programme.toml (see docs/music.md)"
STATE_TEXT = {
    DeckState.PLAYING: "playing · 播放中",
    DeckState.PAUSED: "PAUSED · 已暫停",
    DeckState.FADING: "fading out · 淡出中",
    DeckState.OFF: "off · 關",
}


def describe(view: MusicView) -> str:
    """The music line, e.g. `Doors · 入場 — playing · 播放中: Track 2/3 "Warm Room" ·
    next "Lanterns" · level −2.0 dB`."""
    level = f"level {view.level_db:+.1f} dB"
    if view.moment is None or view.track is None:
        return f"{STATE_TEXT[view.state]} · {level}"
    text = (
        f"{view.moment.label} — {STATE_TEXT[view.state]}: track {view.number}/{view.count} "
        f"“{view.track}”"
    )
    if view.next_track is not None and view.count > 1:
        text += f" · next “{view.next_track}”"
    if view.unmeasured:
        text += " · NOT MEASURED (run preflight, F5)"
    return f"{text} · {level}"


SHORT = {  # the buttons' faces (the key map's labels are their tooltips and log lines)
    "music_play": "▶ / ❚❚",
    "music_skip": "Next ⏭",
    "music_fade": "Fade out",
    "music_down": "−",
    "music_up": "+",
}


class MusicBox(QFrame):
    """The music panel: its five buttons and a status line (`status`, which the Show tab puts
    where it is always in sight); hidden when the programme has no music (the keys then say
    so in the log panel)."""

    def __init__(self, night: Night, keymap: KeyMap) -> None:
        super().__init__()
        self.night = night
        self.keymap = keymap
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame {{ background: {Colours.panel.name()}; border-radius: 6px; }}")
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setVerticalSpacing(4)
        grid.addWidget(text_label("Music · 音樂", 9, colour=Colours.muted.name()), 0, 0, 1, 5)
        self.status = text_label("", 10, colour=Colours.accent.name())
        self.status.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        for column, name in enumerate(SHORT):
            grid.addWidget(self._button(name), 1, column)
        actions: dict[str, Callable[[], str]] = {
            "music_play": night.toggle_music,
            "music_skip": lambda: self._with_music(lambda m: m.skip()),
            "music_fade": lambda: self._with_music(lambda m: m.fade_now()),
            "music_down": lambda: self._with_music(lambda m: m.level_by(-LEVEL_STEP_DB)),
            "music_up": lambda: self._with_music(lambda m: m.level_by(LEVEL_STEP_DB)),
        }
        for name, action in actions.items():
            keymap.handle(name, partial(self._did, action))
        music = night.music
        self.setVisible(music is not None)
        self.status.setVisible(music is not None)
        if music is not None:
            music.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the status line from the deck's view."""
        music = self.night.music
        self.status.setText("♪ " + (NO_MUSIC if music is None else describe(music.view())))

    def _with_music(self, action: Callable[..., str]) -> str:
        music = self.night.music
        return NO_MUSIC if music is None else action(music)

    def _did(self, action: Callable[[], str]) -> str:
        outcome = action()
        self.refresh()
        return outcome

    def _button(self, name: str) -> QPushButton:
        key = binding(name)
        button = QPushButton(f"{SHORT[name]}  [{key.shown()}]")
        button.setFont(ui_font(9, bold=True))
        button.setMinimumHeight(26)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setToolTip(key.label)
        button.clicked.connect(partial(self.keymap.press, name))
        self.buttons[name] = button
        return button
