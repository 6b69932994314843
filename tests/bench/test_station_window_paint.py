"""Benchmark: a paired door station's window, real Enter → the verdict on screen, before and
after its header stopped reading the station's database on the GUI thread.

Run with `make bench`, or side by side with an older commit's kiosk code:

    STATION_PAINT_BEFORE=<commit> .venv/bin/python -m pytest \
      tests/bench/test_station_window_paint.py -q -s -p no:randomly

For each version: a real `serve` on 127.0.0.1, a station paired to it, its window
(`python main.py station`, tests/ui/station_window_child.py) on a 1366x768 Xvfb; xdotool types
each ticket code and Return as a wedge scanner does. SCANS admissions online (the header's 2 s
poll running), then the server SIGKILLed and SCANS admissions decided from the station's list
and queued (each one changes the header's "N to upload"). Prints, per version, the time from
the X server's stamp of the Return to the verdict painted and flushed (median, p95, max), and
the GUI thread's time in each header refresh (`DoorsWindow.refresh_link`, timed in the child).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doors_helpers import make_event, seed_people
from tests.station_helpers import pair_station, start_server
from tests.ui.station_window import header_refreshes_ms, scan_typed, station_window
from tests.xvfb import requires_xvfb

ROOT = Path(__file__).resolve().parents[2]
BEFORE = os.environ.get("STATION_PAINT_BEFORE", "")
SCANS = int(os.environ.get("STATION_PAINT_SCANS", "40"))
WARM_UP = 3  # the first verdicts render each headline's text once
PAUSE_S = 0.15  # between two people at the door

pytestmark = [
    requires_xvfb,
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is needed"),
]


@pytest.fixture(scope="module")
def older_kiosk() -> Iterator[Path | None]:
    """The kiosk code of STATION_PAINT_BEFORE (`git archive`), or None."""
    if not BEFORE:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="station-paint-before-"))
    archive = subprocess.run(
        ["git", "archive", BEFORE, "kiosk"], cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(ordered):11.1f} {p95:11.1f} {ordered[-1]:11.1f}"


def one_version(
    tmp_path: Path, kiosk_tree: Path | None
) -> tuple[list[float], list[float], list[float]]:
    """Enter → verdict on screen (ms), online then offline, and the GUI thread's time in each
    header refresh meanwhile, for one version of the code."""
    folder = make_event(tmp_path / "event", capacity=1000)
    people = seed_people(folder, count=2 * (SCANS + WARM_UP))
    server = start_server(folder.root)
    online: list[float] = []
    offline: list[float] = []
    header: list[float] = []
    try:
        pair_station(folder.root, "Door 7", tmp_path / "door")
        with station_window(
            tmp_path / "door", tmp_path / "stderr.txt", kiosk_tree=kiosk_tree
        ) as station:
            station.send("arm")  # the header's refreshes timed (the same watch both versions)
            station.expect("ARMED")
            half = SCANS + WARM_UP
            for person in people[:half]:
                online.append(scan_typed(station, person.code, offline=False))
                time.sleep(PAUSE_S)
            server.kill()
            for person in people[half:]:
                offline.append(scan_typed(station, person.code, offline=True))
                time.sleep(PAUSE_S)
            station.send("report")
            header = header_refreshes_ms(json.loads(station.expect("REPORT").split(" ", 1)[1]))
    finally:
        server.stop()
    return online[WARM_UP:], offline[WARM_UP:], header


def test_station_window_enter_to_verdict(tmp_path: Path, older_kiosk: Path | None) -> None:
    trees = {"after": None} if older_kiosk is None else {"before": older_kiosk, "after": None}
    results = {}
    for name, tree in trees.items():
        results[name] = one_version(tmp_path / name, tree)
    print(f"\nreal Return (X server) -> verdict on screen, ms (n={SCANS} each)")
    columns = ("online p50", "p95", "max", "offline p50", "p95", "max")
    print(f"{'':18} " + " ".join(f"{column:>11}" for column in columns))
    for name, (online, offline, _header) in results.items():
        label = f"{name} ({BEFORE[:7]})" if name == "before" else name
        print(f"{label:18} {figures(online)} {figures(offline)}")
    print("the GUI thread's time in each header refresh (refresh_link), ms:")
    for name, (_online, _offline, header) in results.items():
        print(f"  {name:8} {figures(header)}  (n={len(header)})")
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    assert all(online and offline and header for online, offline, header in results.values())
