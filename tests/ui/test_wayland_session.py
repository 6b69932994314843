"""The app on a real GNOME Wayland session: mutter 43 headless, two virtual monitors, XWayland.

The app is started with the variables a GNOME Wayland login sets (XDG_SESSION_TYPE=wayland,
WAYLAND_DISPLAY, DISPLAY, XDG_CURRENT_DESKTOP=GNOME) and no QT_QPA_PLATFORM. Before the fix
Qt picked its Wayland plugin, libvlc logged "bad X11 window" and played every film in a window
of its own on the laptop screen while the projector kept the holding slide.

What is measured: the stage's top-level X window (through XWayland: rootless XWayland gives no
pixels for its root window, so the window's own contents are read with ffmpeg's x11grab) sits
on the output mutter did not make primary and is filled with the film's colour while the film
plays; no window named "VLC media player" exists; the log says Qt runs on XWayland. Without
XWayland the console refuses with the way out and starts no supervisor or child.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from kiosk.desktop.outputs import read_mutter_outputs
from kiosk.media.generate import ClipSpec
from tests.conftest import SHORT_HOLDS
from tests.desktop_session import MutterSession, mutter_session, requires_mutter
from tests.film_cache import FilmCache

pytestmark = [requires_mutter, pytest.mark.vlc, pytest.mark.slow, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]
FILM_COLOUR = "#b01818"
MONITORS = [(1366, 768), (1920, 1080)]


def _pump(stream: Iterable[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def x_env(session: MutterSession) -> dict[str, str]:
    """For X tools talking to the session's XWayland."""
    assert session.x_display is not None
    return {
        "PATH": os.environ["PATH"],
        "DISPLAY": session.x_display,
        "XAUTHORITY": session.variables.get("XAUTHORITY", ""),
    }


def outputs(session: MutterSession) -> dict[str, tuple[bool, tuple[int, int, int, int]]]:
    """XWayland's RandR outputs: name -> (primary, (x, y, width, height))."""
    text = subprocess.run(
        ["xrandr", "--query"],
        env=x_env(session),
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    found = {}
    for match in re.finditer(r"^(\S+) connected (primary )?(\d+)x(\d+)\+(\d+)\+(\d+)", text, re.M):
        width, height, x, y = map(int, match.group(3, 4, 5, 6))
        found[match.group(1)] = (bool(match.group(2)), (x, y, width, height))
    return found


def top_level_windows(session: MutterSession) -> list[tuple[str, str, tuple[int, int, int, int]]]:
    """(id, name, absolute geometry) of the root window's children."""
    tree = subprocess.run(
        ["xwininfo", "-root", "-children"],
        env=x_env(session),
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    windows = []
    pattern = (
        r'^\s+(0x[0-9a-f]+) (".*?"|\(has no name\)).*?'
        r"(\d+)x(\d+)\+(-?\d+)\+(-?\d+)\s+\+(-?\d+)\+(-?\d+)"
    )
    for match in re.finditer(pattern, tree, re.M):
        width, height = int(match.group(3)), int(match.group(4))
        x, y = int(match.group(7)), int(match.group(8))
        windows.append((match.group(1), match.group(2).strip('"'), (x, y, width, height)))
    return windows


def grab_window(session: MutterSession, window_id: str, out: Path) -> QImage:
    """The window's own pixels (ffmpeg x11grab of one window)."""
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "x11grab", "-window_id", window_id,
         "-i", session.x_display or "", "-frames:v", "1", str(out)],
        env=x_env(session), check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return QImage(str(out))


def near(colour: QColor, hex_colour: str, tolerance: int = 40) -> bool:
    want = QColor(hex_colour)
    pairs = zip(
        (colour.red(), colour.green(), colour.blue()),
        (want.red(), want.green(), want.blue()),
        strict=True,
    )
    return all(abs(a - b) <= tolerance for a, b in pairs)


def rehearse_and_grab(
    session: MutterSession,
    clip: Path,
    tmp_path: Path,
    geometry: tuple[int, int, int, int],
    *args: str,
) -> tuple[str, QImage, list[tuple[str, str, tuple[int, int, int, int]]]]:
    """Run `rehearse` on the session; while the film plays, grab the top-level window that
    covers `geometry`. Returns (the log, the window's pixels, every top-level window)."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "-v", "--event", str(tmp_path / "none"),
         "rehearse", "--straight-cut", "--exit-at-end", *SHORT_HOLDS, *args, str(clip)],
        env=session.env(KIOSK_VLC_AOUT="dummy"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    log: list[str] = []
    image: QImage | None = None
    windows: list[tuple[str, str, tuple[int, int, int, int]]] = []
    deadline = time.monotonic() + 60
    while image is None and time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        log.append(line)
        if "R01" in line and "·" in line:  # the rehearsal's cue line: the film is up
            image, windows = grab_the_film(session, geometry, tmp_path / "projector.png", process)
    assert process.wait(60) == 0, "".join(log)
    while not lines.empty():
        log.append(lines.get())
    assert image is not None, "".join(log)
    return "".join(log), image, windows


def grab_the_film(
    session: MutterSession,
    geometry: tuple[int, int, int, int],
    out: Path,
    rehearsal: subprocess.Popen[str],
) -> tuple[QImage, list[tuple[str, str, tuple[int, int, int, int]]]]:
    """Once GO has been given: the top-level window covering `geometry` (there must be one),
    grabbed again until it shows the film or the rehearsal has ended; (its pixels, every
    top-level window). The film is up from its first picture, which a loaded machine can take
    seconds to reach (the holding slide stays up until then): in a loaded run the film was not
    up 3 s after GO, with the short hold that leaves the film less time to prime."""
    deadline = time.monotonic() + 30.0
    while True:
        windows = top_level_windows(session)
        stage = [w for w in windows if w[2] == geometry]
        assert stage, (geometry, windows)
        image = grab_window(session, stage[0][0], out)
        ended = rehearsal.poll() is not None or time.monotonic() > deadline
        if filled_with_the_film(image) or ended:
            return image, windows
        time.sleep(0.1)


def filled_with_the_film(image: QImage) -> bool:
    width, height = image.width(), image.height()
    corners = ((4, 4), (width - 5, 4), (4, height - 5), (width - 5, height - 5))
    return all(near(image.pixelColor(x, y), FILM_COLOUR) for x, y in corners)


@pytest.fixture
def film(tmp_path: Path, film_cache: FilmCache) -> Path:
    spec = ClipSpec(("Wayland",), 4.0, 320, 180, colour="0x" + FILM_COLOUR[1:])
    return film_cache.render(spec, tmp_path / "w.mp4")


@pytest.fixture(scope="module")
def wayland_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MutterSession]:
    """One GNOME Wayland session (mutter + XWayland, a laptop and a projector output) for the
    tests that only run films on it: each rehearsal is its own process and leaves nothing."""
    with mutter_session(tmp_path_factory.mktemp("wayland") / "session", MONITORS) as started:
        yield started


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (x11grab)")
def test_films_play_on_the_projector_output_and_nowhere_else(
    wayland_session: MutterSession, tmp_path: Path, film: Path
) -> None:
    session = wayland_session
    screens = outputs(session)
    assert len(screens) == 2, screens
    projector = next(geometry for primary, geometry in screens.values() if not primary)
    text, image, windows = rehearse_and_grab(session, film, tmp_path, projector)
    assert "Qt runs on XWayland (xcb)" in text
    assert "FILM OUTSIDE THE PROJECTOR WINDOW" not in text
    assert not [w for w in windows if "VLC" in w[1]], windows
    assert (image.width(), image.height()) == projector[2:]
    assert filled_with_the_film(image)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (x11grab)")
def test_a_screen_chosen_by_the_desktops_own_name_is_found(
    wayland_session: MutterSession, tmp_path: Path, film: Path
) -> None:
    session = wayland_session
    layout = read_mutter_outputs(session.bus.address)
    assert sorted(o.connector for o in layout) == ["Meta-0", "Meta-1"]
    primary = next(o for o in layout if o.primary)  # mutter's choice, not Qt's first screen
    screens = outputs(session)
    wanted = next(g for _, g in screens.values() if g[:2] == (primary.x, primary.y))
    text, image, _ = rehearse_and_grab(
        session, film, tmp_path, wanted, "--screen", primary.connector
    )
    assert f"{primary.connector}" in text and "screens by the compositor's names" in text
    assert (image.width(), image.height()) == wanted[2:]
    assert filled_with_the_film(image)


def test_without_xwayland_the_console_refuses_and_nothing_restarts_it(tmp_path: Path) -> None:
    with mutter_session(tmp_path / "session", MONITORS, xwayland=False) as session:
        assert session.x_display is None
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--event", str(tmp_path / "event")],
            env=session.env(KIOSK_SUPERVISOR="always"),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stderr is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stderr, lines), daemon=True).start()
        said: list[str] = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not any("apt install xwayland" in s for s in said):
            try:
                said.append(lines.get(timeout=0.2))
            except queue.Empty:
                assert process.poll() is None, "".join(said)
        text = "".join(said)
        assert "Films cannot be shown in this session" in text, text
        assert "X11 session" in text and "XWayland" in text
        time.sleep(1.0)  # the refusal dialog is up on the Wayland screen: nothing else runs
        assert process.poll() is None, text
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert children == [], "a supervisor or app child was started"
        process.send_signal(signal.SIGTERM)
        code = process.wait(15)
    assert code in (-signal.SIGTERM, 1), code  # ended by us, not by a crash (-11)
    assert not (tmp_path / "event").exists()  # nothing was built or opened
