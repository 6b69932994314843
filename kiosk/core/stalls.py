"""GUI-thread stalls: what the console's stall probe measured, and what counts as an incident.

The console's GUI thread times every cut. A probe timer on it (kiosk.ui.common.stall_probe)
reports how late each of its firings ran; :class:`StallLog` keeps the worst lateness of each
second for the last few minutes (what the status line shows), says which lateness is worth a
log line (over ``log_over_ms``) and which goes into the night's journal and the show report as
an incident (over ``incident_over_ms``). Plain Python: no Qt, no clock of its own.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

LOG_OVER_MS = 50.0
INCIDENT_OVER_MS = 100.0
WINDOW_S = 300.0  # "the worst of the last minutes"
JOURNAL_KIND = "gui_stall"


@dataclass(frozen=True)
class Stall:
    """One late firing of the probe: how late, and the handler that held the GUI thread."""

    lateness_ms: float
    handler: str

    def describe(self) -> str:
        """E.g. `GUI thread held 230 ms by report_view.py:301 export`."""
        return f"GUI thread held {self.lateness_ms:.0f} ms by {self.handler or 'unknown'}"

    def journal_data(self) -> dict[str, float | str]:
        """The journal entry's data."""
        return {"ms": round(self.lateness_ms, 1), "handler": self.handler}


class StallLog:
    """The worst lateness per second over a sliding window, and the thresholds."""

    def __init__(
        self,
        *,
        window_s: float = WINDOW_S,
        log_over_ms: float = LOG_OVER_MS,
        incident_over_ms: float = INCIDENT_OVER_MS,
    ) -> None:
        self.window_s = window_s
        self.log_over_ms = log_over_ms
        self.incident_over_ms = incident_over_ms
        self._per_second: deque[tuple[int, float]] = deque()  # (whole second, worst ms)

    def record(self, now_s: float, lateness_ms: float) -> None:
        """One probe firing at `now_s` (monotonic seconds), `lateness_ms` late."""
        second = int(now_s)
        if self._per_second and self._per_second[-1][0] == second:
            worst = max(self._per_second[-1][1], lateness_ms)
            self._per_second[-1] = (second, worst)
        else:
            self._per_second.append((second, lateness_ms))
        self._forget_before(now_s - self.window_s)

    def worst(self, now_s: float) -> float:
        """The worst lateness (ms) within the window ending at `now_s` (0 if none)."""
        self._forget_before(now_s - self.window_s)
        return max((worst for _, worst in self._per_second), default=0.0)

    def should_log(self, lateness_ms: float) -> bool:
        """Whether a stall this long gets a log line."""
        return lateness_ms > self.log_over_ms

    def is_incident(self, lateness_ms: float) -> bool:
        """Whether a stall this long is an incident of the night (journal and report)."""
        return lateness_ms > self.incident_over_ms

    def _forget_before(self, oldest_s: float) -> None:
        while self._per_second and self._per_second[0][0] < int(oldest_s):
            self._per_second.popleft()


def status_text(worst_ms: float, window_s: float = WINDOW_S) -> str:
    """The status line's words for the worst stall of the window."""
    minutes = round(window_s / 60)
    return f"GUI worst {worst_ms:.0f} ms / {minutes} min"
