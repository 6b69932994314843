"""One computation of the night's end (issue #23 item 7): before, during and after the scheduled
times, across midnight, and for a rehearsal run in the afternoon."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.core.night_end import EndBasis, night_end, planned_end
from tests.conftest import night_config

HK = ZoneInfo("Asia/Hong_Kong")
HOUR = 3600.0


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=HK)


def test_morning_of_the_night_projects_from_the_scheduled_start(tmp_path: Path) -> None:
    """The reported false alarm: at 10:00 with 25 min to run, the end is 19:55 as on the
    Programme tab, not 10:36 "697 min late"."""
    config = night_config(tmp_path)  # 19:30-22:00
    end = night_end(config, now=at(5, 10), left_s=25 * 60)
    assert end.projected == at(5, 19, 55)
    assert end.basis is EndBasis.SCHEDULE
    assert end.waiting_for_start and not end.late
    assert end.describe() == "ends 19:55 (scheduled 22:00, 125 min early, if GO at 19:30)"
    assert planned_end(config, 25 * 60).projected == end.projected


def test_running_late_on_the_night(tmp_path: Path) -> None:
    config = night_config(tmp_path)
    end = night_end(config, now=at(5, 21, 50), left_s=20 * 60, started_at=at(5, 19, 40))
    assert end.projected == at(5, 22, 10)
    assert end.late and round(end.late_s) == 600
    assert end.verdict() == "10 min late"


def test_after_the_end_it_says_when_it_really_ended(tmp_path: Path) -> None:
    config = night_config(tmp_path)
    end = night_end(
        config,
        now=at(5, 23, 30),
        left_s=0,
        started_at=at(5, 19, 31),
        ended_at=at(5, 21, 58),
    )
    assert end.projected == at(5, 21, 58)
    assert end.verdict() == "2 min early"


def test_a_night_across_midnight_is_not_a_day_early(tmp_path: Path) -> None:
    config = dataclasses.replace(night_config(tmp_path), start=dt.time(22, 0), end=dt.time(1, 0))
    end = night_end(config, now=at(5, 23, 50), left_s=80 * 60, started_at=at(5, 22, 5))
    assert end.scheduled_end == at(6, 1, 0)
    assert end.projected == at(6, 1, 10)
    assert end.verdict() == "10 min late"


def test_a_rehearsal_in_the_afternoon_compares_lengths(tmp_path: Path) -> None:
    """Started at 10:17 for a 19:30-22:00 night: 'early by 12 h' would be noise; the useful
    figure is the run against the scheduled 2 h 30 min."""
    config = night_config(tmp_path)
    end = night_end(config, now=at(5, 11), left_s=2 * HOUR, started_at=at(5, 10, 17))
    assert end.basis is EndBasis.LENGTH
    assert end.projected == at(5, 13)
    assert round(end.late_s) == (13 * 60 - (10 * 60 + 17) - 150) * 60
    assert end.verdict() == "rehearsal: 13 min over the scheduled length"


def test_the_day_after_is_a_rehearsal_too(tmp_path: Path) -> None:
    config = night_config(tmp_path)
    end = night_end(config, now=at(6, 14), left_s=2 * HOUR)
    assert end.basis is EndBasis.LENGTH
    assert end.projected == at(6, 16)
    assert not end.waiting_for_start
    assert end.verdict() == "rehearsal: 30 min under the scheduled length"


def test_a_laptop_clock_in_another_zone_reads_the_event_clock(tmp_path: Path) -> None:
    config = night_config(tmp_path)
    utc_now = at(5, 21).astimezone(dt.UTC)
    end = night_end(config, now=utc_now, left_s=HOUR, started_at=at(5, 19, 30))
    assert f"{end.projected:%H:%M}" == "22:00"
    assert end.verdict() == "on time"
