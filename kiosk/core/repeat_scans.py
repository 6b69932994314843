"""A scanner that reads the same ticket twice in a row at one door means one scan, not two.

A keyboard-wedge scanner held over a ticket, or a ticket shown twice by a nervous guest, reads the
same code again a fraction of a second later. Recorded as a second scan it would turn the green
"Welcome" into an amber "Already checked in" for the person who was just let in. The same code
read again at the same station within :data:`REPEAT_WINDOW_S` of the previous read is therefore
the same scan: the verdict on screen stays. Each read restarts the window, so a scanner left
reading a ticket on the desk never produces a second verdict.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kiosk.core.tickets import normalise_scanned

log = logging.getLogger(__name__)

REPEAT_WINDOW_S = 2.0


class RepeatGuard:
    """Tells a repeated read of the last code (within the window) from a new scan."""

    def __init__(
        self, window_s: float = REPEAT_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_key: str | None = None
        self._last_at = float("-inf")

    @staticmethod
    def key_of(text: str) -> str:
        """What makes two reads the same: the canonical code, else the stripped text."""
        return normalise_scanned(text) or text.strip()

    def is_repeat(self, text: str) -> bool:
        """True if ``text`` is the last code read again within the window; remembers this read."""
        key = self.key_of(text)
        now = self._clock()
        repeat = key == self._last_key and now - self._last_at <= self.window_s
        self._last_key = key
        self._last_at = now
        return repeat

    def forget(self) -> None:
        """The last scan did not count (it failed, or was undone): its next read is new."""
        self._last_key = None
        self._last_at = float("-inf")
