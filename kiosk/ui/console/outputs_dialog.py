"""Choose the projector screen and the audio output device (key O), remembered per event.

The screens are Qt's (their names, as `xrandr` shows them); the audio outputs are libvlc's
devices as `kiosk.core.audio_outputs` names them (real outputs only, the one in use marked), and
"Test" plays a one-second tone on the output selected. The choice applies at once — the
stage moves to the screen, both players switch device — and is stored through
`kiosk.services.console_settings`, so the console opens with it next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from kiosk.core.audio_outputs import AudioOutput
from kiosk.core.console_settings import ConsoleSettings

log = logging.getLogger(__name__)

DEFAULT = ""


class OutputsDialog(QDialog):
    """Two drop-downs: the projector screen and the audio output, with a test tone."""

    def __init__(
        self,
        parent: QWidget,
        current: ConsoleSettings,
        outputs: list[AudioOutput],
        play_tone: Callable[[str | None], object],
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
        self.audio_choice.addItem("Default: the system's output · 系統預設", DEFAULT)
        for output in outputs:
            self.audio_choice.addItem(output.label, output.device)
            self.audio_choice.setItemData(
                self.audio_choice.count() - 1, output.device, Qt.ItemDataRole.ToolTipRole
            )
        self._select(self.audio_choice, current.audio_device)
        self.test_button = QPushButton("Test tone · 測試音")
        self.test_button.clicked.connect(lambda: play_tone(self._chosen_device()))
        audio_row = QHBoxLayout()
        audio_row.addWidget(self.audio_choice, 1)
        audio_row.addWidget(self.test_button)
        form.addRow("Audio output · 音效輸出", audio_row)
        hint = QLabel(
            "Test plays a 3-second 1 kHz tone on the output selected: you should hear it from the "
            "hall's speakers. · 按「測試音」會在所選輸出播放一秒測試音。"
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        if not outputs:
            warning = QLabel(
                "No audio output found: films would play silently · 找不到音效輸出，影片將無聲"
            )
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

    def _chosen_device(self) -> str | None:
        return str(self.audio_choice.currentData() or "") or None

    def chosen(self) -> ConsoleSettings:
        """The settings as chosen in the dialog."""
        screen = str(self.screen_choice.currentData() or "")
        audio = str(self.audio_choice.currentData() or "")
        return ConsoleSettings(projector_screen=screen or None, audio_device=audio or None)
