"""libX11 through ctypes, and a window's black X background that the X server itself paints.

Qt leaves its windows without an X background (no flicker), so an uncovered window keeps
whatever picture was on the screen there until its process paints it. Two places want the X
server to paint black at once instead: the supervisor's cover window (black the moment the
app's windows die) and a film's window when libvlc's output draws only the picture's rectangle
(`xcb_x11` draws the picture in a child window the picture's size and leaves the bars to the
window under it: a pillarboxed film showed, in its bars, the title card it cut from).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)


def xlib() -> ctypes.CDLL | None:
    """libX11 with the prototypes used here and by the stage (None when it is missing)."""
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.XOpenDisplay.restype = ctypes.c_void_p
    lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    lib.XInternAtom.restype = ctypes.c_ulong
    lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.XDefaultRootWindow.restype = ctypes.c_ulong
    lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    lib.XSetWindowBackground.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    lib.XClearWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    lib.XFlush.argtypes = [ctypes.c_void_p]
    return lib


def paint_black_by_server(window_id: int) -> bool:
    """Give a window a black X background, so the X server itself paints it black the moment
    it is uncovered (say, when a window above it dies, or a cut raises it), before its own
    process repaints it. Returns False when not on X11."""
    if QGuiApplication.platformName() != "xcb" or not os.environ.get("DISPLAY"):
        return False
    lib = xlib()
    if lib is None:
        return False
    display = lib.XOpenDisplay(None)
    if not display:
        log.warning("cannot open the X display to give window %#x a black background", window_id)
        return False
    try:
        lib.XSetWindowBackground(display, window_id, 0)  # pixel 0: black on TrueColor
        lib.XClearWindow(display, window_id)
        lib.XFlush(display)
        return True
    finally:
        lib.XCloseDisplay(display)
