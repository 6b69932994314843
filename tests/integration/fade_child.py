"""Child process for test_stage_fade: the real show fades to black over a film and back up.

`python -m tests.integration.fade_child EVENT_DIR FADE_S [pause] [late-filter]` runs the
event's programme straight-cut and unattended on the stage (real libvlc, xcb output) and, on a
fixed timeline: once the film has played a second, fades to black over FADE_S; a second later
lifts the black with the same fade; with `pause`, the film is paused before the black, so it
fades up still. With `late-filter`, libvlc is told to switch its adjust filter on `LATE_S`
after the show asks (from another thread): a libvlc that applies the filter late, as a loaded
one may, so the film's bright picture stays on screen that long unless the curtain waits.
Prints one line of JSON with the wall-clock times (time.time(), as ffmpeg's x11grab stamps its
frames) of the moments the test analyses, and what of Mesa's software OpenGL the process holds
while the film plays (`tests/software_gl.py`), then quits.
"""

from __future__ import annotations

import json
import sys
import threading
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
from tests.software_gl import software_gl

LATE_S = 0.4  # `late-filter`: how late libvlc is told to switch its filter on


def switch_filters_on_late() -> None:
    """Make every `video_set_adjust_int(Enable, 1)` reach libvlc `LATE_S` later, from a
    thread of its own (libvlc takes calls from any thread but its own callbacks')."""
    import vlc

    original = vlc.MediaPlayer.video_set_adjust_int

    def late(player: vlc.MediaPlayer, option: int, value: int) -> None:
        if option == vlc.VideoAdjustOption.Enable and value:
            threading.Timer(LATE_S, original, (player, option, value)).start()
        else:
            original(player, option, value)

    vlc.MediaPlayer.video_set_adjust_int = late


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
    if "late-filter" in flags:
        switch_filters_on_late()
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
    lifted: list[float] = []  # when the curtain came off (wall clock)
    stage.black_changed.connect(lambda black: None if black else lifted.append(time.time()))
    filter_lines: list[float] = []  # when libvlc's word that a filter is in reached the show
    assert night.log_tap is not None
    night.log_tap.filter_added.connect(lambda _name, _at: filter_lines.append(time.time()))
    if "pause" in flags:
        show.toggle_pause()
        wait(200)
    marks["black"] = time.time()
    show.fade_to_black()
    wait(round(fade_s * 1000) + 1000)
    marks["unblack"] = time.time()
    show.fade_to_black()  # again: lifts the black
    # then a second of the film at full (the test counts its pictures per second there)
    wait(round((fade_s + (LATE_S if "late-filter" in flags else 0)) * 1000) + 1200)
    marks["done"] = time.time()
    marks["curtain_off"] = lifted[-1] if lifted else None
    marks["filter_lines"] = filter_lines
    marks["cue"] = show.machine.cue.kind.value
    marks["still_film"] = show.machine.cue.kind is CueKind.FILM
    marks["black_now"] = stage.black
    marks["software_gl"] = software_gl()  # the film drawn by the output asked for, or by Mesa
    print(json.dumps(marks), flush=True)
    # the night, not only the show: show.close() leaves the projector open, and players left
    # to the interpreter's exit (libvlc still calling back into Python) crashed it (SIGSEGV)
    night.close()  # the show, the players, the stage window
    app.quit()


if __name__ == "__main__":
    main()
