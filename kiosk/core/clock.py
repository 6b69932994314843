"""The event's clock: every time shown on a screen, in the log or by the CLI is in the event's
time zone (``timezone`` in ``event.toml``, default ``Asia/Hong_Kong``), never the laptop's.

A laptop flown in from elsewhere, or left on UTC, must not make the console say the show ends
at 09:50: times are stored in UTC and turned into the event's wall clock only when shown.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Hong_Kong"


def zone_named(name: str) -> dt.tzinfo:
    """The IANA zone ``name``; ValueError (with the name) if there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (e.g. 'Asia/Hong_Kong')") from exc


def parse_moment(text: str) -> dt.datetime:
    """A stored ISO 8601 time as an aware datetime (naive text is taken as UTC)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def local_text(moment: dt.datetime | str, zone: dt.tzinfo, pattern: str = "%H:%M:%S") -> str:
    """``moment`` on the event's wall clock, e.g. ``"19:02:11"``."""
    aware = parse_moment(moment) if isinstance(moment, str) else moment
    if aware.tzinfo is None:
        aware = aware.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).strftime(pattern)


def local_stamp(moment: dt.datetime | str, zone: dt.tzinfo) -> str:
    """A full date and time with the zone's abbreviation: ``"2026-12-05 19:02 HKT"``.

    Text that is not an ISO 8601 time (a damaged record) is shown as it is.
    """
    try:
        return local_text(moment, zone, "%Y-%m-%d %H:%M %Z")
    except ValueError:
        return str(moment)


def now_in(zone: dt.tzinfo) -> dt.datetime:
    """The current time on the event's wall clock (aware)."""
    return dt.datetime.now(dt.UTC).astimezone(zone)
