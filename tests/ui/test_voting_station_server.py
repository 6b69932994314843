"""A paired door station in voting mode, against a real event server, under Xvfb at 1366x768.

Real processes: `serve` and `--station-dir DIR doors --vote` (the voting station window, the
same command an usher runs). Real X events: the ticket typed as a wedge scanner types it
(xdotool `type` + Return), the film tile and the confirm button clicked with the X pointer.
The ballot lands in the event database through the server; the server SIGKILLed, a scan says
that voting needs the server and records nothing; the server back, the next voter votes.
Screenshots in build/screenshots/voting-station-server-*.png.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from kiosk.services.vote import count_vote
from tests.results_helpers import PASSPHRASE
from tests.station_helpers import MAIN, ROOT, pair_station, run_cli, start_server
from tests.vote_helpers import add_stills, make_voting_event
from tests.xvfb import qt_env, requires_xvfb, screenshot, xvfb_display

XDOTOOL = shutil.which("xdotool")
SCREENSHOTS = ROOT / "build" / "screenshots"
WIDTH, HEIGHT = 1366, 768

pytestmark = [
    requires_xvfb,
    pytest.mark.slow,
    pytest.mark.serial,  # the scanner burst is told from typing by its key timing
    pytest.mark.skipif(
        XDOTOOL is None or not shutil.which("ffmpeg"), reason="needs xdotool and ffmpeg"
    ),
]


def xdotool(display: str, *args: str) -> str:
    done = subprocess.run(
        [XDOTOOL or "xdotool", *args],
        env=qt_env(display),
        check=True,
        timeout=30,
        capture_output=True,
        text=True,
    )
    return done.stdout


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def voters(event_dir: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(event_dir / "event.db") as conn:
        return conn.execute("SELECT attendee_id, channel FROM vote_voters").fetchall()


def shot(display: str, name: str) -> QImage:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = screenshot(display, SCREENSHOTS / f"voting-station-server-{name}.png")
    image = QImage(str(path))
    assert image.width() == WIDTH and image.height() == HEIGHT
    return image


def raised_runs(image: QImage, x: int, y_from: int = 0) -> list[tuple[int, int]]:
    """Vertical runs (start, end) at column x of pixels lighter than the window background:
    the buttons (the background is #15171c; buttons are drawn lighter)."""
    background = QColor("#15171c")
    runs: list[tuple[int, int]] = []
    start = None
    for y in range(y_from, image.height()):
        colour = image.pixelColor(x, y)
        here = (colour.red(), colour.green(), colour.blue())
        behind = (background.red(), background.green(), background.blue())
        lighter = sum(abs(a - b) for a, b in zip(here, behind, strict=True)) > 12
        if lighter and start is None:
            start = y
        elif not lighter and start is not None:
            if y - start >= 40:
                runs.append((start, y))
            start = None
    if start is not None and image.height() - start >= 40:
        runs.append((start, image.height()))
    return runs


def window_shown(display: str) -> bool:
    found = subprocess.run(
        [XDOTOOL or "xdotool", "search", "--name", "Voting station"],
        env=qt_env(display),
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(found.stdout.strip())


def click(display: str, x: int, y: int) -> None:
    xdotool(display, "mousemove", "--sync", str(x), str(y))
    xdotool(display, "click", "1")


def scan(display: str, code: str) -> None:
    """A wedge scanner: the code key by key (Shift for capitals), then Return."""
    xdotool(display, "type", "--delay", "12", code)
    xdotool(display, "key", "Return")


def test_voting_station_against_a_real_server(tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event", admitted=4, absent=1)
    add_stills(voting)
    event_dir = voting.folder.root
    station_dir = tmp_path / "vote1"
    server = start_server(event_dir)
    port = server.port
    pair_station(event_dir, "Vote 1", station_dir)
    assert run_cli("--event", str(event_dir), "vote", "open").returncode == 0
    try:
        with xvfb_display(WIDTH, HEIGHT) as display:
            station = subprocess.Popen(
                [sys.executable, str(MAIN), "--station-dir", str(station_dir), "doors", "--vote"],
                env=qt_env(display),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            try:
                wait_for(lambda: window_shown(display), 30, "the voting station window")
                time.sleep(2.5)  # the sync's first round: the line says online
                shot(display, "1-scan")

                first = voting.admitted[0]
                scan(display, first.code)
                time.sleep(4)  # check + the film list with its thumbnails from the server
                films = shot(display, "2-films")
                tiles = raised_runs(films, 24 + (WIDTH - 48) // 8, 150)
                assert tiles, "no film tile on screen"
                tile_y = (tiles[0][0] + tiles[0][1]) // 2
                click(display, 24 + (WIDTH - 48) // 8, tile_y)  # the first film, QZ-WIN-01
                time.sleep(1)
                confirm = shot(display, "3-confirm")
                buttons = raised_runs(confirm, WIDTH // 2, HEIGHT // 2)
                assert len(buttons) >= 2, buttons  # "Cast my vote" above "Choose again"
                cast_y = (buttons[-2][0] + buttons[-2][1]) // 2
                click(display, WIDTH // 2, cast_y)
                wait_for(lambda: len(voters(event_dir)) == 1, 15, "the ballot in the database")
                assert voters(event_dir) == [(first.attendee_id, "Vote 1")]
                shot(display, "4-thanks")
                time.sleep(3.5)  # the thank-you fades back to scanning

                scan(display, first.code)  # the same ticket again
                time.sleep(1.5)
                shot(display, "5-already-voted")

                server.kill()  # SIGKILL: the station must say that voting needs the server
                time.sleep(1.0)
                scan(display, voting.admitted[1].code)
                time.sleep(2)
                shot(display, "6-server-gone")
                assert len(voters(event_dir)) == 1

                server = start_server(event_dir, port=port)
                time.sleep(3)  # the station sees the server again
                scan(display, voting.admitted[1].code)
                time.sleep(3)
                again = shot(display, "7-back-films")
                tiles = raised_runs(again, 24 + (WIDTH - 48) // 8, 150)
                click(display, 24 + (WIDTH - 48) // 8, (tiles[0][0] + tiles[0][1]) // 2)
                time.sleep(1)
                buttons = raised_runs(shot(display, "8-confirm"), WIDTH // 2, HEIGHT // 2)
                click(display, WIDTH // 2, (buttons[-2][0] + buttons[-2][1]) // 2)
                wait_for(lambda: len(voters(event_dir)) == 2, 15, "the second ballot")
                shot(display, "9-thanks")
            finally:
                station.terminate()
                try:
                    station.wait(15)
                except subprocess.TimeoutExpired:
                    station.kill()
                    station.wait(5)
    finally:
        server.stop()
    log_text = "\n".join(p.read_text() for p in (station_dir / "logs").glob("*.log"))
    assert "voting: the server did not answer" in log_text
    tally = count_vote(voting.folder, [PASSPHRASE])
    assert tally.ballots == 2 and dict(tally.counts) == {"QZ-WIN-01": 2}


def test_voting_station_on_the_event_folder(tmp_path: Path) -> None:
    """The same window on the local event folder (`doors --vote`), its work on a worker
    thread: scan, tap, confirm with real X events; the ballot is in the database."""
    voting = make_voting_event(tmp_path / "event", admitted=2, absent=1)
    add_stills(voting)
    event_dir = voting.folder.root
    assert run_cli("--event", str(event_dir), "vote", "open").returncode == 0
    with xvfb_display(WIDTH, HEIGHT) as display:
        command = [sys.executable, str(MAIN), "--event", str(event_dir), "doors"]
        station = subprocess.Popen(
            [*command, "--station", "Vote 2", "--vote"],
            env=qt_env(display),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            wait_for(lambda: window_shown(display), 30, "the voting station window")
            time.sleep(1.5)
            scan(display, voting.absent[0].code)
            time.sleep(1.5)
            shot(display, "local-1-not-admitted")
            scan(display, voting.admitted[0].code)
            time.sleep(4)  # the thumbnails are made on the worker thread
            films = shot(display, "local-2-films")
            x = 24 + (WIDTH - 48) // 8
            tiles = raised_runs(films, x, 150)
            click(display, x, (tiles[1][0] + tiles[1][1]) // 2)  # second row: QZ-WIN-04
            time.sleep(1)
            buttons = raised_runs(shot(display, "local-3-confirm"), WIDTH // 2, HEIGHT // 2)
            click(display, WIDTH // 2, (buttons[-2][0] + buttons[-2][1]) // 2)
            wait_for(lambda: len(voters(event_dir)) == 1, 15, "the ballot in the database")
            shot(display, "local-4-thanks")
        finally:
            station.terminate()
            try:
                station.wait(15)
            except subprocess.TimeoutExpired:
                station.kill()
                station.wait(5)
    assert voters(event_dir) == [(voting.admitted[0].attendee_id, "Vote 2")]
    assert dict(count_vote(voting.folder, [PASSPHRASE]).counts) == {"QZ-WIN-04": 1}
