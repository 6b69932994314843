"""A paired door station's GUI thread waits on nothing while it scans: the real window of
`python main.py station` in its own process (tests/ui/station_window_child.py), paired to a
real `serve` process on 127.0.0.1, ticket codes typed with real X keys (xdotool), watched by a
`sys.audit` hook (tests/gui_thread_watch.py) through online scans, the window's 2 s polls,
the server SIGKILLed and offline scans queued for upload.

The header still says what it said (OFFLINE, "3 to upload"): the station counts its list's
age and its uploads where they change (the writer, the sync), never on the GUI thread.
"""

from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path
from typing import Any

import pytest

from tests.doors_helpers import make_event, seed_people
from tests.station_helpers import pair_station, start_server
from tests.ui.station_window import scan_typed, station_window
from tests.xvfb import requires_xvfb

ONLINE, OFFLINE = 4, 3

pytestmark = [
    requires_xvfb,
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is needed"),
    pytest.mark.slow,
]


def test_the_station_window_waits_on_nothing_while_it_scans(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event", capacity=100)
    people = seed_people(folder, count=ONLINE + OFFLINE)
    server = start_server(folder.root)
    station_dir = tmp_path / "door"
    try:
        pair_station(folder.root, "Door 5", station_dir)
        with station_window(station_dir, tmp_path / "station-stderr.txt") as station:
            station.send("arm")
            station.expect("ARMED")
            online = [scan_typed(station, p.code, offline=False) for p in people[:ONLINE]]
            station.until(lambda state: state["polls"] >= 2, "two polls of the header")
            server.kill()
            offline = [scan_typed(station, p.code, offline=True) for p in people[ONLINE:]]
            station.until(
                lambda state: (
                    "OFFLINE" in state["link"] and f"{OFFLINE} to upload" in state["link"]
                ),
                "the header: offline, the scans waiting to upload",
            )
            station.send("report")
            report: dict[str, Any] = json.loads(station.expect("REPORT").split(" ", 1)[1])
    finally:
        server.stop()
    print(
        f"\nEnter -> verdict on screen, median: online {statistics.median(online):.1f} ms, "
        f"offline {statistics.median(offline):.1f} ms"
    )
    waits = [seen for seen in report["gui_thread"] if seen["kind"] != "timed"]
    assert waits == [], json.dumps(waits, indent=1)
