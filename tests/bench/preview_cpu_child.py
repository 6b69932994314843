"""Child process for test_preview_cpu: the real console and stage play a film; the console's
live preview is switched on and off in turn and the process's CPU time measured each time.

`python -m tests.bench.preview_cpu_child EVENT_DIR ROUNDS SECONDS` prints one JSON line per
measured window, CPU time over the window's wall-clock time in % of one core:

* `process`: this process's user + system time (every thread, libvlc's decoder and video
  output too: noisy, tens of % from one window to the next);
* `gui`: the Qt GUI thread's (the preview loads, scales and paints its picture there);
* `snapshots`: the preview's worker threads' inside libvlc's snapshot (libvlc copies the
  picture on its video output thread, then converts, scales and writes the PNG on the caller's);
* `pictures`: how many new pictures the preview showed; `snapshot_ms`: their median wall time.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from kiosk.night.show import ShowController
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.stage_preview import StagePreview


def wait(ms: int) -> None:
    """Run the Qt event loop for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (every thread)."""
    times = os.times()
    return times.user + times.system


def main() -> None:
    """On the holding slide, then while the film plays: preview on/off windows' CPU use."""
    event_dir, rounds_text, seconds_text = sys.argv[1:]
    rounds, seconds = int(rounds_text), float(seconds_text)
    make_application()
    window, _reporter = open_console(EventFolder(Path(event_dir)), screen_name="PROJECTOR")
    window.resize(1366, 768)
    window.show()
    show = window.night.show
    assert show is not None
    wait(1000)
    preview = window.show_panel.preview if window.show_panel is not None else None
    assert isinstance(preview, StagePreview)
    pictures = [0]
    preview.refreshed.connect(lambda: pictures.__setitem__(0, pictures[0] + 1))
    snapshot_cpu: list[float] = []
    snapshot_wall: list[float] = []
    players = show.players
    take = players.snapshot

    def timed_snapshot(slot: str, path: Path, width: int = 320) -> bool:
        cpu, wall = time.thread_time(), time.monotonic()  # on the preview's worker thread
        try:
            return take(slot, path, width)
        finally:
            snapshot_cpu.append(time.thread_time() - cpu)
            snapshot_wall.append(time.monotonic() - wall)

    players.snapshot = timed_snapshot  # type: ignore[method-assign]
    for scene in ("card", "film"):
        if scene == "film":
            show.go()  # holding -> title card -> film
            deadline = time.monotonic() + 20
            while (show.snapshot().film_elapsed_s or 0) < 1.0:
                assert time.monotonic() < deadline, "the film never started"
                wait(50)
        measure(scene, rounds, seconds, preview, pictures, snapshot_cpu, snapshot_wall, show)
    window.night.close()  # the show, the players and the stage window, not only the show


def measure(
    scene: str,
    rounds: int,
    seconds: float,
    preview: StagePreview,
    pictures: list[int],
    snapshot_cpu: list[float],
    snapshot_wall: list[float],
    show: ShowController,
) -> None:
    """Windows with the preview on and off in turn; one JSON line each."""
    for number in range(rounds):
        order = ("on", "off") if number % 2 == 0 else ("off", "on")
        for mode in order:
            preview.setVisible(mode == "on")  # hidden, it takes no pictures
            wait(1000)
            pictures[0] = 0
            snapshot_cpu.clear()
            snapshot_wall.clear()
            process, gui, wall = cpu_seconds(), time.thread_time(), time.monotonic()
            wait(round(seconds * 1000))
            span = time.monotonic() - wall
            report = {
                "scene": scene,
                "preview": mode,
                "process": (cpu_seconds() - process) / span * 100,
                "gui": (time.thread_time() - gui) / span * 100,
                "snapshots": sum(snapshot_cpu) / span * 100,
                "pictures": pictures[0],
                "snapshot_ms": 1000 * statistics.median(snapshot_wall) if snapshot_wall else 0,
                "film_at": show.snapshot().film_elapsed_s,
            }
            print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
