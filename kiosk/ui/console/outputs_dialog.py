"""Choose the projector screen and the audio output device (key O), remembered per event.

The screens are Qt's (their names, as `xrandr` shows them); the audio devices are libvlc's
(`audio_output_device_enum` of the players' audio output). The choice applies at once — the
stage moves to the screen, both players switch device — and is stored through
`kiosk.services.console_settings`, so the console opens with it next time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from kiosk.services.console_settings import ConsoleSettings

log = logging.getLogger(__name__)

DEFAULT = ""


class OutputsDialog(QDialog):
    """Two drop-downs: the projector screen and the audio device."""

    def __init__(
        self,
        parent: QWidget,
        current: ConsoleSettings,
        devices: list[tuple[str, str]],
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Projector and sound · 投影及音效")
        form = QFormLayout(self)
        self.screen_choice = QComboBox()
        self.screen_choice.addItem("Default: the screen that is not the primary", DEFAULT)
        # on GNOME Wayland a screen is remembered by the desktop's name for it (HDMI-1), which
        # stays put from one login to the next; XWayland's own names (XWAYLAND0) may not
        desktop_names = {qt: connector for connector, qt in (aliases or {}).items()}
        for screen in QGuiApplication.screens():
            size = screen.geometry()
            connector = desktop_names.get(screen.name())
            shown = f"{connector} · {screen.name()}" if connector else screen.name()
            label = f"{shown} ({size.width()}x{size.height()})"
            self.screen_choice.addItem(label, connector or screen.name())
        self._select(self.screen_choice, current.projector_screen)
        form.addRow("Projector screen · 投影螢幕", self.screen_choice)
        self.audio_choice = QComboBox()
        self.audio_choice.addItem("Default: the system's output", DEFAULT)
        for device, description in devices:
            self.audio_choice.addItem(f"{description} ({device})", device)
        self._select(self.audio_choice, current.audio_device)
        form.addRow("Audio device · 音效裝置", self.audio_choice)
        if not devices:
            warning = QLabel("No audio device found: films would play silently.")
            warning.setStyleSheet("color: #ff6b5b; font-weight: bold;")
            form.addRow(warning)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _select(combo: QComboBox, value: str | None) -> None:
        index = combo.findData(value or DEFAULT)
        combo.setCurrentIndex(max(0, index))

    def chosen(self) -> ConsoleSettings:
        """The settings as chosen in the dialog."""
        screen = str(self.screen_choice.currentData() or "")
        audio = str(self.audio_choice.currentData() or "")
        return ConsoleSettings(projector_screen=screen or None, audio_device=audio or None)
