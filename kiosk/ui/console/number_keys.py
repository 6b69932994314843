"""Show keys pressed while a number field has the focus: typing if the field can take the key.

Qt gives a focused spin box every printable key, even one it then throws away: after nudging
the sound trim or the vote's minutes with the mouse, Space (GO), P, N or T did nothing at all
until the focus moved. This filter asks the field whether the key would be typed (its own
validator, with the key inserted at the cursor); when it would not, the key is not claimed and
the console's key map carries out its command. Digits, '-', '.' and the field's own keys
(arrows, Ctrl+A, Backspace) stay with the field; Space never types into a number. Text fields
(line edits, the log) are left alone: what a person types there is typing.

The filter sits on the focused number field only (`follow_focus`, on the application's focus
signal), never on the application: an application's filter is called, in Python, for every
event of the process.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QWidget

log = logging.getLogger(__name__)

_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


def number_field_takes(box: QAbstractSpinBox, event: QKeyEvent) -> bool:
    """True if `box` would type (or act on) this key; False if it would throw it away."""
    text = event.text()
    if not text or not text.isprintable() or event.modifiers() & ~_TYPING_MODIFIERS:
        return True  # not a character: the field's own keys (arrows, Ctrl+A, Esc is not claimed)
    if text.isspace():
        return False
    edit = box.findChild(QLineEdit)
    if edit is None or box.isReadOnly():
        return False
    current = edit.text()
    if edit.hasSelectedText():
        start = edit.selectionStart()
        end = start + len(edit.selectedText())
    else:
        start = end = edit.cursorPosition()
    candidate = current[:start] + text + current[end:]
    state = box.validate(candidate, start + len(text))[0]
    return bool(state != QValidator.State.Invalid)


class NumberFieldKeys(QObject):
    """Event filter (on the focused number field): lets the key map have the keys a focused
    number field cannot take (see the module's docstring)."""

    def follow_focus(self, old: QWidget | None, new: QWidget | None) -> None:
        """The focus moved (QApplication.focusChanged): filter the number field that has it."""
        if isinstance(old, QAbstractSpinBox):
            old.removeEventFilter(self)
        if isinstance(new, QAbstractSpinBox):
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(watched, QAbstractSpinBox)
            and isinstance(event, QKeyEvent)
            and not number_field_takes(watched, event)
        ):
            log.debug("key %r: not for the number field, for the key map", event.text())
            event.ignore()  # unclaimed: the shortcut runs
            return True
        return False
