"""kiosk.allocator: glibc's malloc bounded for the night, measured in a fresh process.

The mechanism behind the growth (docs/operator/screening.md, "Memory over a night"): with glibc's
defaults, freeing a big mapped block raises the mmap threshold, so the next picture-sized block
comes from an arena (`mallinfo2().hblkhd`, the mapped bytes, stays 0) and its memory is kept after
it is freed. Bounded, the same block is mapped again and its pages go back to the system when
freed.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.allocator import bound_malloc

ROOT = Path(__file__).resolve().parents[2]

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc's malloc only",
)

CHILD = """
import ctypes
from kiosk.allocator import bound_malloc
said = bound_malloc()
libc = ctypes.CDLL("libc.so.6")
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
        ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
         "fordblks", "keepcost")]
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = (ctypes.c_void_p,)
PICTURE = 1920 * 1080 * 3 // 2  # one 1080p I420 picture
libc.free(libc.malloc(PICTURE))  # the first film's picture, freed
block = libc.malloc(PICTURE)  # the next film's
print(said)
print("mapped" if libc.mallinfo2().hblkhd >= PICTURE else "arena")
libc.free(block)
"""


def _child(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUN"))}
    clean.pop("KIOSK_MALLOC", None)
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.splitlines()


@glibc_only
def test_bounded_a_picture_buffer_is_mapped_again_after_one_was_freed() -> None:
    said, where = _child()
    assert said == "mmap threshold 256 KiB, at most 2 arenas"
    assert where == "mapped"


@glibc_only
def test_glibc_defaults_move_the_next_picture_into_an_arena() -> None:
    said, where = _child(KIOSK_MALLOC="glibc")
    assert said == "glibc's defaults (KIOSK_MALLOC=glibc)"
    assert where == "arena"  # what made the app grow film after film


def test_the_environment_wins_over_the_app() -> None:
    said = bound_malloc({"MALLOC_ARENA_MAX": "4"})
    assert said == "glibc's settings from the environment (MALLOC_ARENA_MAX)"


def test_glibc_mode_is_read_case_insensitively() -> None:
    assert bound_malloc({"KIOSK_MALLOC": "GLIBC"}).startswith("glibc's defaults")
