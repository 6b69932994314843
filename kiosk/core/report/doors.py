"""The doors in the report: admissions, refusals, stations and arrivals over time."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from kiosk.core.admissions import arrival_buckets
from kiosk.core.report.model import AttendeeCounts, CheckinReport, CheckinRow, Record

BUCKET_MINUTES = 5
_UNSCANNED = {"manual": "by_hand", "walk-in": "walk_ins"}


def checkin_report(
    records: Sequence[Record],
    rows: Sequence[CheckinRow],
    attendees: AttendeeCounts,
    capacity: int | None,
) -> CheckinReport:
    refused: dict[str, int] = {}
    per_station: dict[str, dict[str, int]] = {}
    for record in records:
        if record.kind == "clock_skew":  # an offline time from a wrong clock, kept as received
            station = str(record.data.get("station") or "?")
            counts = per_station.setdefault(station, {"admitted": 0, "refused": 0})
            counts["clock_skew"] = counts.get("clock_skew", 0) + 1
            continue
        if record.kind != "checkin_refused":
            continue
        reason = str(record.data.get("verdict") or "unknown")
        refused[reason] = refused.get(reason, 0) + 1
        station = str(record.data.get("station") or "?")
        counts = per_station.setdefault(station, {"admitted": 0, "refused": 0})
        counts["refused"] += 1
    times = sorted(r.at for r in rows)
    for row in rows:
        counts = per_station.setdefault(row.station, {"admitted": 0, "refused": 0})
        counts["admitted"] += 1
        # admissions without a scanned ticket (by hand, walk-ins) and how many of them voted:
        # what a door laptop could do without a ticket, for the organisers to look at
        kind = _UNSCANNED.get(row.method)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
            counts[f"{kind}_voted"] = counts.get(f"{kind}_voted", 0) + int(row.voted)
    arrivals = tuple(arrivals_per_slot(times, BUCKET_MINUTES))
    peak = max(arrivals, key=lambda a: a[1], default=None)
    walk_ins = sum(1 for r in rows if r.method == "walk-in")
    return CheckinReport(
        registered=attendees.registered,
        admitted=len(rows),
        no_shows=max(0, attendees.registered - attendees.registered_admitted),
        walk_ins=walk_ins,
        by_hand=sum(1 for r in rows if r.method == "manual"),
        annulled=attendees.annulled,
        refused=dict(sorted(refused.items(), key=lambda kv: (-kv[1], kv[0]))),
        per_station=dict(sorted(per_station.items())),
        arrivals=arrivals,
        first_admission=times[0] if times else None,
        last_admission=times[-1] if times else None,
        peak_per_5min=peak[1] if peak else 0,
        peak_slot=peak[0] if peak else None,
        peak_per_min=peak_in_window(times, dt.timedelta(minutes=1)),
        time_to_50_s=time_to_share(times, 0.5),
        time_to_90_s=time_to_share(times, 0.9),
        capacity=capacity,
        admission_times=tuple(times),
    )


def arrivals_per_slot(times: Sequence[dt.datetime], minutes: int) -> list[tuple[dt.datetime, int]]:
    """People admitted per slot of `minutes`, first to last slot, empty slots as zero (the
    doors' own count, :func:`~kiosk.core.admissions.arrival_buckets`)."""
    if not times:
        return []
    zone = times[0].tzinfo or dt.UTC
    return [(bucket.start, bucket.count) for bucket in arrival_buckets(list(times), minutes, zone)]


def peak_in_window(times: Sequence[dt.datetime], window: dt.timedelta) -> int:
    """The most admissions within any `window` (a sliding window over sorted times)."""
    best, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def time_to_share(times: Sequence[dt.datetime], share: float) -> float | None:
    """Seconds from the first admission until `share` of all admitted people were in."""
    if not times:
        return None
    needed = max(1, math.ceil(len(times) * share - 1e-9))
    return (times[needed - 1] - times[0]).total_seconds()
