"""Station clocks: the night's window for offline times and the door screen's clock warning."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from kiosk.core.station_clock import clock_warning, night_window
from tests.conftest import night_config


def test_the_night_runs_from_doors_minus_6h_to_the_end_plus_6h_on_the_event_clock(
    tmp_path: Path,
) -> None:
    config = dataclasses.replace(night_config(tmp_path), doors_open=dt.time(18, 45))
    night = night_window(config)
    # Hong Kong is UTC+8: doors 18:45 -> 10:45 UTC, minus 6 h; end 22:00 -> 14:00 UTC, plus 6 h
    assert night.start == dt.datetime(2026, 12, 5, 4, 45, tzinfo=dt.UTC)
    assert night.end == dt.datetime(2026, 12, 5, 20, 0, tzinfo=dt.UTC)


def test_a_time_ten_years_back_is_not_plausible_a_rehearsal_the_day_before_is(
    tmp_path: Path,
) -> None:
    night = night_window(night_config(tmp_path))
    during = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    assert night.plausible(during, during + dt.timedelta(hours=1))
    decade_ago = during - dt.timedelta(days=3652)
    assert not night.plausible(decade_ago, during)
    rehearsal = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    assert night.plausible(rehearsal, rehearsal + dt.timedelta(minutes=3))
    assert not night.plausible(rehearsal - dt.timedelta(hours=7), rehearsal)


def test_the_arrival_chart_covers_the_night_or_else_the_last_day(tmp_path: Path) -> None:
    night = night_window(night_config(tmp_path))
    during = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    assert night.chart_bounds(during) == (night.start, night.end)
    later = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    start, end = night.chart_bounds(later)
    assert end - start == dt.timedelta(hours=30)


def test_a_station_more_than_two_minutes_off_is_told_in_both_languages() -> None:
    assert clock_warning(dt.timedelta(seconds=119)) is None
    assert clock_warning(dt.timedelta(seconds=-119)) is None
    en, zh = clock_warning(dt.timedelta(minutes=7)) or ("", "")
    assert en == "clock 7 min behind the server's" and zh == "時鐘慢 7 分鐘"
    en, zh = clock_warning(-dt.timedelta(days=3652)) or ("", "")
    assert "ahead" in en and "快" in zh
