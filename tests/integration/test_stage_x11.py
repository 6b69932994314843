"""The stage window on a real X display (Xvfb + openbox): console and projector side by side.

The stage must cover every pixel of the projector screen, hide the pointer, leave the keyboard
with the console, stay out of the taskbar, and follow its screen when it is unplugged.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from kiosk.store.event_folder import EventFolder
from tests.xvfb import Monitor, qt_child, requires_xvfb, screenshot, xvfb_display

pytestmark = [requires_xvfb, pytest.mark.slow]

SCRIPT = "from tests.integration.stage_child import main; main()"
CONSOLE = Monitor("CONSOLE", 1920, 1080)
PROJECTOR = Monitor("PROJECTOR", 1920, 1080, 1920)


class _CursorImage(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_short),
        ("y", ctypes.c_short),
        ("width", ctypes.c_ushort),
        ("height", ctypes.c_ushort),
        ("xhot", ctypes.c_ushort),
        ("yhot", ctypes.c_ushort),
        ("cursor_serial", ctypes.c_ulong),
        ("pixels", ctypes.POINTER(ctypes.c_ulong)),
        ("atom", ctypes.c_ulong),
        ("name", ctypes.c_char_p),
    ]


def visible_cursor_pixels(display: str) -> int:
    """How many pixels of the pointer the X server would draw now (XFixes cursor image)."""
    xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    xfixes = ctypes.CDLL(ctypes.util.find_library("Xfixes") or "libXfixes.so.3")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xlib.XFree.argtypes = [ctypes.c_void_p]
    xfixes.XFixesGetCursorImage.restype = ctypes.POINTER(_CursorImage)
    xfixes.XFixesGetCursorImage.argtypes = [ctypes.c_void_p]
    connection = xlib.XOpenDisplay(display.encode())
    assert connection, f"cannot open {display}"
    try:
        image = xfixes.XFixesGetCursorImage(connection)
        assert image, "no XFixes cursor image"
        cursor = image.contents
        count = cursor.width * cursor.height
        opaque = sum(1 for i in range(count) if (cursor.pixels[i] >> 24) & 0xFF)
        xlib.XFree(image)
        return opaque
    finally:
        xlib.XCloseDisplay(connection)


def xprop(display: str, *args: str) -> str:
    """Output of `xprop` on `display`."""
    return subprocess.run(
        ["xprop", "-display", display, *args], capture_output=True, text=True, check=True
    ).stdout


def region(image: QImage, monitor: Monitor) -> QImage:
    """The part of a root screenshot that one monitor shows."""
    return image.copy(monitor.x, monitor.y, monitor.width, monitor.height)


def non_black_pixels(image: QImage, step: int = 1) -> int:
    """Pixels that are not pure black (every `step`-th pixel of every `step`-th row)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    count = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            if image.pixel(x, y) & 0xFFFFFF:
                count += 1
    return count


@pytest.fixture(scope="module")
def stage_and_console(
    tmp_path_factory: pytest.TempPathFactory, demo_event_template: Path
) -> Iterator[dict[str, Any]]:
    """The stage (showing black) and a console on a two-monitor Xvfb, set up once."""
    shots = tmp_path_factory.mktemp("stage-x11")
    with (
        xvfb_display(3840, 1080, monitors=[CONSOLE, PROJECTOR]) as display,
        qt_child(display, SCRIPT, "cover", str(EventFolder(demo_event_template).root)) as (
            _process,
            line,
        ),
    ):
        report = json.loads(line.removeprefix("READY "))
        shot = QImage(str(screenshot(display, shots / "root.png")))
        yield {
            "display": display,
            "report": report,
            "shot": shot,
            "cursor_pixels": visible_cursor_pixels(display),
            "active": xprop(display, "-root", "_NET_ACTIVE_WINDOW"),
            "stage_props": xprop(display, "-id", str(report["stage_wid"])),
        }


def test_stage_covers_every_pixel_of_the_projector(stage_and_console: dict[str, Any]) -> None:
    shot = stage_and_console["shot"]
    assert (shot.width(), shot.height()) == (3840, 1080)
    # the stage shows black: any other pixel would be desktop, a border or a gap
    assert non_black_pixels(region(shot, PROJECTOR)) == 0
    # and the console is still visible on its own screen (the capture is real)
    assert non_black_pixels(region(shot, CONSOLE), step=8) > 10_000
    start = stage_and_console["report"]["start"]
    print(f"the stage covered the projector {start['settle_ms']} ms after start()")
    assert start["screen"] == "PROJECTOR"
    assert start["geometry"] == [1920, 0, 1920, 1080]
    assert start["full_screen"]


def test_console_keeps_the_keyboard(stage_and_console: dict[str, Any]) -> None:
    report = stage_and_console["report"]
    assert report["console_has_focus"]
    for moment in ("start", "unplugged", "replugged"):
        assert report[moment]["focus"] == "console", moment
        assert not report[moment]["stage_active"], moment
    active = int(stage_and_console["active"].split()[-1], 16)
    assert active == report["console_wid"]


def test_stage_stays_out_of_the_taskbar_and_accepts_no_focus(
    stage_and_console: dict[str, Any],
) -> None:
    props = stage_and_console["stage_props"]
    assert "accepts input or input focus: False" in props  # WM_HINTS
    for moment in ("start", "unplugged", "replugged"):
        state = stage_and_console["report"][moment]["net_wm_state"]
        for atom in ("FULLSCREEN", "SKIP_TASKBAR", "SKIP_PAGER"):
            assert f"_NET_WM_STATE_{atom}" in state, (moment, state)


def test_pointer_is_invisible_over_the_stage(stage_and_console: dict[str, Any]) -> None:
    assert stage_and_console["report"]["cursors"] == ["BlankCursor"]
    assert stage_and_console["cursor_pixels"] == 0


def test_stage_follows_its_screen_when_unplugged_and_back(
    stage_and_console: dict[str, Any],
) -> None:
    report = stage_and_console["report"]
    print(
        f"moved in {report['unplugged']['settle_ms']} ms (unplugged), "
        f"{report['replugged']['settle_ms']} ms (replugged)"
    )
    assert report["unplugged"]["screen"] == "CONSOLE"
    assert report["unplugged"]["geometry"] == [0, 0, 1920, 1080]
    assert report["unplugged"]["full_screen"]
    assert report["replugged"]["screen"] == "PROJECTOR"
    assert report["replugged"]["geometry"] == [1920, 0, 1920, 1080]
    assert report["replugged"]["full_screen"]
