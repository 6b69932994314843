"""A door laptop set to another time zone still logs on the event's clock.

The server tells a station the event's zone when it pairs (and again in every ticket list); its
log then reads like the console's and the screens' (Hong Kong time, +0800), whatever the
laptop's own clock zone is, even before it has downloaded a ticket list.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.station.folder import StationFolder
from tests.doors_helpers import make_event, seed_people
from tests.station_helpers import MAIN, ROOT, pair_station, start_server

pytestmark = pytest.mark.slow

HK = dt.timezone(dt.timedelta(hours=8))
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}([+-]\d{4}) ", re.MULTILINE)


def checkin_in_new_york(station_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`--station-dir DIR checkin ARGS` in a station process on a laptop set to New York."""
    return subprocess.run(
        [sys.executable, str(MAIN), "--station-dir", str(station_dir), "checkin", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=os.environ | {"TZ": "America/New_York"},
        check=False,
    )


def log_offsets(station_dir: Path) -> set[str]:
    """The UTC offsets of the station log's lines."""
    log_text = (station_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    offsets = STAMP.findall(log_text)
    assert offsets, log_text
    return set(offsets)


def test_station_logs_on_the_events_clock_on_a_laptop_in_new_york(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event", capacity=20)
    people = seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "door2"
    try:
        pair_station(folder.root, "Door 2", station_dir)
        assert str(StationFolder(station_dir).zone_or_none()) == "Asia/Hong_Kong"
        scanned = checkin_in_new_york(station_dir, people[0].code, "--json")
    finally:
        server.stop()
    assert scanned.returncode == 0, scanned.stderr
    assert log_offsets(station_dir) == {"+0800"}


def test_zone_is_unknown_before_a_list_and_never_creates_the_database(tmp_path: Path) -> None:
    folder = StationFolder(tmp_path / "fresh")
    assert folder.zone_or_none() is None
    assert not folder.db_path.exists()


def test_a_station_paired_but_without_a_list_shows_and_logs_hong_kong_time(tmp_path: Path) -> None:
    """Paired, then the server gone (SIGKILL) before the station ever held a ticket list: its
    first verdict and its log are on the event's clock, from what pairing told it."""
    folder = make_event(tmp_path / "event", capacity=20)
    people = seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "door3"
    try:
        pair_station(folder.root, "Door 3", station_dir)
    finally:
        server.kill()
    info = json.loads((station_dir / "station.json").read_text(encoding="utf-8"))
    assert info["timezone"] == "Asia/Hong_Kong"
    # as if the list's download had failed at join: the station has never held a list
    StationFolder(station_dir).db_path.unlink()
    assert str(StationFolder(station_dir).zone_or_none()) == "Asia/Hong_Kong"
    before = dt.datetime.now(HK)
    scanned = checkin_in_new_york(station_dir, people[0].code)
    after = dt.datetime.now(HK)
    assert scanned.returncode == 1, scanned.stdout + scanned.stderr  # no list: nobody admitted
    stamp = re.search(r" · Door 3 · (\d\d:\d\d:\d\d) · ", scanned.stdout)
    assert stamp is not None, scanned.stdout
    shown = dt.datetime.combine(before.date(), dt.time.fromisoformat(stamp.group(1)), HK)
    assert before.replace(microsecond=0) <= shown <= after, (shown, before, after)
    assert log_offsets(station_dir) == {"+0800"}
