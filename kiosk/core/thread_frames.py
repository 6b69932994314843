"""Every thread's current Python frame, read without the interpreter's lock-order deadlock.

``sys._current_frames()`` holds the interpreter's thread-list lock (``HEAD_LOCK``) while it
makes frame objects; on CPython before 3.11.9 / 3.12.3 that allocation can start a garbage
collection there, and a finalizer the collection runs (a SQLite connection closing, a
file) lets go of the interpreter lock. If a thread made by C code -- every libvlc event
thread that calls back into Python -- then takes the interpreter lock and ends, it waits
for ``HEAD_LOCK`` to forget its thread state, while the reader waits for the interpreter
lock: both stop for good (cpython issue gh-106883, fixed upstream by this same guard).
Seen here: the console's GUI thread joining a libvlc input thread stuck that way for good.
"""

from __future__ import annotations

import gc
import sys
from types import FrameType


def current_frames() -> dict[int, FrameType]:
    """``sys._current_frames()`` with automatic garbage collection held off while it runs
    (and restored after, if it was on): no collection can start under ``HEAD_LOCK``."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        return sys._current_frames()
    finally:
        if enabled:
            gc.enable()
