"""When the night will end, and how that compares with the schedule: one computation for every
screen (the Show tab's clock, the Programme tab's summary, the report).

The schedule is a window on the event's wall clock: the scheduled start on the event's date and
the scheduled end (the next day if the end is not after the start). Times are aware datetimes in
the event's zone, so there is no wrapping around the clock face: 10:36 is never "697 min late"
for a night that ends at 23:00.

* Before GO the night cannot start before its scheduled start: the projected end is the later of
  now and the scheduled start, plus the running time left (so the Show tab agrees with the
  Programme tab's plan all day).
* Once started (or ended), the projected end is when the run started plus how long it runs.
* A run that starts well away from the scheduled start (a rehearsal in the afternoon, a run on
  another day) is compared with the scheduled *length*, not with the clock: "5 min over" the
  planned running time, not "12 h early".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from kiosk.core.event import EventConfig

# a run that starts more than this before the scheduled start, or after the scheduled end, is a
# rehearsal: compared with the scheduled length, not the clock
REHEARSAL_MARGIN = dt.timedelta(hours=3)
ON_TIME_S = 60.0  # within a minute either way reads "on time"


class EndBasis(Enum):
    """What the projected end is compared with."""

    SCHEDULE = "schedule"  # the scheduled end on the wall clock
    LENGTH = "length"  # the scheduled running time (a rehearsal, off the night's hours)


@dataclass(frozen=True)
class NightEnd:
    """The night's projected end against its schedule."""

    projected: dt.datetime  # aware, in the event's zone
    scheduled_start: dt.datetime
    scheduled_end: dt.datetime
    basis: EndBasis
    late_s: float  # seconds past the schedule (negative: early); see `basis`
    waiting_for_start: bool  # not started, and the scheduled start is still ahead

    @property
    def late(self) -> bool:
        """True when the night runs more than a minute past the schedule."""
        return self.late_s > ON_TIME_S

    def verdict(self) -> str:
        """`on time`, `12 min late`, `3 min early`; for a rehearsal, `over`/`under` the
        scheduled running time."""
        minutes = round(abs(self.late_s) / 60)
        if minutes == 0:
            return "on time"
        if self.basis is EndBasis.LENGTH:
            word = "over" if self.late_s > 0 else "under"
            return f"rehearsal: {minutes} min {word} the scheduled length"
        return f"{minutes} min {'late' if self.late_s > 0 else 'early'}"

    def context(self) -> str:
        """What the projected end is measured against: `scheduled 22:00, 5 min late`."""
        start_note = f", if GO at {self.scheduled_start:%H:%M}" if self.waiting_for_start else ""
        return f"scheduled {self.scheduled_end:%H:%M}, {self.verdict()}{start_note}"

    def describe(self) -> str:
        """One plain line: `ends 22:05 (scheduled 22:00, 5 min late)`."""
        return f"ends {self.projected:%H:%M} ({self.context()})"


def scheduled_window(config: EventConfig) -> tuple[dt.datetime, dt.datetime]:
    """The scheduled start and end as aware datetimes in the event's zone (the end on the next
    day when it is not after the start)."""
    zone = config.zone
    start = dt.datetime.combine(config.date, config.start, tzinfo=zone)
    end = dt.datetime.combine(config.date, config.end, tzinfo=zone)
    if end <= start:
        end += dt.timedelta(days=1)
    return start, end


def night_end(
    config: EventConfig,
    *,
    now: dt.datetime,
    left_s: float,
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
) -> NightEnd:
    """The projected end of the night.

    `now` is aware; `left_s` is the running time still to play (0 once ended); `started_at` is
    when the show left its holding slide (None: not yet); `ended_at` when it reached its end.
    """
    now = now.astimezone(config.zone)
    start, end = scheduled_window(config)
    waiting = started_at is None and ended_at is None and now < start
    if ended_at is not None:
        projected = ended_at
    elif waiting:
        projected = start + dt.timedelta(seconds=left_s)
    else:
        projected = now + dt.timedelta(seconds=left_s)
    projected = projected.astimezone(config.zone)
    run_start = started_at if started_at is not None else (start if waiting else now)
    if run_start < start - REHEARSAL_MARGIN or run_start > end:
        basis = EndBasis.LENGTH  # a rehearsal: how long it runs against how long it should
        late = (projected - run_start - (end - start)).total_seconds()
    else:
        basis = EndBasis.SCHEDULE
        late = (projected - end).total_seconds()
    return NightEnd(
        projected=projected,
        scheduled_start=start.astimezone(config.zone),
        scheduled_end=end.astimezone(config.zone),
        basis=basis,
        late_s=late,
        waiting_for_start=waiting,
    )


def planned_end(config: EventConfig, running_s: float) -> NightEnd:
    """The end if the night starts at its scheduled start and runs `running_s` (the plan the
    Programme tab shows)."""
    start, _ = scheduled_window(config)
    return night_end(config, now=start, left_s=running_s)
