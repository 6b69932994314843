"""Keep glibc's malloc from hoarding the memory libvlc's decoders free, film after film.

Measured (docs/operator/screening.md, "Memory over a night"): playing 1080p films back to back, the
app's resident memory grew from 280 MB after the first film to 700-760 MB after six, while the
bytes really in use (glibc's `mallinfo2`) stayed at about 300 MB from the third film on; the rest
was free memory glibc kept. Two glibc behaviours add up:

* the *dynamic mmap threshold*: a block of 128 KiB or more is first given its own `mmap` and
  returned to the system when freed, but freeing one raises the threshold to that block's size
  (up to 32 MiB). After the first film's 3 MB picture buffers are freed, every later picture
  buffer comes from a malloc arena instead, and freed arena memory mostly stays resident;
* *one arena per thread* (up to 8 per core): each of libvlc's decoder, output and audio threads
  carves its own arenas, so the free holes of one thread are not reused by the next film's.

`bound_malloc` fixes the threshold at `MMAP_THRESHOLD_BYTES` (which also switches the dynamic
adjustment off: picture buffers are mapped and unmapped, so a finished film's frames go back to
the system at once) and caps the arenas at `ARENA_MAX`. It must run before the first thread
starts (a thread's first allocation fixes the arena limit), so the entry point calls it first.
An environment that already sets glibc's own variables wins; `KIOSK_MALLOC=glibc` leaves glibc's
defaults (for measuring the difference). Elsewhere than Linux with glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import platform
import sys
from collections.abc import Mapping

log = logging.getLogger(__name__)

MODE_ENV = "KIOSK_MALLOC"  # "glibc": leave glibc's defaults alone
GLIBC_ENV = ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")
MMAP_THRESHOLD_BYTES = 256 * 1024  # a 640x360 I420 picture (338 KiB) and up are mapped
ARENA_MAX = 2
_M_MMAP_THRESHOLD = -3  # mallopt parameters, from glibc's malloc.h
_M_ARENA_MAX = -8


def bound_malloc(environ: Mapping[str, str] = os.environ) -> str:
    """Fix glibc's mmap threshold and cap its arenas for this process; says what it did."""
    if environ.get(MODE_ENV, "").lower() == "glibc":
        return f"glibc's defaults ({MODE_ENV}=glibc)"
    chosen = [name for name in GLIBC_ENV if name in environ]
    if chosen:
        return f"glibc's settings from the environment ({', '.join(chosen)})"
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return "not glibc: the system allocator's defaults"
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError) as exc:
        return f"glibc's defaults (mallopt unavailable: {exc})"
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    threshold_ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    arenas_ok = mallopt(_M_ARENA_MAX, ARENA_MAX) == 1
    if not (threshold_ok and arenas_ok):
        return "glibc refused the bounds (mallopt failed): glibc's defaults"
    return f"mmap threshold {MMAP_THRESHOLD_BYTES // 1024} KiB, at most {ARENA_MAX} arenas"
