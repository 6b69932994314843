"""A paired door station's window (`python main.py station`) in a child process on its own
Xvfb, scanned with real X keys (tests/ui/station_window_child.py drives and reports)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.ui.door_station import Station
from tests.xvfb import qt_env, xvfb_display

CHILD = Path(__file__).with_name("station_window_child.py")
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def station_window(
    station_dir: Path, errors_to: Path, *, kiosk_tree: Path | None = None
) -> Iterator[Station]:
    """The station window of ``station_dir`` (paired already) on a 1366x768 Xvfb, its code
    field focused, X's key repeat off (a scanner's keys never repeat); ``kiosk_tree``: run
    that folder's kiosk code (an older commit's) instead of this checkout's."""
    extra = {} if kiosk_tree is None else {"PYTHONPATH": str(kiosk_tree)}
    with xvfb_display(1366, 768) as display, errors_to.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, str(CHILD), str(station_dir)],
            env=qt_env(display, **extra),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
        )
        station = Station(process, display)
        station.start_reading()
        try:
            station.expect("READY", 60)
            station.focus("code")
            station.run("xset", "r", "off")
            yield station
        finally:
            station.close()


def scan_typed(station: Station, code: str, *, offline: bool) -> float:
    """One code typed as a wedge scanner types it (Return 12 ms after the last key), admitted
    (online or from the station's list); the ms from that Return to the verdict on screen."""
    station.xdotool("type", "--delay", "12", code + "\r")  # \r: the Return key
    answer = station.answer()
    assert answer["verdict"] == "admitted" and answer["offline"] is offline, answer
    return float(station.expect("PAINTED").split()[1])


def header_refreshes_ms(report: dict[str, Any]) -> list[float]:
    """The GUI thread's time in each header refresh (`refresh_link`) the child timed."""
    return [
        float(seen["held_ms"])
        for seen in report["gui_thread"]
        if seen["kind"] == "timed" and seen["what"].endswith("refresh_link")
    ]
