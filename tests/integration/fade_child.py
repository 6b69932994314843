"""Child process for test_stage_fade: the real show fades to black over a film and back up.

`python -m tests.integration.fade_child EVENT_DIR FADE_S [pause]` runs the event's programme
straight-cut and unattended on the stage (real libvlc, xcb output) and, on a fixed timeline:
once the film has played a second, fades to black over FADE_S; a second later lifts the black
with the same fade; with `pause`, the film is paused before the black, so it fades up still.
Prints one line of JSON with the wall-clock times (time.time(), as ffmpeg's x11grab stamps its
frames) of the moments the test analyses, then quits.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.core.show import CueKind, ShowOptions
from kiosk.night import open_night
from kiosk.store.database import open_database
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import show_instance
from kiosk.ui.stage.window import StageWindow


def wait(ms: int) -> None:
    """Run the Qt event loop for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    """Play, fade down, fade up, report the moments."""
    event_dir, fade_text, *flags = sys.argv[1:]
    fade_s = float(fade_text)
    app = QApplication(sys.argv[:1])
    folder = EventFolder(Path(event_dir))
    config = folder.load_config()
    programme = folder.load_programme(config)
    stage = StageWindow(config, programme)
    options = ShowOptions(straight_cut=True, auto=True, auto_hold_s=0.2, fade_s=fade_s)
    db = open_database(folder.db_path)
    night = open_night(config, programme, db, stage, show_instance(), options=options)
    stage.start()
    wait(500)
    show = night.open_show()
    deadline = time.monotonic() + 10
    while show.snapshot().film_elapsed_s is None or show.snapshot().film_elapsed_s == 0:
        assert time.monotonic() < deadline, "the film never started"
        wait(20)
    wait(1000)
    marks: dict[str, object] = {}
    if "pause" in flags:
        show.toggle_pause()
        wait(200)
    marks["black"] = time.time()
    show.fade_to_black()
    wait(round(fade_s * 1000) + 1000)
    marks["unblack"] = time.time()
    show.fade_to_black()  # again: lifts the black
    wait(round(fade_s * 1000) + 600)
    marks["done"] = time.time()
    marks["cue"] = show.machine.cue.kind.value
    marks["still_film"] = show.machine.cue.kind is CueKind.FILM
    marks["black_now"] = stage.black
    print(json.dumps(marks), flush=True)
    # the night, not only the show: show.close() leaves the projector open, and players left
    # to the interpreter's exit (libvlc still calling back into Python) crashed it (SIGSEGV)
    night.close()  # the show, the players, the stage window
    app.quit()


if __name__ == "__main__":
    main()
