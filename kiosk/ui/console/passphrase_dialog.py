"""Asks the keyholder(s) for the results passphrase(s) when the reveal starts.

The dialog belongs to the console (never the projector). Opening the seal takes a moment
(memory-hard key derivation), so it runs on a worker thread while a busy bar shows; a wrong
passphrase is said inline and the fields are cleared, and nothing typed is ever logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label, ui_font

log = logging.getLogger(__name__)


class PassphraseDialog(QDialog):
    """One field per keyholder; `opener(passphrases)` runs off the GUI thread on OK.

    On success `result_value` holds what the opener returned and the dialog is accepted; on an
    exception its message is shown (it must never contain a secret) and the fields are cleared.
    """

    def __init__(
        self,
        keyholders: int,
        opener: Callable[[list[str]], Any],
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        intro: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open the sealed results · 開啟密封結果")
        self.setModal(True)
        self.setMinimumWidth(520)
        self._opener = opener
        self._tasks = tasks
        self.result_value: Any = None

        layout = QVBoxLayout(self)
        # never smaller than what the wrapped help needs (it was clipped under the busy bar)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        heading = text_label("Open the sealed results · 開啟密封結果", 14, bold=True)
        layout.addWidget(heading)
        note = (
            "The winners are opened now, in this console's memory only, and shown on the "
            "projector one GO at a time."
        )
        if keyholders > 1:
            note += " Both keyholders type their passphrase, each in turn."
        self.explain = text_label(intro + note, 10, colour=Colours.muted.name())
        self.explain.setWordWrap(True)
        layout.addWidget(self.explain)

        layout.addLayout(self._build_fields(keyholders))

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        keep_room = self.busy.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)  # showing it moves nothing
        self.busy.setSizePolicy(keep_room)
        self.busy.hide()
        layout.addWidget(self.busy)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setFont(ui_font(11, bold=True))
        self.error.setStyleSheet(f"color: {Colours.bad.name()};")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Open and start · 開啟並開始")
        ok.setDefault(False)
        ok.setAutoDefault(False)
        self.buttons.accepted.connect(self.open_seal)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if self.fields:
            self.fields[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_fields(self, keyholders: int) -> QFormLayout:
        """One hidden passphrase field per keyholder; Enter moves on to the next."""
        form = QFormLayout()
        self.fields: list[QLineEdit] = []
        for number in range(1, keyholders + 1):
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setFont(ui_font(13))
            field.setMinimumHeight(36)
            field.setObjectName(f"passphrase-{number}")
            field.returnPressed.connect(self._next_or_open)
            label = (
                "Passphrase · 密碼" if keyholders == 1 else f"Keyholder {number} · 保管人 {number}"
            )
            form.addRow(text_label(label, 11, bold=True), field)
            self.fields.append(field)
        return form

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Wrapped text keeps the height its width needs: Qt's layout sized the help for
        another width and cut its last line (worse once the busy bar or an error showed)."""
        super().resizeEvent(event)
        self._keep_text_whole()

    def showEvent(self, event: QShowEvent) -> None:
        """The help whole from the first paint."""
        super().showEvent(event)
        self._keep_text_whole()

    def _keep_text_whole(self) -> None:
        for label in (self.explain, self.error):
            need = label.heightForWidth(label.width()) if label.isVisibleTo(self) else 0
            if need > 0 and need != label.minimumHeight():
                label.setMinimumHeight(need)

    def _next_or_open(self) -> None:
        empty = next((f for f in self.fields if not f.text()), None)
        if empty is not None:
            empty.setFocus()
        else:
            self.open_seal()

    def open_seal(self) -> None:
        """Try the passphrases (on a worker thread)."""
        phrases = [f.text() for f in self.fields]
        if not all(phrases):
            self._show_error("Type every passphrase first · 請輸入所有密碼")
            return
        self._set_busy(True)
        self._tasks.run(self._opener, self._opened, self._failed, phrases)

    def _opened(self, value: Any) -> None:
        self._set_busy(False)
        for field in self.fields:
            field.clear()
        self.result_value = value
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        for field in self.fields:
            field.clear()
        if self.fields:
            self.fields[0].setFocus()
        self._show_error(str(error) or type(error).__name__)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self._keep_text_whole()

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for field in self.fields:
            field.setEnabled(not busy)
        self.buttons.setEnabled(not busy)
        if busy:
            self.error.hide()
