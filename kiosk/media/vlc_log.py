"""libvlc's log, tapped for what it says about the sound (see `kiosk.core.audio_watch`) and
about the video filters a fade waits for (`kiosk.core.picture_lift`).

`libvlc_log_set` calls its callback on libvlc's own threads with a printf format and a C
`va_list`. python-vlc hands the `va_list` over as a bare pointer and its own
`libvlc_log_get_context` wrapper mis-declares the out parameters, so this module declares the
two C functions itself (ctypes) and formats the message with the C library's `vsnprintf`
(on x86-64 and arm64 a `va_list` argument is passed as a pointer, which is what arrives).

The callback only formats, classifies (`classify`, plain Python) and, for the few lines that
matter, emits a queued Qt signal; it never calls back into libvlc. Install the tap on the
instance before its players are created (libvlc names its audio output module then) and
`close()` it before the instance goes away.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.core.audio_watch import AudioSignal, SignalKind, classify
from kiosk.core.picture_lift import added_filter
from kiosk.desktop.vlc_window import own_window_reason

log = logging.getLogger(__name__)

MESSAGE_BYTES = 1024

_LogCallback = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p
)


class _LibVlcLog:
    """The C functions the tap needs, declared once with the right types."""

    def __init__(self) -> None:
        import vlc

        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        self.vsnprintf = libc.vsnprintf
        self.vsnprintf.restype = ctypes.c_int
        self.vsnprintf.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_char_p,
            ctypes.c_void_p,
        ]
        self.get_context = vlc.dll.libvlc_log_get_context
        self.get_context.restype = None
        self.get_context.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_uint),
        ]
        self.log_set = vlc.dll.libvlc_log_set
        self.log_set.restype = None
        self.log_set.argtypes = [ctypes.c_void_p, _LogCallback, ctypes.c_void_p]
        self.log_unset = vlc.dll.libvlc_log_unset
        self.log_unset.restype = None
        self.log_unset.argtypes = [ctypes.c_void_p]


class VlcLogTap(QObject):
    """Listens to a libvlc instance's log; emits `audio(AudioSignal, monotonic seconds)` on the
    Qt thread for each line about the sound (lost, stalled, connected, started, module),
    `own_window(reason)` when libvlc draws a film somewhere other than the stage's window, and
    `filter_added(name, monotonic seconds)` when a video output has put a filter in its chain
    (from then on its pictures go through it)."""

    audio = Signal(object, float)
    own_window = Signal(str)
    filter_added = Signal(str, float)

    def __init__(self, instance: object, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._c = _LibVlcLog()
        self._instance: Any = instance
        self._callback = _LogCallback(self._on_log)  # kept: libvlc holds only the pointer
        # libvlc names its audio output module when a player is created, usually before
        # anyone listens to `audio`: remembered here (a str assignment, safe across threads)
        self.audio_module = ""
        self._c.log_set(self._instance, self._callback, None)
        self._open = True

    def _on_log(self, _data: int, level: int, context: int, fmt: bytes, args: int) -> None:
        """libvlc's thread: format, classify, hand over the few lines that matter."""
        try:
            module = ctypes.c_char_p()
            self._c.get_context(context, ctypes.byref(module), None, None)
            name = (module.value or b"").decode("ascii", "replace")
            buffer = ctypes.create_string_buffer(MESSAGE_BYTES)
            self._c.vsnprintf(buffer, MESSAGE_BYTES, fmt, args)
            message = buffer.value.decode("utf-8", "replace")
            video_filter = added_filter(name, message)
            if video_filter is not None:
                self.filter_added.emit(video_filter, time.monotonic())  # queued, like `audio`
            escaped = own_window_reason(level, name, message)
            if escaped is not None:
                self.own_window.emit(escaped)  # queued, like `audio`
            found = classify(level, name, message)
            if found is not None and found.kind is SignalKind.MODULE:
                self.audio_module = found.detail
            if found is not None:
                self.audio.emit(found, time.monotonic())  # queued: the receiver lives in Qt
        except Exception:  # an exception must never unwind into libvlc's C thread
            log.exception("libvlc log line could not be read")

    def close(self) -> None:
        """Stop listening (waits for a callback in progress); before the instance is released."""
        if self._open:
            self._open = False
            self._c.log_unset(self._instance)


def describe(signal: AudioSignal) -> str:
    """A log-friendly line for a signal."""
    return f"{signal.kind.value} [{signal.module}] {signal.detail}"
