"""The command-line contract (docs/dev/cli-contract.md), run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from tests.conftest import film_toml, write_event

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), *args], capture_output=True, text=True, check=False, timeout=300
    )


@pytest.mark.slow  # the real `preflight` measures 35 films and 4 tracks
def test_demo_then_preflight_json_reports_35_measured_films(
    demo_preflight_run: subprocess.CompletedProcess[str],
) -> None:
    """The run that preflighted the shared demo night (`preflighted_demo_template`)."""
    result = demo_preflight_run
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["films"]) == 35
    for film in report["films"]:
        assert film["ok"], film
        assert {
            "id",
            "ok",
            "duration_s",
            "width",
            "height",
            "loudness_lufs",
            "gain_db",
            "problems",
        } <= set(film)
        assert film["duration_s"] > 1.5 and film["width"] and film["height"]
        assert film["audio_channels"] == 2 and film["loudness_lufs"] is not None
    # the demo's generated room music: doors (2 tracks), intermission, walk-out, all playable
    assert len(report["music"]) == 4 and all(m["ok"] for m in report["music"]), report["music"]
    aspects = {round(f["aspect"], 2) for f in report["films"]}
    assert {1.78, 1.33, 0.56} <= aspects
    assert "Preflight" in result.stderr  # the progress line


def test_demo_event_contents(demo_event: EventFolder) -> None:
    db = demo_event.open_db()
    assert db["attendees"].count == 40
    names = [r["name"] for r in db["attendees"].rows]
    assert any("\u4e00" <= ch <= "\u9fff" for name in names for ch in name)
    assert (demo_event.root / "registrations.demo.csv").is_file()
    assert (demo_event.root / "films" / "F05.en.srt").is_file()
    assert (demo_event.root / "stills" / "F01.png").is_file()
    assert demo_event.load_config().name_zh.startswith("AIFF")


def test_demo_refuses_to_overwrite_a_real_event(small_event: EventFolder) -> None:
    result = run("--event", str(small_event.root), "demo", "--film-seconds", "1")
    assert result.returncode == 1
    assert "holds a real event" in result.stderr
    assert (small_event.root / "programme.toml").is_file()


def test_preflight_fails_with_one_line_per_broken_film(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    folder = write_event(
        tmp_path / "ev",
        [
            film_toml("GOOD", clips["good"]),
            film_toml("GONE", tmp_path / "gone.mp4"),
            film_toml("MUTE", clips["silent_track_missing"]),
        ],
    )
    result = run("--event", str(folder.root), "preflight")
    assert result.returncode == 1
    assert "2 film(s) would stop the show: GONE, MUTE" in result.stdout
    gone = [line for line in result.stdout.splitlines() if line.startswith("GONE")]
    assert len(gone) == 1 and "file not found" in gone[0]
    data = json.loads(run("--event", str(folder.root), "preflight", "--json").stdout)
    assert [f["id"] for f in data["films"] if not f["ok"]] == ["GONE", "MUTE"]


def test_preflight_on_a_broken_programme(tmp_path: Path) -> None:
    folder = write_event(tmp_path / "ev", ["[[films]]\nid = F1\n"])
    result = run("--event", str(folder.root), "preflight", "--json")
    assert result.returncode == 1
    errors = json.loads(result.stdout)["errors"]
    assert len(errors) == 1 and "programme.toml: is not valid TOML" in errors[0]


def test_no_event_gives_the_way_out(tmp_path: Path) -> None:
    result = run("--event", str(tmp_path / "none"), "preflight")
    assert result.returncode == 1
    assert "demo" in result.stderr


@pytest.mark.parametrize("option", ["--hold", "--end-hold"])
def test_rehearse_refuses_a_negative_hold(small_event: EventFolder, option: str) -> None:
    result = run("--event", str(small_event.root), "rehearse", "--exit-at-end", option, "-1")
    assert result.returncode == 2  # a usage error, before any window opens
    assert f"Invalid value for '{option}'" in result.stderr, result.stderr


def test_logs_go_to_the_event_folder(small_event: EventFolder) -> None:
    run("--event", str(small_event.root), "preflight")
    log = (small_event.logs_dir / "kiosk.log").read_text(encoding="utf-8")
    assert "preflight A1: ok" in log
    assert (small_event.logs_dir / "crash.log").exists()
