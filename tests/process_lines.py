"""Read a child process's output lines on a thread and wait for the one a test expects."""

from __future__ import annotations

import queue
import re
import time
from collections.abc import Iterable


def pump_lines(stream: Iterable[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def wait_for_line(lines: queue.Queue[str], pattern: str, timeout_s: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} within {timeout_s} s")
