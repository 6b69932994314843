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
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from kiosk.ui.common.theme import Colours
from kiosk.ui.doors.voting_station import THANKS_MS
from tests.results_helpers import PASSPHRASE
from tests.sqlite_helpers import connected
from tests.station_helpers import MAIN, ROOT, pair_station, run_cli, start_server
from tests.vote_helpers import add_stills, make_voting_event, open_vote
from tests.xvfb import qt_env, requires_xvfb, screenshot, wait_for_input_focus, xvfb_display

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
    with connected(event_dir / "event.db") as conn:
        return conn.execute("SELECT attendee_id, channel FROM vote_voters").fetchall()


def shot(display: str, name: str) -> QImage:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = screenshot(display, SCREENSHOTS / f"voting-station-server-{name}.png")
    image = QImage(str(path))
    assert image.width() == WIDTH and image.height() == HEIGHT
    return image


Runs = list[tuple[int, int]]


def screen_when(
    display: str, name: str, runs: Callable[[QImage], Runs], timeout_s: float = 30
) -> Runs:
    """Screenshots until `runs(image)` finds what it looks for and finds it at the same place
    in two shots in a row (the layout has settled: a late thumbnail could still move the
    tiles); returns those runs. The last shot is kept as `name`."""
    deadline = time.monotonic() + timeout_s
    before: Runs = []
    while True:
        found = runs(shot(display, name))
        if found and found == before:
            return found
        assert time.monotonic() < deadline, f"the station never showed {name}"
        before = found
        time.sleep(0.2)


def said_on_screen(display: str, name: str) -> None:
    """Screenshots until one shows the refusal in red, in two lines (kept as `name`)."""
    wait_for(lambda: bool(red_lines(shot(display, name))), 15, f"the refusal on screen ({name})")


TILE_X = 24 + (WIDTH - 48) // 8  # the first column of film tiles


def film_tiles(image: QImage) -> Runs:
    return raised_runs(image, TILE_X, 150)


def confirm_buttons(image: QImage) -> Runs:
    """ "Cast my vote" above "Choose again" (empty until both are there)."""
    buttons = raised_runs(image, WIDTH // 2, HEIGHT // 2)
    return buttons if len(buttons) >= 2 else []


def station_log(station_dir: Path) -> str:
    return "\n".join(p.read_text() for p in (station_dir / "logs").glob("*.log"))


def refused(log_dir: Path, verdict: str) -> Callable[[], bool]:
    """Whether the station's log says it refused a scan with `verdict`."""
    return lambda: f"scan refused ({verdict})" in station_log(log_dir)


def red_lines(image: QImage) -> Runs:
    """Runs of rows (start, end) holding text in the refusal's red (`Colours.bad`): a
    bilingual refusal is two lines or more (empty while there is none)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(HEIGHT, rgb.bytesPerLine())
    pixels = rows[:, : WIDTH * 3].reshape(HEIGHT, WIDTH, 3).astype(np.int16)
    red = Colours.bad
    distance = np.abs(pixels - np.array([red.red(), red.green(), red.blue()])).sum(axis=2)
    lit = np.flatnonzero((distance < 60).sum(axis=1) >= 3)
    runs: Runs = []
    for y in lit.tolist():
        if runs and y - runs[-1][1] <= 2:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs if len(runs) >= 2 else []


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


def voting_window(display: str) -> str:
    """The voting station window's id ("" until it is mapped)."""
    found = subprocess.run(
        [XDOTOOL or "xdotool", "search", "--onlyvisible", "--name", "Voting station"],
        env=qt_env(display),
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.split()[0] if found.stdout.strip() else ""


def wait_until_scannable(display: str) -> None:
    """The voting station is on the screen and has the keyboard (where a wedge scanner
    types)."""
    wait_for(lambda: bool(voting_window(display)), 30, "the voting station window")
    wait_for_input_focus(display, voting_window(display), 30)


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
                wait_until_scannable(display)
                shot(display, "1-scan")

                first = voting.admitted[0]
                scan(display, first.code)
                # check + the film list with its thumbnails from the server
                tiles = screen_when(display, "2-films", film_tiles)
                tile_y = (tiles[0][0] + tiles[0][1]) // 2
                click(display, TILE_X, tile_y)  # the first film, QZ-WIN-01
                buttons = screen_when(display, "3-confirm", confirm_buttons)
                cast_y = (buttons[-2][0] + buttons[-2][1]) // 2
                click(display, WIDTH // 2, cast_y)
                wait_for(lambda: len(voters(event_dir)) == 1, 15, "the ballot in the database")
                assert voters(event_dir) == [(first.attendee_id, "Vote 1")]
                shot(display, "4-thanks")
                time.sleep(THANKS_MS / 1000 + 0.3)  # the thank-you fades back to scanning

                scan(display, first.code)  # the same ticket again
                wait_for(refused(station_dir, "already_voted"), 15, "the second ballot refused")
                said_on_screen(display, "5-already-voted")

                server.kill()  # SIGKILL (and reaped): the station must say voting needs it
                scan(display, voting.admitted[1].code)
                wait_for(
                    lambda: "voting: the server did not answer" in station_log(station_dir),
                    30,
                    "the station to find the server gone",
                )
                shot(display, "6-server-gone")
                assert len(voters(event_dir)) == 1

                server = start_server(event_dir, port=port)
                wait_for(  # the station's sync sees the server again
                    lambda: (
                        "is now online" in station_log(station_dir).rpartition("is now OFFLINE")[2]
                    ),
                    30,
                    "the station to find the server back",
                )
                scan(display, voting.admitted[1].code)
                tiles = screen_when(display, "7-back-films", film_tiles)
                click(display, TILE_X, (tiles[0][0] + tiles[0][1]) // 2)
                buttons = screen_when(display, "8-confirm", confirm_buttons)
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
    assert "voting: the server did not answer" in station_log(station_dir)
    tally = open_vote(voting.folder).count([PASSPHRASE])
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
            wait_until_scannable(display)
            scan(display, voting.absent[0].code)
            wait_for(refused(event_dir, "not_checked_in"), 15, "the absent ticket refused")
            said_on_screen(display, "local-1-not-admitted")
            scan(display, voting.admitted[0].code)
            # the thumbnails are made on the worker thread
            tiles = screen_when(display, "local-2-films", film_tiles)
            click(display, TILE_X, (tiles[1][0] + tiles[1][1]) // 2)  # second row: QZ-WIN-04
            buttons = screen_when(display, "local-3-confirm", confirm_buttons)
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
    assert dict(open_vote(voting.folder).count([PASSPHRASE]).counts) == {"QZ-WIN-04": 1}
