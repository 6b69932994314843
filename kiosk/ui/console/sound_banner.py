"""The console's "No sound" banner: up from the moment the audio output is lost until it is back.

A red band across the top of the console (only the console: the projector never shows it),
flashing so it is seen from across a dark booth, with the device and the time it was lost (on
the event's clock), what the app is doing about it (reconnecting every 2 s), and the two things
the projectionist can do: choose another output (the outputs dialog, key O) or reconnect now.
The window's title says it too, and the window asks the desktop for attention once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.common.theme import Colours, text_label, ui_font

log = logging.getLogger(__name__)

FLASH_MS = 600  # the banner alternates between two reds this often
BRIGHT, DIM = Colours.bad.name(), "#8e1c17"
TITLE_PREFIX = "NO SOUND — "


class SoundBanner(QFrame):
    """Red, flashing "No sound — audio output lost: <device> (since HH:MM:SS)" with the
    operator's two ways out: "Choose output… [O]" and "Reconnect now"."""

    def __init__(
        self,
        choose_output: Callable[[], object],
        reconnect: Callable[[], None],
        zone: dt.tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._zone = zone
        self._bright = True
        self.setObjectName("soundBanner")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 2, 8, 2)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.headline = text_label("", 13, bold=True, colour="#fff")
        self.detail = text_label("", 10, colour="#fff")
        for label in (self.headline, self.detail):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)  # a long device name wraps, never widens the console
            texts.addWidget(label)
        row.addLayout(texts, 1)
        self.choose_button = self._button("Choose output…  [O]", choose_output)
        self.reconnect_button = self._button("Reconnect now", reconnect)
        row.addWidget(self.choose_button)
        row.addWidget(self.reconnect_button)
        self._flash = QTimer(self)
        self._flash.setInterval(FLASH_MS)
        self._flash.timeout.connect(self._toggle)
        self._paint()
        self.hide()

    def _button(self, text: str, action: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setFont(ui_font(11, bold=True))
        button.setMinimumHeight(30)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _checked=False: action())  # not `checked` to it
        return button

    def sound_lost(self, device: str, reason: str) -> None:
        """Put the banner up (stays until `sound_back`)."""
        now = dt.datetime.now(dt.UTC).astimezone(self._zone) if self._zone else dt.datetime.now()
        self.headline.setText(
            f"No sound — audio output lost: {device} (since {now:%H:%M:%S}) · 沒有聲音"
        )
        self.detail.setText(
            f"The audience hears nothing. Cause: {reason}. Reconnecting every 2 s — "
            "or choose another output; pause the film (P) if it will take long."
        )
        self.detail.setToolTip(reason)
        self._bright = True
        self._paint()
        self.show()
        self._flash.start()
        window = self.window()
        if not window.windowTitle().startswith(TITLE_PREFIX):
            window.setWindowTitle(TITLE_PREFIX + window.windowTitle())
        QApplication.alert(window)  # the desktop's "needs attention" (taskbar flash)
        QApplication.beep()  # the console's bell (X11), not the hall's sound
        log.warning("sound banner up: %s (%s)", device, reason)

    def sound_back(self, device: str, seconds_without: float) -> None:
        """Take the banner down: the sound reaches a device again."""
        self._flash.stop()
        self.hide()
        window = self.window()
        window.setWindowTitle(window.windowTitle().removeprefix(TITLE_PREFIX))
        log.info("sound banner down: %s after %.1f s", device, seconds_without)

    def _toggle(self) -> None:
        self._bright = not self._bright
        self._paint()

    def _paint(self) -> None:
        colour = BRIGHT if self._bright else DIM
        self.setStyleSheet(
            f"QFrame#soundBanner {{ background: {colour}; border-radius: 6px; }}"
            "QFrame#soundBanner QLabel { background: transparent; }"
        )
