"""The booth checklist on the console (key K): every line green, amber or red, and what to do.

The lines are gathered on a worker thread (`TaskRunner`: xrandr, pactl, the database, the
films' fingerprints and the server's sockets all block); the GUI thread only draws them. The
sound line is completed here: "Play test tone" sends a 1 kHz tone to the event's audio output
through the show's libvlc instance, and the operator says whether it was heard in the hall.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.booth_check import CheckLine, CheckState
from kiosk.core.booth_lines import ToneResult
from kiosk.media.test_tone import TonePlayer, ToneState
from kiosk.night.ports import OperatorMessages
from kiosk.services.booth_checklist import Checklist
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label

log = logging.getLogger(__name__)

TONE_POLL_MS = 200
STATE_LOOK = {
    CheckState.GREEN: ("OK", "正常", Colours.ok),
    CheckState.AMBER: ("LOOK", "留意", Colours.warn),
    CheckState.RED: ("FIX", "須處理", Colours.bad),
}

Gather = Callable[[Callable[[], ToneResult | None]], Checklist]  # blocking: a worker runs it


class CheckRow(QFrame):
    """One line: a coloured state badge, the title and what was found in both languages, and
    (when not green) what to do."""

    def __init__(self, entry: CheckLine) -> None:
        super().__init__()
        self.entry = entry
        self.setObjectName(f"check-{entry.id}")
        word_en, word_zh, colour = STATE_LOOK[entry.state]
        self.setStyleSheet(
            f"#check-{entry.id} {{ background: {Colours.panel.name()}; "
            f"border-left: 6px solid {colour.name()}; border-radius: 3px; }}"
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(1)
        badge = text_label(f"{word_en}\n{word_zh}", 10, bold=True, colour=colour.name())
        badge.setFixedWidth(58)
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(badge, 0, 0, 3, 1)
        title = text_label(f"{entry.title_en}\n{entry.title_zh}", 11, bold=True)
        title.setFixedWidth(150)
        title.setWordWrap(True)
        grid.addWidget(title, 0, 1, 3, 1, Qt.AlignmentFlag.AlignTop)
        self.detail = text_label(entry.detail_en, 10)
        self.detail_zh = text_label(entry.detail_zh, 10, colour=Colours.muted.name())
        self.fix = text_label(f"→ {entry.fix}" if entry.fix else "", 10, colour=colour.name())
        for row, label in enumerate((self.detail, self.detail_zh, self.fix)):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if label.text():
                grid.addWidget(label, row, 2)
        grid.setColumnStretch(2, 1)


class ChecklistDialog(QDialog):
    """The booth checklist: the lines, "Check again", and the sound test."""

    def __init__(
        self,
        gather: Gather,
        tasks: TaskRunner,
        messages: OperatorMessages,
        tone: TonePlayer | None,
        audio_device: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Booth checklist · 開場前檢查")
        self._gather = gather
        self._tasks = tasks
        self._messages = messages
        self._tone = tone
        self._audio_device = audio_device
        self._tone_result: ToneResult | None = None
        self._gathering = False
        self.checklist: Checklist | None = None
        self.resize(1040, 640)

        column = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(text_label("Booth checklist · 開場前檢查", 16, bold=True))
        self.summary = text_label("", 12, bold=True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.summary, 1)
        column.addLayout(head)

        self.rows = QWidget()
        self.rows_layout = QVBoxLayout(self.rows)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(5)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.rows)
        column.addWidget(scroll, 1)

        self.tone_prompt = text_label("", 11, bold=True, colour=Colours.accent.name())
        self.tone_prompt.setWordWrap(True)
        column.addWidget(self.tone_prompt)
        buttons = QHBoxLayout()
        self.again_button = QPushButton("Check again · 重新檢查")
        self.again_button.clicked.connect(self.refresh)
        self.tone_button = QPushButton("Play test tone · 播放測試音")
        self.tone_button.setEnabled(tone is not None)
        self.tone_button.clicked.connect(self.play_tone)
        self.heard_button = QPushButton("Heard it · 聽到")
        self.heard_button.clicked.connect(lambda: self.tone_heard(True))
        self.not_heard_button = QPushButton("Not heard · 聽不到")
        self.not_heard_button.clicked.connect(lambda: self.tone_heard(False))
        close_button = QPushButton("Close · 關閉")
        close_button.clicked.connect(self.close)
        for button in (self.again_button, self.tone_button, self.heard_button):
            buttons.addWidget(button)
        buttons.addWidget(self.not_heard_button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        column.addLayout(buttons)
        self._show_answer_buttons(False)

        self._tone_timer = QTimer(self)
        self._tone_timer.setInterval(TONE_POLL_MS)
        self._tone_timer.timeout.connect(self._poll_tone)

    # --- gathering ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Gather every line again on a worker thread (one gathering at a time)."""
        if self._gathering:
            return
        self._gathering = True
        self.again_button.setEnabled(False)
        self.summary.setText("Checking… · 檢查中…")
        self.summary.setStyleSheet(f"color: {Colours.muted.name()};")
        tone = self._tone_result  # the worker reads this snapshot, never the dialog
        self._tasks.run(self._gather, self._gathered, self._failed, lambda: tone)

    def _gathered(self, checklist: Checklist) -> None:
        self._gathering = False
        self.again_button.setEnabled(True)
        self.show_checklist(checklist)

    def _failed(self, error: BaseException) -> None:
        self._gathering = False
        self.again_button.setEnabled(True)
        self.summary.setText("The checklist could not run · 無法檢查")
        self.summary.setStyleSheet(f"color: {Colours.bad.name()};")
        self._messages.error(f"Booth checklist could not run: {error}")

    def show_checklist(self, checklist: Checklist) -> None:
        """Draw the lines (GUI thread)."""
        self.checklist = checklist
        while self.rows_layout.count():
            item = self.rows_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for entry in checklist.lines:
            self.rows_layout.addWidget(CheckRow(entry))
        self.rows_layout.addStretch(1)
        red = sum(1 for e in checklist.lines if e.state is CheckState.RED)
        amber = sum(1 for e in checklist.lines if e.state is CheckState.AMBER)
        if red:
            text, colour = f"{red} to fix · {red} 項須處理", Colours.bad
        elif amber:
            text, colour = f"Ready; {amber} to look at · {amber} 項留意", Colours.warn
        else:
            text, colour = "Ready for the doors · 可以開門", Colours.ok
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {colour.name()};")
        states = ", ".join(f"{e.id}={e.state.value}" for e in checklist.lines)
        self._messages.info(f"Booth checklist: {states}")

    # --- the sound test -------------------------------------------------------------------
    def play_tone(self) -> None:
        """Send the test tone to the event's audio output; ask whether it was heard."""
        if self._tone is None:
            return
        device = self._audio_device()
        self._tone.play(device)
        self._show_answer_buttons(False)
        self.tone_button.setEnabled(False)
        self.tone_prompt.setText(
            f"Playing a 1 kHz tone on {device or 'the default output'}: listen in the hall… · "
            f"正在播放 1 kHz 測試音，請在場內聆聽…"
        )
        self._tone_timer.start()

    def _poll_tone(self) -> None:
        assert self._tone is not None
        state = self._tone.state()
        if state is ToneState.PLAYING:
            return
        self._tone_timer.stop()
        self.tone_button.setEnabled(True)
        if state is ToneState.FAILED:
            self._tone_result = ToneResult(self._tone.device, None, "libvlc could not play it")
            self.tone_prompt.setText("The test tone could not play · 測試音無法播放")
            self.refresh()
            return
        self.tone_prompt.setText("Did you hear the tone in the hall? · 場內聽到測試音嗎？")
        self._show_answer_buttons(True)

    def tone_heard(self, heard: bool) -> None:
        """The operator's answer: the sound line turns green (heard) or red (not heard)."""
        assert self._tone is not None
        self._tone_result = ToneResult(self._tone.device, heard)
        self._show_answer_buttons(False)
        self.tone_prompt.setText("")
        self._messages.info(
            f"Test tone on {self._tone.device or 'the default output'}: "
            f"{'heard' if heard else 'NOT heard'} in the hall"
        )
        self.refresh()

    def _show_answer_buttons(self, shown: bool) -> None:
        self.heard_button.setVisible(shown)
        self.not_heard_button.setVisible(shown)

    @property
    def busy(self) -> bool:
        """True while the lines are being gathered."""
        return self._gathering
