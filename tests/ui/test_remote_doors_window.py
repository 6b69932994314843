"""The door window in station mode, against a real event server process on 127.0.0.1.

Online: the server decides, the header says "Online". The server is SIGKILLed: the next scan
is decided from the ticket list, the verdict carries the OFFLINE marker and so does the header,
at once; a server that hangs shows OFFLINE within a few seconds with nobody scanning, on the
check-in header and on the voting station's line alike.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.core.admissions import ScanResult
from kiosk.core.checkin import Verdict
from kiosk.station.link import ServerLink
from kiosk.station.remote_doors import CHECK_TIMEOUT_S, SYNC_INTERVAL_S, StationSync
from kiosk.station.setup import RemoteStation, open_station_at
from kiosk.ui.app import make_application
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.doors.remote_app import open_remote_doors, remote_voting_station
from kiosk.ui.doors.window import DoorsWindow
from tests.doors_helpers import make_event, seed_people
from tests.sqlite_helpers import connected
from tests.station_helpers import ServerProcess, pair_station, start_server

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
                ServerLink.for_station(credentials, timeout=10),  # about clocks, not speed
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


def _header_colour(window: DoorsWindow) -> QColor:
    """The colour of the header's link line, from the window's pixels: its text's most
    saturated pixel (green online, amber offline)."""
    label = window.link_label
    image = window.grab(label.geometry()).toImage()
    best = QColor(0, 0, 0)
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            colour = QColor(image.pixel(x, y))
            if colour.hsvSaturation() * colour.value() > best.hsvSaturation() * best.value():
                best = colour
    return best


def _hang_until_offline(qtbot: QtBot, server: ServerProcess, line: QLabel, what: str) -> None:
    """Freeze the server (SIGSTOP: it accepts connections and never answers) and wait for
    ``line`` to say OFFLINE · 離線: within one sync round, the check's timeout and slack for
    a loaded machine."""
    server.proc.send_signal(signal.SIGSTOP)
    hung_at = time.monotonic()
    qtbot.waitUntil(lambda: "OFFLINE" in line.text(), timeout=15000)
    took_s = time.monotonic() - hung_at
    print(f"hung server: {what} OFFLINE after {took_s:.2f} s")
    assert took_s < SYNC_INTERVAL_S + CHECK_TIMEOUT_S + 2.5, took_s
    assert "離線" in line.text()


def _is_green(colour: QColor) -> bool:
    return colour.green() > 120 and colour.red() < 110


def _is_amber(colour: QColor) -> bool:
    return colour.red() > 180 and colour.green() > 100 and colour.blue() < 110


@pytest.mark.serial  # measures how soon the screen says OFFLINE
def test_the_header_says_offline_as_soon_as_the_server_hangs_or_dies(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The station's own sync running, as on the night: a server that hangs (SIGSTOP) shows
    OFFLINE in the header within a few seconds with nobody scanning (the link check has a
    short timeout of its own); back (SIGCONT), the header says Online again; killed (SIGKILL),
    the header already says OFFLINE when the offline verdict of the next scan is shown."""
    folder = make_event(tmp_path / "event", capacity=50)
    people = seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "door"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        station, window = _station_window(qtbot, folder.root, station_dir, "Door 6")
        station.sync.start()
        qtbot.waitUntil(lambda: "Online" in window.link_label.text(), timeout=10000)
        window.grab().save(str(SCREENSHOTS / "doors-station-header-1-online.png"))
        assert _is_green(_header_colour(window)), _header_colour(window).name()

        _hang_until_offline(qtbot, server, window.link_label, "door header")
        assert _is_amber(_header_colour(window)), _header_colour(window).name()

        server.proc.send_signal(signal.SIGCONT)
        qtbot.waitUntil(lambda: "Online" in window.link_label.text(), timeout=15000)

        seen: dict[str, str] = {}
        window.answered.connect(lambda _answer: seen.setdefault("header", window.link_label.text()))
        server.kill()
        offline = scan(qtbot, window, people[0].code)
        assert offline.offline and offline.verdict is Verdict.ADMITTED
        assert "OFFLINE" in seen["header"], seen  # agreed before the verdict was on screen
        window.grab().save(str(SCREENSHOTS / "doors-station-header-2-killed-verdict.png"))
        qtbot.waitUntil(lambda: window.in_tile.value.text() == "1", timeout=10000)
        window.overlay.dismiss()
        assert "OFFLINE" in window.link_label.text() and "1 to upload" in window.link_label.text()
        assert _is_amber(_header_colour(window)), _header_colour(window).name()
        window.grab().save(str(SCREENSHOTS / "doors-station-header-3-offline.png"))
        window.close()
        station.close()
    finally:
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGCONT)
            server.kill()


@pytest.mark.serial  # measures how soon the screen says OFFLINE
def test_the_voting_screen_says_offline_as_soon_as_the_server_hangs(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The same station in voting mode: a hung server (SIGSTOP) turns its line red, OFFLINE
    and "no ballot can be cast", within a few seconds and with nobody at the station."""
    folder = make_event(tmp_path / "event", capacity=50)
    seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "vote"
    try:
        pair_station(folder.root, "Vote 2", station_dir)
        make_application()
        station = open_station_at(station_dir)
        voting = remote_voting_station(station)
        qtbot.addWidget(voting)
        voting.resize(1366, 768)
        voting.show()
        qtbot.waitExposed(voting)
        station.sync.start()
        qtbot.waitUntil(lambda: "Online" in voting.link_label.text(), timeout=10000)
        _hang_until_offline(qtbot, server, voting.link_label, "voting line")
        image = voting.grab(voting.link_label.geometry()).toImage()
        reds = sum(
            1
            for y in range(0, image.height(), 2)
            for x in range(0, image.width(), 2)
            if (c := QColor(image.pixel(x, y))).red() > 180 and c.green() < 110
        )
        assert reds > 20, reds  # the line is drawn in red
        voting.grab().save(str(SCREENSHOTS / "voting-station-hung-server-offline.png"))
        voting.close()
        server.proc.send_signal(signal.SIGCONT)
        voting.finish(10.0)  # as the station closes: the close reaches the server, the thread ends
        assert isinstance(voting.runner, SerialWorker) and not voting.runner.running
        station.close()
    finally:
        server.proc.send_signal(signal.SIGCONT)
        server.kill()


@pytest.mark.serial  # measures how long the window is held
def test_find_never_holds_the_window_while_the_server_hangs(qtbot: QtBot, tmp_path: Path) -> None:
    """A paired station's Find asks the server: with the server frozen (SIGSTOP) that takes
    the scan timeout. The search runs on the door window's reader, so the window goes on at
    once; the answer comes from the station's list, and the header says OFFLINE."""
    folder = make_event(tmp_path / "event", capacity=50)
    people = seed_people(folder)
    server = start_server(folder.root)
    station_dir = tmp_path / "door"
    try:
        station, window = _station_window(qtbot, folder.root, station_dir, "Door 7")
        assert station.sync.sync_once()
        window.poll()
        assert "Online" in window.link_label.text()
        server.proc.send_signal(signal.SIGSTOP)
        panel = window.search_panel
        panel.query.setText(people[0].name)
        began = time.monotonic()
        panel.run_search()
        held_s = time.monotonic() - began
        print(f"Find with the server frozen: the window held {held_s * 1000:.1f} ms")
        assert held_s < 0.3, held_s  # the server's answer would take the 1 s scan timeout
        assert panel.busy
        qtbot.waitUntil(lambda: not panel.busy, timeout=15000)
        first = panel.table.item(0, 0)
        assert first is not None and people[0].name in first.text()  # from the station's list
        assert "OFFLINE" in window.link_label.text()
        window.close()
        station.close()
    finally:
        server.proc.send_signal(signal.SIGCONT)
        server.kill()
