"""The projector's voting slide: the Viewer's Award vote is open, scan the QR, a countdown."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.core.event import EventConfig


@dataclass(frozen=True)
class VoteCard:
    """Bilingual call to vote: a QR of the vote page's address and the time left to vote.

    `closes_at` is when the vote closes on `clock` (time.monotonic by default); None: no
    countdown (the vote has no deadline, or it is closed).
    """

    event: EventConfig
    url: str
    closes_at: float | None
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def counting(
        cls,
        event: EventConfig,
        url: str,
        seconds_left: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> VoteCard:
        """A card whose countdown ends `seconds_left` from now (None: no countdown)."""
        closes_at = None if seconds_left is None else clock() + seconds_left
        return cls(event, url, closes_at, clock)

    def remaining(self) -> float | None:
        """Seconds left to vote, never below 0 (None: no countdown)."""
        if self.closes_at is None:
            return None
        return max(0.0, self.closes_at - self.clock())

    @property
    def live(self) -> bool:
        """Repainted every second while it counts down."""
        return self.closes_at is not None
