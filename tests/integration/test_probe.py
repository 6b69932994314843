"""The media probe and the preflight runner on real generated clips, with the real libvlc."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.problems import ConfigError
from kiosk.media.probe import probe_media
from kiosk.media.vlc_backend import check_opens, create_instance
from kiosk.services.film_media import FilmMedia
from kiosk.services.preflight import run_preflight
from kiosk.store.event_folder import EventFolder
from kiosk.store.film_checks import FilmCheckRepository
from tests.conftest import film_toml, write_event


def test_probe_measures_a_good_clip(clips: dict[str, Path]) -> None:
    facts = probe_media(clips["good"])
    assert facts.readable and not facts.decode_errors
    assert facts.width == 320 and facts.height == 180
    assert facts.fps == 25.0
    assert facts.audio_channels == 2
    assert facts.decoded_duration_s == pytest.approx(2.0, abs=0.1)
    assert facts.loudness_lufs is not None and -40 < facts.loudness_lufs < -5


def test_probe_sees_a_truncated_file(clips: dict[str, Path]) -> None:
    facts = probe_media(clips["truncated"])
    assert facts.decode_errors or (
        facts.decoded_duration_s is not None and facts.decoded_duration_s < 1.6
    )


def test_probe_reports_missing_and_fake_files(clips: dict[str, Path], tmp_path: Path) -> None:
    assert not probe_media(tmp_path / "nope.mp4").exists
    fake = probe_media(clips["fake"])
    assert fake.exists and not fake.readable and fake.error


def test_libvlc_opens_real_films_and_refuses_fakes(clips: dict[str, Path]) -> None:
    instance = create_instance(headless=True)
    assert check_opens(instance, clips["good"]) is None
    assert check_opens(instance, clips["fake"]) is not None


def test_preflight_stores_gain_for_playback(small_event: EventFolder) -> None:
    report = run_preflight(small_event)
    assert report.ok, [c.problems for c in report.checks]
    stored = FilmCheckRepository(small_event.open_db()).all()
    assert set(stored) == {"A1", "A2", "A3"}
    assert stored["A2"].width == 180 and stored["A2"].height == 320
    config = small_event.load_config()
    films = small_event.load_programme(config).films
    gain = FilmMedia(small_event.open_db(), films).gain_db("A1")
    assert gain == stored["A1"].gain_db and gain != 0.0
    kinds = [row["kind"] for row in small_event.open_db()["journal"].rows]
    assert kinds == ["preflight_run"]


def test_each_broken_film_gets_one_precise_message(tmp_path: Path, clips: dict[str, Path]) -> None:
    subs = tmp_path / "bad.srt"
    subs.write_text("1\n00:00:01,000 -> 00:00:02,000\nHi\n", encoding="utf-8")
    folder = write_event(
        tmp_path / "ev",
        [
            film_toml("OK1", clips["good"]),
            film_toml("MISS", tmp_path / "missing.mp4"),
            film_toml("TRUNC", clips["truncated"]),
            film_toml("MUTE", clips["silent_track_missing"]),
            film_toml("FAKE", clips["fake"]),
            film_toml("SUBS", clips["good"], subtitles=str(subs)),
        ],
    )
    report = run_preflight(folder)
    by_id = {c.film_id: c for c in report.checks}
    assert not report.ok
    assert by_id["OK1"].ok
    assert by_id["MISS"].problems == [f"file not found: {tmp_path / 'missing.mp4'}"]
    assert any("cut short" in p or "decode" in p for p in by_id["TRUNC"].problems)
    assert by_id["MUTE"].problems == [
        "has no audio track: the film would play in silence "
        '(if it is meant to be silent, set audio = "none" for it in the programme)'
    ]
    assert len(by_id["FAKE"].problems) >= 1
    assert "cannot be read as a video file" in by_id["FAKE"].problems[0]
    assert by_id["SUBS"].problems == [
        "subtitles bad.srt: line 2: expected 'hh:mm:ss,mmm --> "
        "hh:mm:ss,mmm', found '00:00:01,000 -> 00:00:02,000'"
    ]


def test_programme_error_stops_before_any_film_is_checked(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    folder = write_event(
        tmp_path / "ev", [film_toml("A", clips["good"]).replace("year = 2026", "year = 1")]
    )
    with pytest.raises(ConfigError, match="film A"):
        run_preflight(folder)
