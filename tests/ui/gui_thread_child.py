"""A console in its own process, its GUI thread watched during a show, then closed.

    python gui_thread_child.py EVENT_DIR SECONDS

Opens the console the way `main.py` does (open_console), then, for SECONDS: the show runs
(GO), every tab is shown in turn (each panel's polls fire), the Awards tab's F8 reads the seal
and its dialog is dismissed. Meanwhile a `sys.audit` hook records, on the GUI thread only,
every database connection opened, every SQL statement run (a trace callback on each new
connection), every socket connected and every data file opened, with the kiosk code that did
it; the subtitles the projector showed are sampled. Then the console closes, its workers
finish, and the child lists what it still holds open that it did not before the console
opened: files of the event folder and sockets (and where each connection still open was
made). Prints one line, ``REPORT {json}``, and exits.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.reveal_panel import RevealPanel
from kiosk.ui.console.window import ConsoleWindow

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"
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
    """What the GUI thread did that may wait (only while armed)."""

    def __init__(self) -> None:
        self.armed = False
        self.seen: list[dict[str, Any]] = []
        self.connections: list[tuple[weakref.ref[sqlite3.Connection], tuple[str, list[str]]]] = []
        self._gui = threading.main_thread()

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

    def _note(self, kind: str, what: str) -> None:
        self.seen.append({"kind": kind, "what": what, "where": kiosk_frames()})


def open_files(event_root: Path) -> Iterator[str]:
    """This process's open sockets and files of the event folder (from /proc/self/fd)."""
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if target.startswith("socket:") or target.startswith(str(event_root)):
            yield target


def steps(
    window: ConsoleWindow, watch: GuiThreadWatch, seconds: float, subtitled: Callable[[], bool]
) -> Iterator[int]:
    """The night, as a generator of waits in ms (run by a timer on the GUI thread): at least
    ``seconds``, and on (up to a minute more) until a subtitle was on the projector."""
    show = window.night.show
    assert show is not None
    yield 1500  # console start (allowed to read): its first answers come in
    watch.armed = True
    show.go()
    end = time.monotonic() + seconds
    tabs = window.tabs
    while time.monotonic() < end or (not subtitled() and time.monotonic() < end + 60):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            widget = tabs.widget(index)
            if isinstance(widget, RevealPanel) and widget.dialog is None:
                widget.start()  # F8: the seal is read again, then the passphrase dialog
            yield 700
            if isinstance(widget, RevealPanel) and widget.dialog is not None:
                widget.dialog.reject()
    watch.armed = False


def run(app: QApplication, folder: EventFolder, seconds: float) -> dict[str, Any]:
    watch = GuiThreadWatch()
    sys.addaudithook(watch.hook)
    sqlite3.connect = watch.connect  # type: ignore[assignment]  # kiosk.store calls it by name
    before = set(open_files(folder.root))
    window, _reporter = open_console(folder)
    window.resize(1366, 768)
    window.show()
    stage = window.night.projector.stage
    subtitles: set[str] = set()
    walk = steps(window, watch, seconds, lambda: bool(subtitles - {""}))
    sampler = QTimer()
    sampler.timeout.connect(lambda: subtitles.add(getattr(stage, "subtitle", None) or ""))
    sampler.start(50)
    timer = QTimer()
    timer.setSingleShot(True)

    def advance() -> None:
        try:
            timer.start(next(walk))
        except StopIteration:
            app.quit()

    timer.timeout.connect(advance)
    timer.start(0)
    app.exec()
    sampler.stop()
    threads_open = {t.name for t in threading.enumerate()}
    window.close()
    closing = time.monotonic() + 20
    done: Callable[[], bool] = lambda: not window.isVisible()  # noqa: E731
    while not done() and time.monotonic() < closing:
        app.processEvents()
    app.processEvents()
    gc.collect()
    left = sorted(set(open_files(folder.root)) - before)
    return {
        "gui_thread": watch.seen,
        "left_open": left,
        "subtitles_shown": sorted(subtitles - {""}),
        "connections_open": watch.still_open(),
        "threads_during_show": sorted(threads_open),
        "threads_after_close": sorted(t.name for t in threading.enumerate()),
    }


def main(event_dir: str, seconds: float) -> int:
    app = make_application()
    folder = EventFolder(Path(event_dir))
    lock = folder.lock()
    lock.acquire()
    try:
        report = run(app, folder, seconds)
    finally:
        lock.release()
    print("REPORT " + json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
