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
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.night.journal_writer import JournalWriter
from kiosk.night.show import ShowController
from kiosk.services.film_media import FilmMedia
from kiosk.store.event_folder import EventFolder
from kiosk.store.film_checks import FilmCheckRepository
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.reveal_panel import RevealPanel
from kiosk.ui.console.window import ConsoleWindow
from kiosk.ui.stage.window import StageWindow
from tests.gui_thread_watch import GuiThreadWatch, first_call, open_files


def steps(
    window: ConsoleWindow, watch: GuiThreadWatch, seconds: float, subtitled: Callable[[], bool]
) -> Iterator[int]:
    """The night, as a generator of waits in ms (run by a timer on the GUI thread): at least
    ``seconds``, and on (up to a minute more) until a subtitle was on the projector."""
    show = window.night.show
    assert show is not None
    yield 1500  # console start (allowed to read): its first answers come in
    watch.phase = "show"
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
    watch.phase = None


def run(app: QApplication, folder: EventFolder, seconds: float) -> dict[str, Any]:
    watch = GuiThreadWatch()
    watch.install()
    watch.note_waits(JournalWriter, "flush")
    # what the opening may read before its first paint (bounded): timed
    watch.note_waits(FilmCheckRepository, "all", "music", kind="timed")
    watch.note_waits(FilmMedia, "_judge", kind="timed")
    before = set(open_files(folder.root))
    opened_at: list[float] = []
    first_tick: list[float] = []

    def window_made() -> None:  # the console's opening: the first window made ...
        opened_at.append(time.monotonic())
        watch.phase = "opening"

    def ticked() -> None:  # ... through the show's first tick
        watch.phase = None
        first_tick.append(time.monotonic() - opened_at[0])

    first_call(StageWindow, "__init__", window_made)
    first_call(ShowController, "tick", ticked)
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
        "gui_thread": watch.in_phase("show"),
        "opening": watch.in_phase("opening"),
        "opening_ms": round(first_tick[0] * 1000, 1) if first_tick else None,
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
