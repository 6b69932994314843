"""Station clocks: the night's window for offline times, and a door laptop's clock offset.

A door laptop decides offline with its own clock and uploads the times later. A laptop whose
clock is wrong (a dead CMOS battery: ten years back) must not put an admission a decade away:
the live figures would then count arrivals in a million five-minute slots. Offline times
outside the night — doors minus 6 hours to the scheduled end plus 6 hours — and more than 6
hours from the server's own clock (a rehearsal the day before is not a wrong clock) are stored
at the time the server received them and flagged ``clock_skew``. Arrival charts cover the night
(or, on another day, the last 24 hours). A station whose clock is more than
:data:`CLOCK_TOLERANCE` off the server's says so on its screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.core.event import EventConfig

NIGHT_MARGIN = dt.timedelta(hours=6)
CLOCK_TOLERANCE = dt.timedelta(minutes=2)
REHEARSAL_CHART = dt.timedelta(hours=24)


@dataclass(frozen=True)
class NightWindow:
    """From doors minus the margin to the scheduled end plus the margin (aware, UTC)."""

    start: dt.datetime
    end: dt.datetime

    def contains(self, moment: dt.datetime) -> bool:
        """True if ``moment`` can be a time of this night."""
        return self.start <= moment <= self.end

    def plausible(self, moment: dt.datetime, received: dt.datetime) -> bool:
        """True if a station's ``moment``, received by the server at ``received``, can be
        right: in the night, or within the margin of the server's clock (a rehearsal)."""
        return self.contains(moment) or abs(moment - received) <= NIGHT_MARGIN

    def chart_bounds(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """What an arrival chart covers: the night, or on another day the 24 hours to now."""
        if self.contains(now):
            return self.start, self.end
        return now - REHEARSAL_CHART, now + NIGHT_MARGIN


def night_window(config: EventConfig, margin: dt.timedelta = NIGHT_MARGIN) -> NightWindow:
    """The night of ``config``: doors (or the start) − margin … end (next day if before the
    start) + margin, on the event's clock."""
    zone = config.zone
    doors = dt.datetime.combine(config.date, config.doors_open or config.start, zone)
    start = dt.datetime.combine(config.date, config.start, zone)
    end = dt.datetime.combine(config.date, config.end, zone)
    if end <= start:
        end += dt.timedelta(days=1)
    if doors > start:  # doors "open" after the start: read as the day before
        doors -= dt.timedelta(days=1)
    return NightWindow((doors - margin).astimezone(dt.UTC), (end + margin).astimezone(dt.UTC))


def clock_warning(offset: dt.timedelta) -> tuple[str, str] | None:
    """What the station's screen says when its clock is ``offset`` off the server's
    (server − station), in English and Chinese, short enough for the door header; None when
    within :data:`CLOCK_TOLERANCE`. The screen adds what to do (:data:`SET_THE_CLOCK`)."""
    if abs(offset) <= CLOCK_TOLERANCE:
        return None
    minutes = round(abs(offset).total_seconds() / 60)
    if offset > dt.timedelta(0):
        return f"clock {minutes} min behind the server's", f"時鐘慢 {minutes} 分鐘"
    return f"clock {minutes} min ahead of the server's", f"時鐘快 {minutes} 分鐘"


SET_THE_CLOCK = ("Set this laptop's clock", "請校正本機時鐘")
