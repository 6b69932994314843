"""Preflight verdicts from measured facts (no media needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.core.event import EventConfig
from kiosk.core.preflight import (
    MediaFacts,
    assess_film,
    check_schedule,
    playback_gain,
    playback_gain_db,
)
from kiosk.core.programme import Film, programme_from_dict

FILM = Film("F1", 1, "Title", "片名", "Dir", "HK", 2026, Path("/films/f1.mp4"), 200, "main")
GOOD = MediaFacts(
    exists=True,
    readable=True,
    container_duration_s=200.0,
    decoded_duration_s=200.0,
    width=1920,
    height=1080,
    display_aspect=16 / 9,
    fps=24.0,
    video_streams=1,
    audio_streams=1,
    audio_channels=2,
    loudness_lufs=-20.0,
    peak_dbfs=-3.0,
)


def assess(facts: MediaFacts, **kwargs: object) -> tuple[bool, list[str], list[str]]:
    check = assess_film(FILM, facts, target_lufs=-23.0, **kwargs)  # type: ignore[arg-type]
    return check.ok, check.problems, check.warnings


def test_good_film_passes_with_gain() -> None:
    check = assess_film(FILM, GOOD, target_lufs=-23.0)
    assert check.ok and not check.problems and not check.warnings
    assert check.gain_db == -3.0
    assert check.to_json()["duration_s"] == 200.0


def test_missing_file() -> None:
    ok, problems, _ = assess(MediaFacts(exists=False))
    assert not ok and problems == ["file not found: /films/f1.mp4"]


def test_no_audio_blocks_the_show() -> None:
    facts = MediaFacts(**{**GOOD.__dict__, "audio_streams": 0, "loudness_lufs": None})
    ok, problems, _ = assess(facts)
    assert not ok and "no audio track" in problems[0]


def test_truncated_film_blocks_the_show() -> None:
    facts = MediaFacts(
        **{**GOOD.__dict__, "decoded_duration_s": 90.0, "decode_errors": ("partial file",)}
    )
    ok, problems, _ = assess(facts)
    assert not ok
    assert any("does not decode cleanly" in p for p in problems)
    assert any("cut short" in p and "3:20" in p and "1:30" in p for p in problems)


def test_warnings_do_not_block() -> None:
    facts = MediaFacts(
        **{**GOOD.__dict__, "decoded_duration_s": 100.0, "container_duration_s": 100.0}
    )
    ok, _, warnings = assess(facts, min_film_seconds=180, still_error="x.png is not an image")
    assert ok
    assert any("shorter than the 3:00 minimum" in w for w in warnings)
    assert any("declares 3:20" in w for w in warnings)
    assert any("still image" in w for w in warnings)


def test_broken_subtitles_block() -> None:
    ok, problems, _ = assess(GOOD, subtitle_error="line 3: expected a cue number")
    assert not ok and "line 3" in problems[0]


@pytest.mark.parametrize(
    ("lufs", "peak", "gain"),
    [
        (-23.0, -5.0, 0.0),
        (-30.0, -20.0, 7.0),
        (-30.0, -3.0, 2.0),
        (-50.0, -40.0, 25.0),
        (-45.0, -30.0, 22.0),
        (-23.0, 1.9, -2.9),
        (-5.0, 0.0, -18.0),
        (None, None, 0.0),
        (-80.0, -70.0, 0.0),
        (float("-inf"), None, 0.0),
    ],
)
def test_gain_reaches_target_within_limits(
    lufs: float | None, peak: float | None, gain: float
) -> None:
    assert playback_gain_db(lufs, -23.0, peak) == gain


def test_a_limited_gain_says_what_limited_it_and_an_unlimited_one_says_nothing() -> None:
    free = playback_gain(-30.0, -23.0, -20.0)
    assert free.limited_by is None and free.describe(-23.0, -20.0) is None
    peaky = playback_gain(-30.0, -23.0, -3.0)
    assert (peaky.gain_db, peaky.wanted_db, peaky.limited_by) == (2.0, 7.0, "true_peak")
    text = peaky.describe(-23.0, -3.0)
    assert text == (
        "gain limited to +2.0 dB (reaching -23 LUFS needs +7.0 dB): more would push its true "
        "peak (-3.0 dBTP) over -1 dBTP; it will play 5.0 LU under the target"
    )
    quiet = playback_gain(-60.0, -23.0, -50.0)
    assert quiet.limited_by == "max_boost" and "noise" in (quiet.describe(-23.0, -50.0) or "")


def test_schedule_adds_cards_and_intermission(tmp_path: Path) -> None:
    programme = programme_from_dict(
        {
            "programme": {"name_en": "N", "name_zh": "夜"},
            "intermission": {"after_film": "a", "minutes": 15},
            "films": [
                {
                    "id": i,
                    "title_en": "T",
                    "title_zh": "片",
                    "director": "D",
                    "country": "C",
                    "year": 2026,
                    "runtime": 600,
                    "file": "f.mp4",
                }
                for i in ("a", "b")
            ],
        },
        tmp_path / "p.toml",
    )
    config = EventConfig(
        tmp_path / "e.toml",
        "N",
        "夜",
        dt.date(2026, 12, 5),
        dt.time(19, 30),
        dt.time(20, 0),
        "V",
        "場",
        10,
        tmp_path / "p.toml",
        title_card_seconds=10,
    )
    schedule = check_schedule(programme, config, {"a": 300.0})
    assert schedule.total_s == 300 + 600 + 20 + 900
    assert schedule.overrun_s == schedule.total_s - 1800
    assert "OVER by" in schedule.describe()
    assert schedule.projected_end == dt.datetime(2026, 12, 5, 20, 0, 20)
