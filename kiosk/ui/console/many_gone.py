"""Asking the operator before an import marks many attendees gone (the console's explicit
counterpart of `attendees import --allow-many-gone`).

An export that leaves out more than a small share of the registered attendees is most often a
partial or filtered export, not the real list: importing it would turn those people away at the
doors ("not registered"). The import dialog lists them, but a list is easy to scroll past, so
the console asks once more, naming how many, with Cancel as the default button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from kiosk.core import glossary
from kiosk.services.import_process import PreviewSummary

log = logging.getLogger(__name__)

CONFIRM_TITLE = "Mark many attendees gone? · 將多位參加者標記為已不在名單？"


@dataclass(frozen=True)
class ManyGoneQuestion:
    """What the operator is asked: how many of how many would be marked gone, and why."""

    file_name: str
    would_mark_gone: int
    registered: int
    empty: bool  # the export names nobody at all

    @property
    def confirm_label(self) -> str:
        """The button that allows it; it names the number, so it cannot be pressed blindly
        (Alt+M from the keyboard; Enter and Escape cancel)."""
        return f"&Mark {self.would_mark_gone} gone and import"

    def text(self) -> str:
        """The question, in English for the staff at the console, with a Chinese line."""
        share = self.would_mark_gone / max(1, self.registered)
        if self.empty:
            what = (
                f"{self.file_name} names nobody (only a header?). Importing it marks all "
                f"{self.would_mark_gone} registered attendees gone."
            )
        else:
            what = (
                f"{self.file_name} leaves out {self.would_mark_gone} of the {self.registered} "
                f"registered attendees ({share:.0%}). Importing it marks those "
                f"{self.would_mark_gone} people gone."
            )
        return (
            f"{what}\n\nTheir tickets would then be refused at the doors as not registered. "
            "They are kept, never deleted, and come back if a later export names them.\n\n"
            "Is this the whole, current export? If not, cancel and export again.\n\n"
            f"此匯入會將 {self.would_mark_gone} 位{glossary.REGISTERED.zh}參加者"
            "標記為「已不在名單」，他們的門票將在入口被拒。"
        )


def many_gone_question(preview: PreviewSummary) -> ManyGoneQuestion | None:
    """The question to ask before applying `preview`, or None if it marks few people gone."""
    if preview.many_gone_problem() is None:
        return None
    return ManyGoneQuestion(
        preview.path.name, preview.would_mark_gone, preview.registered, preview.empty
    )


ConfirmManyGone = Callable[[QWidget, ManyGoneQuestion], bool]


def ask_many_gone(parent: QWidget, question: ManyGoneQuestion) -> bool:
    """A modal question on the console; True only if the operator presses the named button."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(CONFIRM_TITLE)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the file name is user data
    box.setText(question.text())
    allow = box.addButton(question.confirm_label, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("Cancel · 取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    allowed = box.clickedButton() is allow
    log.info(
        "import of %s marking %d of %d attendees gone: %s",
        question.file_name,
        question.would_mark_gone,
        question.registered,
        "allowed by the operator" if allowed else "cancelled",
    )
    return allowed
