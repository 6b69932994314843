"""Keep an X11 display from blanking: suspend its screensaver and switch DPMS off (ctypes).

`XScreenSaverSuspend` (the MIT-SCREEN-SAVER extension) is held per client connection: the X
server lifts it by itself when the connection closes, also when the process dies. DPMS is a
server setting: it is switched off while held and switched back on by `release()` (only if it
was on); after a crash the supervisor's own hold keeps it off until the show ends. Xvfb has
neither DPMS nor, often, the extension's timers: whatever is missing is reported, not faked.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class X11Hold:
    """What holding the display achieved."""

    display: str
    screensaver_suspended: bool
    dpms_was_enabled: bool | None  # None: no DPMS on this display (e.g. Xvfb)


def _library(name: str) -> ctypes.CDLL | None:
    found = ctypes.util.find_library(name)
    if found is None:
        return None
    try:
        return ctypes.CDLL(found)
    except OSError:
        return None


class X11IdleBlocker:
    """Holds one X connection with the screensaver suspended and DPMS off."""

    def __init__(self, display_name: str) -> None:
        self.display_name = display_name
        self._xlib = _library("X11")
        self._xss = _library("Xss")
        self._xext = _library("Xext")
        self._display: int | None = None
        self.hold_state: X11Hold | None = None

    def hold(self) -> X11Hold | None:
        """Suspend the screensaver, DPMS off. None when the display cannot be opened."""
        if self._xlib is None:
            log.warning("libX11 not found: the X screensaver is not suspended")
            return None
        self._xlib.XOpenDisplay.restype = ctypes.c_void_p
        self._xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        display = self._xlib.XOpenDisplay(self.display_name.encode())
        if not display:
            log.warning(
                "X display %s cannot be opened: screensaver not suspended", self.display_name
            )
            return None
        self._display = display
        suspended = self._suspend_screensaver(display, True)
        dpms_was_enabled = self._dpms_off(display)
        self._flush()
        self.hold_state = X11Hold(self.display_name, suspended, dpms_was_enabled)
        log.info(
            "X11 %s: screensaver %s, DPMS %s",
            self.display_name,
            "suspended" if suspended else "not suspended (no MIT-SCREEN-SAVER)",
            "not on this display" if dpms_was_enabled is None else "off",
        )
        return self.hold_state

    def _suspend_screensaver(self, display: int, suspend: bool) -> bool:
        if self._xss is None:
            return False
        query = self._xss.XScreenSaverQueryExtension
        query.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not query(display, ctypes.byref(event_base), ctypes.byref(error_base)):
            return False
        self._xss.XScreenSaverSuspend.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._xss.XScreenSaverSuspend(display, 1 if suspend else 0)
        return True

    def _dpms_off(self, display: int) -> bool | None:
        if self._xext is None:
            return None
        xext = self._xext
        xext.DPMSQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)
        ]  # fmt: skip
        base, error = ctypes.c_int(), ctypes.c_int()
        if not xext.DPMSQueryExtension(display, ctypes.byref(base), ctypes.byref(error)):
            return None
        xext.DPMSCapable.argtypes = [ctypes.c_void_p]
        if not xext.DPMSCapable(display):
            return None
        xext.DPMSInfo.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_ushort), ctypes.POINTER(ctypes.c_ubyte)
        ]  # fmt: skip
        level, state = ctypes.c_ushort(), ctypes.c_ubyte()
        xext.DPMSInfo(display, ctypes.byref(level), ctypes.byref(state))
        if state.value:
            xext.DPMSDisable.argtypes = [ctypes.c_void_p]
            xext.DPMSDisable(display)
        return bool(state.value)

    def _flush(self) -> None:
        if self._xlib is not None and self._display is not None:
            self._xlib.XFlush.argtypes = [ctypes.c_void_p]
            self._xlib.XFlush(self._display)

    def release(self) -> None:
        """DPMS back on if it was, screensaver resumed, connection closed."""
        display = self._display
        if display is None or self._xlib is None:
            return
        held = self.hold_state
        if held is not None and held.dpms_was_enabled and self._xext is not None:
            self._xext.DPMSEnable.argtypes = [ctypes.c_void_p]
            self._xext.DPMSEnable(display)
        if held is not None and held.screensaver_suspended:
            self._suspend_screensaver(display, False)
        self._flush()
        self._xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._xlib.XCloseDisplay(display)
        self._display = None
        log.info("X11 %s: screensaver and DPMS as before", self.display_name)
