"""Lines a test writes to a child process's stdin, delivered on the child's GUI thread (a
queued signal from a reader thread); the end of stdin is delivered as "quit"."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread."""

    line = Signal(str)


def listen_to_stdin(on_line: Callable[[str], None]) -> Commands:
    """Start reading stdin; each line goes to ``on_line`` on the GUI thread (keep the result
    for as long as the child listens)."""
    commands = Commands()
    commands.line.connect(on_line)

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    return commands
