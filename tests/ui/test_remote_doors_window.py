"""The door window in station mode, against a real event server process on 127.0.0.1.

Online: the server decides, the header says "Online". The server is SIGKILLed: the next scan
is decided from the ticket list, the verdict carries the OFFLINE marker and so does the header.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from kiosk.core.admissions import ScanResult
from kiosk.core.checkin import Verdict
from kiosk.station.link import ServerLink
from kiosk.station.remote_doors import StationSync
from kiosk.station.setup import RemoteStation, open_station_at
from kiosk.ui.app import make_application
from kiosk.ui.doors.remote_app import open_remote_doors
from kiosk.ui.doors.window import DoorsWindow
from tests.doors_helpers import make_event, seed_people
from tests.sqlite_helpers import connected
from tests.station_helpers import pair_station, start_server

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

pytestmark = pytest.mark.slow


def scan(qtbot: QtBot, window: DoorsWindow, code: str) -> ScanResult:
    """A scan, answered by the desk's worker thread (the server may take up to its timeout)."""
    with qtbot.waitSignal(window.answered, timeout=10000) as blocker:
        window.handle_code(code, "scan")
    result = blocker.args[0]
    assert isinstance(result, ScanResult), result
    return result


def _station_window(
    qtbot: QtBot, event_dir: Path, station_dir: Path, name: str
) -> tuple[RemoteStation, DoorsWindow]:
    """Pair ``name`` with the running server and open its door window at 1366x768."""
    pair_station(event_dir, name, station_dir)
    make_application()
    station = open_station_at(station_dir)
    window = open_remote_doors(station, camera=None, with_sound=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return station, window


def test_station_window_online_then_offline(qtbot: QtBot, tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event", capacity=50)
    people = seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "door"
    try:
        station, window = _station_window(qtbot, folder.root, station_dir, "Door 3")
        assert station.sync.sync_once()  # figures from the server
        window.poll()
        assert "Online" in window.link_label.text()

        online = scan(qtbot, window, people[0].code)
        assert online.verdict is Verdict.ADMITTED and not online.offline
        server.kill()
        offline = scan(qtbot, window, people[1].code)
        assert offline.verdict is Verdict.ADMITTED and offline.offline
        window.refresh_link()
        header = window.link_label.text()
        assert "OFFLINE" in header and "1 to upload" in header
        image = window.grab().toImage()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        image.save(str(SCREENSHOTS / "doors-station-offline-verdict.png"))
        green = QColor(image.pixel(image.width() // 4, int(image.height() * 0.5)))
        assert green.green() > 120 and green.red() < 80
        again = scan(qtbot, window, people[0].code)  # admitted online before the cut
        assert again.verdict is Verdict.ALREADY_CHECKED_IN
        window.overlay.dismiss()
        window.refresh_all()
        assert window.in_tile.value.text() == "2"  # one online, one offline: both in
        assert sum(bucket.count for bucket in station.doors.arrivals(5)) == 2
        window.grab().save(str(SCREENSHOTS / "doors-station-offline-header.png"))
        window.resize(1920, 1080)
        window.grab().save(str(SCREENSHOTS / "doors-station-offline-1920.png"))

        server = start_server(folder.root, port=station.doors.credentials.port)
        assert station.sync.sync_once()
        window.refresh_link()
        assert "Online" in window.link_label.text()
        window.close()
        station.close()
    finally:
        server.stop()
    with connected(folder.root / "event.db") as conn:
        rows = conn.execute(
            "SELECT attendee_id, station FROM checkins WHERE annulled_at IS NULL ORDER BY id"
        ).fetchall()
    assert rows == [(people[0].attendee_id, "Door 3"), (people[1].attendee_id, "Door 3")]


def test_a_station_whose_clock_is_7_minutes_off_says_so_in_its_header(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = make_event(tmp_path / "event", capacity=50)
    seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "door"
    try:
        station, window = _station_window(qtbot, folder.root, station_dir, "Door 5")
        station.sync.stop()  # this test runs the sync rounds itself, with its own clocks
        credentials = station.doors.credentials

        def sync_with(offset: dt.timedelta) -> StationSync:
            return StationSync(
                station.doors,
                station.doors.store,
                ServerLink.for_station(credentials),
                clock=lambda: dt.datetime.now(dt.UTC) + offset,
            )

        assert sync_with(-dt.timedelta(minutes=7)).sync_once()  # 7 minutes behind the server
        window.refresh_link()
        header = window.link_label.text()
        assert "7 min behind the server's" in header and "慢 7 分鐘" in header
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SCREENSHOTS / "doors-station-clock-behind.png"))
        assert sync_with(dt.timedelta(0)).sync_once()  # the clock set right: the warning goes
        window.refresh_link()
        assert "behind" not in window.link_label.text()
        window.close()
        station.close()
    finally:
        server.kill()


def test_a_station_without_a_list_yet_shows_hong_kong_time(qtbot: QtBot, tmp_path: Path) -> None:
    """Paired, then the server gone (SIGKILL) before any ticket list: the first verdict's line
    in the window is on the event's clock, told at pairing (not UTC)."""
    folder = make_event(tmp_path / "event", capacity=50)
    people = seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "door"
    try:
        pair_station(folder.root, "Door 4", station_dir)
    finally:
        server.kill()
    (station_dir / "station.db").unlink()  # as if the list's download had failed at join
    make_application()
    station = open_station_at(station_dir)
    window = open_remote_doors(station, camera=None, with_sound=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    hong_kong = dt.timezone(dt.timedelta(hours=8))
    before = dt.datetime.now(hong_kong).strftime("%H:%M")
    result = scan(qtbot, window, people[0].code)
    after = dt.datetime.now(hong_kong).strftime("%H:%M")
    assert result.offline and not result.verdict.admits  # no list: nobody is admitted
    line = window.history.item(0).text()
    assert line[:5] in {before, after}, (line, before, after)
    window.overlay.dismiss()  # the window under the verdict: its recent scans, on HK time
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "doors-station-no-list-hk-time.png"))
    window.close()
    station.close()
