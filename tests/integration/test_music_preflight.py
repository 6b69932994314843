"""Preflight of the room's music, as a real process on real files: `preflight --json` measures
every music file (length, loudness, true peak, the gain to the music's target), leaves out what
would not play well with a reason, and never fails the show for it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core.music_plan import MusicMoment
from kiosk.media.music_tracks import MusicSpec, render_music
from kiosk.services.music import music_files
from kiosk.store.event_folder import EventFolder
from tests.conftest import film_toml, write_event

MAIN = Path(__file__).resolve().parents[2] / "main.py"

pytestmark = pytest.mark.vlc


def test_preflight_measures_the_music_and_leaves_out_what_cannot_play(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    event = write_event(tmp_path / "event", [film_toml("A1", clips["good"])])
    music = event.root / "music"
    render_music(MusicSpec((330.0, 440.0), 8.0, volume_db=-14.0), music / "doors" / "good.m4a")
    render_music(MusicSpec((330.0,), 2.0), music / "doors" / "short.m4a")
    (music / "doors" / "fake.mp3").write_bytes(b"this is not music\n" * 100)
    (music / "empty").mkdir()
    with (event.root / "programme.toml").open("a", encoding="utf-8") as programme:
        programme.write('\n[music]\ndoors = "music/doors"\nintermission = "music/empty"\n')
    result = subprocess.run(
        [sys.executable, str(MAIN), "--event", str(event.root), "preflight", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr  # music never stops the show
    report = json.loads(result.stdout)
    by_name = {Path(m["file"]).name: m for m in report["music"]}
    good = by_name["good.m4a"]
    assert good["ok"] and 7.5 < good["duration_s"] < 8.5
    # measured at about -17 LUFS: brought to the music's target, -23 - 8 = -31 LUFS
    assert abs(good["loudness_lufs"] + good["gain_db"] - (-31.0)) <= 0.1
    assert good["true_peak_dbtp"] is not None and good["true_peak_dbtp"] < -1
    assert not by_name["short.m4a"]["ok"]
    assert "too short for room music" in by_name["short.m4a"]["problems"][0]
    assert not by_name["fake.mp3"]["ok"]
    assert by_name["fake.mp3"]["problems"][0].startswith("cannot be read as an audio file")
    assert any("music/empty has no audio files" in note for note in report["music_notes"])
    assert report["ok"]
    text = subprocess.run(
        [sys.executable, str(MAIN), "--event", str(event.root), "preflight"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    ).stdout
    assert "good.m4a" in text and "OUT" in text and "too short for room music" in text


def test_demo_night_has_music_for_each_moment(demo_event: EventFolder) -> None:
    programme = demo_event.load_programme(demo_event.load_config())
    assert programme.music is not None
    for moment in MusicMoment:
        listed = programme.music.list_for(moment)
        assert listed is not None
        files, problems = music_files(listed)
        assert files and not problems, (moment, problems)
