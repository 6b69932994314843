"""What a GUI thread did that may wait, recorded in a real app child (a development check).

A `sys.audit` hook notes, on the GUI thread only and only while armed, every database
connection opened, every SQL statement run (a trace callback on each connection made through
:meth:`GuiThreadWatch.connect`, which the child puts in place of `sqlite3.connect`), every
socket connected and every data file opened, and every wait for another thread the child names
(:meth:`GuiThreadWatch.note_waits`), each with the kiosk code that did it and when (ms since
the watch was made). Used by `tests/ui/gui_thread_child.py` (the console) and
`tests/ui/station_window_child.py` (a paired door station's window).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kiosk

KIOSK = Path(kiosk.__file__).resolve().parent  # the kiosk code run (a benchmark's may be older)
CODE_SUFFIXES = (".py", ".pyc", ".so", ".pth", ".typed")
_connect = sqlite3.connect


def kiosk_frames(limit: int = 4) -> list[str]:
    """The kiosk code on the stack now, innermost first (file:line function)."""
    found = []
    for frame in reversed(traceback.extract_stack()[:-2]):
        path = Path(frame.filename)
        if path.is_relative_to(KIOSK):
            found.append(f"{path.relative_to(KIOSK).as_posix()}:{frame.lineno} {frame.name}")
    return found[:limit]


class WatchedConnection(sqlite3.Connection):
    """A connection the watch can hold weakly (the base class takes no weak reference)."""


class GuiThreadWatch:
    """What the GUI thread did that may wait (only while armed: ``phase`` names the part of
    the run being watched, e.g. "opening", "show"; None: not watching)."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.seen: list[dict[str, Any]] = []
        self.connections: list[tuple[weakref.ref[sqlite3.Connection], tuple[str, list[str]]]] = []
        self._gui = threading.main_thread()
        self._t0 = time.monotonic()

    @property
    def armed(self) -> bool:
        """Whether the GUI thread is watched now."""
        return self.phase is not None

    def in_phase(self, phase: str) -> list[dict[str, Any]]:
        """What was noted while ``phase`` was watched."""
        return [seen for seen in self.seen if seen["phase"] == phase]

    def install(self) -> None:
        """The audit hook, and `sqlite3.connect` traced (kiosk.store calls it by name)."""
        import sys

        sys.addaudithook(self.hook)
        sqlite3.connect = self.connect  # type: ignore[assignment]

    def note_waits(self, owner: Any, *names: str, kind: str = "wait") -> None:
        """Note each call of ``owner.<name>`` on the GUI thread while armed, with how long it
        took: a wait for another thread (a queue flushed, a worker idle) the hook cannot see;
        or, with ``kind="timed"``, a read allowed there, to say how long it took."""
        for name in names:
            original = getattr(owner, name)

            @functools.wraps(original)
            def waiting(*args: Any, _original: Any = original, _name: str = name, **kw: Any) -> Any:
                if not self.armed or threading.current_thread() is not self._gui:
                    return _original(*args, **kw)
                started = time.monotonic()
                try:
                    return _original(*args, **kw)
                finally:
                    held = (time.monotonic() - started) * 1000
                    self._note(kind, f"{owner.__name__}.{_name}", held_ms=round(held, 1))

            setattr(owner, name, waiting)

    def connect(self, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        """`sqlite3.connect`, each connection's statements traced (on whichever thread)."""
        kwargs.setdefault("factory", WatchedConnection)
        connection: sqlite3.Connection = _connect(*args, **kwargs)
        connection.set_trace_callback(self._sql)
        opened = (threading.current_thread().name, kiosk_frames(limit=6))
        self.connections.append((weakref.ref(connection), opened))
        return connection

    def still_open(self) -> list[dict[str, Any]]:
        """The connections made through :meth:`connect` not closed yet: where and on which
        thread each was opened."""
        found = []
        for ref, (thread, where) in self.connections:
            connection = ref()
            if connection is None:
                continue
            try:
                connection.total_changes  # noqa: B018  (raises once closed)
            except sqlite3.ProgrammingError:
                continue
            found.append({"thread": thread, "where": where})
        return found

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        """The `sys.audit` hook: every interpreter event passes here."""
        if not self.armed or threading.current_thread() is not self._gui:
            return
        if event == "sqlite3.connect":
            self._note("sqlite3.connect", str(args[0]))
        elif event == "socket.connect":
            self._note("socket.connect", str(args[1]))
        elif event == "open" and isinstance(args[0], str | bytes | os.PathLike):
            path = os.fsdecode(args[0])
            if not path.endswith(CODE_SUFFIXES) and not path.startswith(("/proc/", "/sys/")):
                self._note("open", path)

    def _sql(self, statement: str) -> None:
        if self.armed and threading.current_thread() is self._gui:
            self._note("sql", statement[:80])

    def _note(self, kind: str, what: str, **more: Any) -> None:
        at = round((time.monotonic() - self._t0) * 1000, 1)
        where = kiosk_frames(limit=6)
        seen = {"phase": self.phase, "kind": kind, "what": what, "where": where, "at_ms": at}
        self.seen.append(seen | more)


def open_files(root: Path) -> Iterator[str]:
    """This process's open sockets and files under ``root`` (from /proc/self/fd)."""
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if target.startswith("socket:") or target.startswith(str(root)):
            yield target


def first_call(owner: Any, name: str, then: Callable[[], None]) -> None:
    """Call ``then`` once, just before the first call of ``owner.<name>`` (e.g. the show's
    first tick) and put the method back."""
    original = owner.__dict__[name]

    @functools.wraps(original)
    def once(*args: Any, **kwargs: Any) -> Any:
        setattr(owner, name, original)
        then()
        return original(*args, **kwargs)

    setattr(owner, name, once)
