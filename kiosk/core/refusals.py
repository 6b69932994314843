"""Refusals counted, not written line by line: one log line per kind per minute.

A flood of bad requests (wrong tokens, broken HTTP, oversized bodies) must not write one line
each: on the show laptop that fills the disk and rotates the night's log away in seconds. The
first refusal of a kind is logged at once (someone reading the log sees it start); the ones
after it within the minute are only counted, and the count is logged when the minute is over
(on the next refusal of that kind or the next :meth:`RefusalTally.flush`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

SUMMARY_EVERY_S = 60.0


@dataclass
class _Kind:
    window_start: float
    counted: int = 0  # refusals since the last line was written
    last_detail: str = ""


class RefusalTally:
    """Counts refusals per kind and writes at most one line per kind per ``every_s``.

    Not thread-safe on its own: the server calls it from its event loop (or under a lock)."""

    def __init__(
        self,
        logger: logging.Logger,
        clock: Callable[[], float],
        every_s: float = SUMMARY_EVERY_S,
    ) -> None:
        self._logger = logger
        self._clock = clock
        self._every_s = every_s
        self._kinds: dict[str, _Kind] = {}

    def refused(self, kind: str, detail: str = "") -> None:
        """One refusal of ``kind`` (``detail``: e.g. the address; kept for the summary)."""
        now = self._clock()
        entry = self._kinds.get(kind)
        if entry is None:
            self._kinds[kind] = _Kind(now, 0, detail)
            self._logger.warning("refused (%s) %s", kind, detail)
            return
        entry.counted += 1
        entry.last_detail = detail
        if now - entry.window_start >= self._every_s:
            self._write(kind, entry, now)

    def flush(self) -> None:
        """Write the summaries of every kind whose minute is over."""
        now = self._clock()
        for kind, entry in self._kinds.items():
            if entry.counted and now - entry.window_start >= self._every_s:
                self._write(kind, entry, now)

    def _write(self, kind: str, entry: _Kind, now: float) -> None:
        self._logger.warning(
            "refused (%s) %d times in the last %.0f s (latest %s)",
            kind,
            entry.counted,
            now - entry.window_start,
            entry.last_detail,
        )
        entry.counted = 0
        entry.window_start = now
