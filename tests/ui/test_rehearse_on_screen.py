"""`rehearse` on a real X display: the real stage fullscreen, libvlc drawing into it."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from kiosk.media.generate import ClipSpec
from tests.conftest import SHORT_HOLDS
from tests.film_cache import FilmCache
from tests.xvfb import qt_env, requires_xvfb, screenshot, xvfb_display

pytestmark = [requires_xvfb, pytest.mark.vlc, pytest.mark.slow, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]


def _pump(stream: Iterable[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


COLOURS = ("#a02020", "#1e8a3c")


def near(colour: QColor, hex_colour: str, tolerance: int = 40) -> bool:
    want = QColor(hex_colour)
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(
            (colour.red(), colour.green(), colour.blue()),
            (want.red(), want.green(), want.blue()),
            strict=True,
        )
    )


def filled(image: QImage, colour: str) -> bool:
    """Every corner shows the film's own background: fullscreen, no desktop, no frame."""
    corners = ((3, 3), (796, 3), (3, 300), (796, 300))
    return all(near(image.pixelColor(x, y), colour) for x, y in corners)


def screen_once(display: str, path: Path, colour: str) -> QImage:
    """The screen once the film of `colour` fills it, or the last shot within the film's
    3 seconds (the test's assertions then say what was wrong)."""
    deadline = time.monotonic() + 2.5
    while True:
        image = QImage(str(screenshot(display, path)))
        if filled(image, colour) or time.monotonic() > deadline:
            return image
        time.sleep(0.05)


def test_rehearsal_fills_the_projector_with_the_films(
    tmp_path: Path, film_cache: FilmCache
) -> None:
    clips = [
        film_cache.render(
            ClipSpec((f"Clip {n}",), 3.0, 640, 360, colour="0x" + c[1:]), tmp_path / f"{n}.mp4"
        )
        for n, c in enumerate(COLOURS, start=1)
    ]
    with xvfb_display(800, 450) as display:
        rehearse = ["rehearse", "--straight-cut", "--exit-at-end", *SHORT_HOLDS, *map(str, clips)]
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--event", str(tmp_path / "none"), *rehearse],
            env=qt_env(display, KIOSK_VLC_AOUT="dummy", KIOSK_VLC_VOUT="xcb_x11"),
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        assert process.stderr is not None
        stream = process.stderr
        threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()
        seen: dict[str, QImage] = {}
        deadline = time.monotonic() + 60
        while len(seen) < 2 and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            for film, colour in zip(("R01", "R02"), COLOURS, strict=True):
                if film in line:  # the film is up: screenshots until it fills the screen
                    seen[film] = screen_once(display, tmp_path / f"{film}.png", colour)
        assert process.wait(60) == 0
    assert set(seen) == {"R01", "R02"}
    for film, colour in zip(("R01", "R02"), COLOURS, strict=True):
        image = seen[film]
        assert (image.width(), image.height()) == (800, 450)
        assert filled(image, colour), (film, [image.pixelColor(3, 3), image.pixelColor(796, 300)])
