"""Jump to any film in the run order (or to the end card), guarded.

The dialog (key J) lists the run order with each film's state tonight. Jumping is a deliberate
act: the operator picks the film and presses *Jump*; while a film is playing, *Jump* stays
disabled until they also tick "Stop the film that is playing" (films passed over are marked
skipped). The end card ends the show on purpose (after it the console closes without asking).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.programme import Programme
from kiosk.core.show import ShowPhase, Snapshot

log = logging.getLogger(__name__)

END = "end"

# (parent, programme, snapshot) -> a film id, "end", or None (cancelled)
ChooseJump = Callable[[QWidget, Programme, Snapshot], str | None]


class JumpDialog(QDialog):
    """Choose where the show jumps to; `target` is the film id (or "end") once accepted."""

    def __init__(self, parent: QWidget, programme: Programme, snapshot: Snapshot) -> None:
        super().__init__(parent)
        self.setWindowTitle("Jump to a film · 跳至影片")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        playing = snapshot.phase is ShowPhase.FILM
        note = QLabel(
            "Pick where the show goes next. Films passed over are marked skipped; the title "
            "card (if any) comes first."
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(note)
        self.films = QListWidget()
        statuses = dict((film.id, status) for film, status in snapshot.films)
        for film in programme.films:
            status = statuses.get(film.id)
            state = f"  [{status.value}]" if status is not None else ""
            item = QListWidgetItem(f"{film.position}. {film.title_en}  {film.title_zh}{state}")
            item.setData(Qt.ItemDataRole.UserRole, film.id)
            self.films.addItem(item)
        end = QListWidgetItem("End card — end the show · 完場")
        end.setData(Qt.ItemDataRole.UserRole, END)
        self.films.addItem(end)
        self.films.setCurrentRow(self._next_row(programme, snapshot))
        layout.addWidget(self.films, 1)
        self.stop_film = QCheckBox("Stop the film that is playing · 停止正在放映的影片")
        self.stop_film.setVisible(playing)
        layout.addWidget(self.stop_film)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        jump = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        jump.setText("Jump · 跳至")
        jump.setEnabled(not playing)
        self.stop_film.toggled.connect(jump.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    @staticmethod
    def _next_row(programme: Programme, snapshot: Snapshot) -> int:
        film = snapshot.cue.film
        if film is None:
            return 0
        return min(film.position, len(programme.films))  # the film after the current one

    @property
    def target(self) -> str | None:
        """The chosen film id or "end"."""
        item = self.films.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))


def ask_jump(parent: QWidget, programme: Programme, snapshot: Snapshot) -> str | None:
    """Open the jump dialog on the console; the chosen target, or None if cancelled."""
    dialog = JumpDialog(parent, programme, snapshot)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.target
