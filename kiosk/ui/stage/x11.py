"""Keep the stage out of the taskbar and pager on X11 (EWMH `_NET_WM_STATE_SKIP_*`).

Qt only sets these for tool windows, and window managers such as openbox do not make a tool
(utility) window fullscreen properly. So the stage is a normal frameless window and asks the
window manager directly, with the EWMH client message, through libX11 (always present where Qt
runs on xcb). Elsewhere this does nothing.

Also `flush_requests`: push Qt's queued X requests out at once (a cut's raise), through libxcb.
libX11 is loaded by `kiosk.media.x11_background.xlib`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
from collections.abc import Callable
from typing import cast

from PySide6.QtGui import QGuiApplication

from kiosk.media.x11_background import xlib

__all__ = ["flush_requests", "skip_taskbar_and_pager"]

log = logging.getLogger(__name__)

_NET_WM_STATE_ADD = 1
_CLIENT_MESSAGE = 33
_SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
_SUBSTRUCTURE_REDIRECT_MASK = 1 << 20


class _ClientMessage(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    )


class _XEvent(ctypes.Union):
    _fields_ = (("client", _ClientMessage), ("pad", ctypes.c_long * 24))


def _xlib() -> ctypes.CDLL | None:
    lib = xlib()
    if lib is not None:
        lib.XSendEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.c_int,
            ctypes.c_long,
            ctypes.POINTER(_XEvent),
        ]
    return lib


def skip_taskbar_and_pager(window_id: int) -> bool:
    """Ask the window manager to leave a mapped window out of taskbars and pagers.

    Returns False (and does nothing) when not on X11.
    """
    if QGuiApplication.platformName() != "xcb" or not os.environ.get("DISPLAY"):
        return False
    lib = _xlib()
    if lib is None:
        return False
    display = lib.XOpenDisplay(None)
    if not display:
        log.warning("cannot open the X display to keep the stage out of the taskbar")
        return False
    try:
        state = lib.XInternAtom(display, b"_NET_WM_STATE", 0)
        atoms = [
            lib.XInternAtom(display, name, 0)
            for name in (b"_NET_WM_STATE_SKIP_TASKBAR", b"_NET_WM_STATE_SKIP_PAGER")
        ]
        event = _XEvent()
        event.client.type = _CLIENT_MESSAGE
        event.client.send_event = 1
        event.client.window = window_id
        event.client.message_type = state
        event.client.format = 32
        event.client.data[0] = _NET_WM_STATE_ADD
        event.client.data[1] = atoms[0]
        event.client.data[2] = atoms[1]
        event.client.data[3] = 1  # from a normal application
        lib.XSendEvent(
            display,
            lib.XDefaultRootWindow(display),
            0,
            _SUBSTRUCTURE_NOTIFY_MASK | _SUBSTRUCTURE_REDIRECT_MASK,
            ctypes.byref(event),
        )
        lib.XFlush(display)
        return True
    finally:
        lib.XCloseDisplay(display)


@functools.cache
def _xcb_flush() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("xcb") or "libxcb.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    flush = lib.xcb_flush
    flush.argtypes = [ctypes.c_void_p]
    flush.restype = ctypes.c_int
    return cast(Callable[[int], int], flush)


def flush_requests() -> None:
    """Send Qt's queued X requests (e.g. a raise) to the X server now, not when the event loop
    next waits: a cut's raise must reach the server before libvlc draws the new picture.
    Does nothing when not on X11."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication) or QGuiApplication.platformName() != "xcb":
        return
    connection = getattr(app.nativeInterface(), "connection", None)  # QX11Application
    flush = _xcb_flush()
    if connection is None or flush is None:
        return
    address = connection()
    if address:
        flush(int(address))
