"""Give an X11 window a black background, so the X server itself fills what no one draws.

The stage's video surfaces have no X background (Qt's default for a window it never paints):
where libvlc does not draw, the screen keeps whatever was there. libvlc's OpenGL output clears
the whole window, bars included; its plain X11 output (`xcb_x11`) draws the picture in a child
window the picture's size and leaves the bars to the window under it: a pillarboxed film showed
the title card it cut from in its bars (tests/integration/test_stage_video.py). With a black
background the server paints the bars black whenever they are uncovered (a cut's raise).
Through libX11 on a connection of its own; elsewhere (no X display) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)


def black_background(window_id: int) -> bool:
    """Make X window `window_id`'s background black and clear it; False when not on X11."""
    found = ctypes.util.find_library("X11")
    if found is None or not os.environ.get("DISPLAY"):
        return False
    try:
        xlib = ctypes.CDLL(found)
    except OSError:
        return False
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XDefaultScreen.argtypes = [ctypes.c_void_p]
    xlib.XBlackPixel.restype = ctypes.c_ulong
    xlib.XBlackPixel.argtypes = [ctypes.c_void_p, ctypes.c_int]
    xlib.XSetWindowBackground.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    xlib.XClearWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    xlib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = xlib.XOpenDisplay(None)
    if not display:
        log.warning("cannot open the X display to make the film's window black")
        return False
    try:
        black = xlib.XBlackPixel(display, xlib.XDefaultScreen(display))
        xlib.XSetWindowBackground(display, window_id, black)
        xlib.XClearWindow(display, window_id)
        xlib.XSync(display, 0)  # done before the connection closes
        return True
    finally:
        xlib.XCloseDisplay(display)
