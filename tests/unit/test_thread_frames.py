"""`current_frames`: every thread's frame, and no garbage collection while they are read
(a collection under the interpreter's thread-list lock can deadlock a process whose C threads
call into Python: cpython gh-106883, the console's GUI thread stuck joining a libvlc thread)."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import pytest

from kiosk.core.thread_frames import current_frames

THREADS = 12


@pytest.fixture
def waiting_threads() -> Iterator[list[threading.Thread]]:
    """Threads parked in a wait: each has Python frames with no frame object yet."""
    release = threading.Event()
    threads = [threading.Thread(target=release.wait, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    yield threads
    release.set()
    for thread in threads:
        thread.join(5)


def _read_plainly() -> dict[int, FrameType]:
    return sys._current_frames()


def _collections_inside(read: Callable[[], dict[int, FrameType]]) -> int:
    """How many collections started while `read`'s own frame ran (its call of
    ``sys._current_frames``, under the thread-list lock), with the collector set to start at
    every allocation of a tracked object."""
    code = read.__code__
    started: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and sys._getframe(1).f_code is code:
            started.append(info["generation"])

    threshold = gc.get_threshold()
    gc.callbacks.append(note)
    gc.set_threshold(1, 1, 1)
    try:
        for _ in range(5):
            read()
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(note)
    return len(started)


def test_every_thread_is_read(waiting_threads: list[threading.Thread]) -> None:
    frames = current_frames()
    assert {t.ident for t in waiting_threads} <= set(frames)
    assert threading.get_ident() in frames


def test_no_collection_starts_while_the_frames_are_read(
    waiting_threads: list[threading.Thread],
) -> None:
    assert _collections_inside(current_frames) == 0
    # the same reading without the guard does start one there: the test sees the danger
    assert _collections_inside(_read_plainly) > 0


def test_the_collector_is_left_as_it_was() -> None:
    assert gc.isenabled()
    current_frames()
    assert gc.isenabled()
    gc.disable()
    try:
        current_frames()
        assert not gc.isenabled()
    finally:
        gc.enable()
