"""The X server's own screensaver is suspended while the app holds the display, and comes back
after (a real Xvfb with a 1-second screensaver timeout, its state read through the
MIT-SCREEN-SAVER extension). Xvfb has no DPMS: that part reports "not on this display"."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import time

import pytest

from kiosk.desktop.x11_idle import X11IdleBlocker
from tests.xvfb import requires_xvfb, xvfb_display

pytestmark = [requires_xvfb]

SCREENSAVER_ON = 1


class _Info(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


def screensaver_state(display: str) -> int:
    """0 off, 1 on (blanked), 3 disabled — as the X server says."""
    xlib = ctypes.CDLL(ctypes.util.find_library("X11"))
    xss = ctypes.CDLL(ctypes.util.find_library("Xss"))
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XDefaultRootWindow.restype = ctypes.c_ulong
    xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xss.XScreenSaverQueryInfo.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
    handle = xlib.XOpenDisplay(display.encode())
    assert handle, display
    try:
        info = _Info()
        assert xss.XScreenSaverQueryInfo(
            handle, xlib.XDefaultRootWindow(handle), ctypes.byref(info)
        )
        return int(info.state)
    finally:
        xlib.XCloseDisplay(handle)


def _xset(display: str, *args: str) -> None:
    subprocess.run(["xset", *args], env={**os.environ, "DISPLAY": display}, check=True, timeout=10)


def _wait_for_state(display: str, wanted: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if screensaver_state(display) == wanted:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.serial
def test_the_x_screensaver_is_suspended_while_held_and_back_after() -> None:
    with xvfb_display(320, 180, window_manager=False) as display:
        _xset(display, "s", "1", "0")  # blank after 1 s idle
        assert _wait_for_state(display, SCREENSAVER_ON, 5), "the control did not blank"
        blocker = X11IdleBlocker(display)
        held = blocker.hold()
        assert held is not None and held.screensaver_suspended
        assert held.dpms_was_enabled is None  # Xvfb: no DPMS
        _xset(display, "s", "reset")
        time.sleep(2.5)  # well past the 1-second timeout
        assert screensaver_state(display) != SCREENSAVER_ON
        blocker.release()
        assert _wait_for_state(display, SCREENSAVER_ON, 5), "not restored after release"
