"""event.toml validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.core.event import load_event_config
from kiosk.core.problems import ConfigError
from tests.conftest import EVENT_TOML


def test_valid_event(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text(EVENT_TOML, encoding="utf-8")
    config = load_event_config(path)
    assert config.date == dt.date(2026, 12, 5)
    assert config.start == dt.time(19, 30)
    assert config.programme_file == tmp_path / "programme.toml"
    assert config.scheduled_minutes == 150
    assert config.loudness_target_lufs == -23.0
    assert [a.id for a in config.awards] == ["best-film"]


def test_problems_name_table_and_field(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text(
        EVENT_TOML.replace("capacity = 100", "capacity = -1")
        .replace("start = 19:30:00", 'start = "half past seven"')
        .replace("title_card_seconds = 3", "title_card_seconds = 99"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_event_config(path)
    text = str(caught.value)
    assert "[event]: field 'capacity': must be more than 0" in text
    assert "[event]: field 'start'" in text
    assert "[show]: field 'title_card_seconds'" in text


def test_show_running_past_midnight(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text(EVENT_TOML.replace("end = 22:00:00", "end = 00:30:00"), encoding="utf-8")
    assert load_event_config(path).scheduled_minutes == 300


def test_time_zone_defaults_to_hong_kong_and_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text(EVENT_TOML, encoding="utf-8")
    config = load_event_config(path)
    assert config.timezone == "Asia/Hong_Kong"
    assert dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC).astimezone(config.zone).hour == 20
    path.write_text(
        EVENT_TOML.replace("[event]\n", '[event]\ntimezone = "Europe/Lisbon"\n', 1),
        encoding="utf-8",
    )
    assert load_event_config(path).timezone == "Europe/Lisbon"
    path.write_text(
        EVENT_TOML.replace("[event]\n", '[event]\ntimezone = "Hong Kong"\n', 1), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_event_config(path)
    assert "[event]: field 'timezone': unknown time zone 'Hong Kong'" in str(caught.value)
