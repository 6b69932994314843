"""`python main.py stage-preview` puts the cards on a screen and exits after --seconds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder

ROOT = Path(__file__).resolve().parents[2]


def run_preview(event: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--event", str(event), "stage-preview", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_preview_shows_every_card_in_turn_then_exits(demo_event: EventFolder) -> None:
    result = run_preview(demo_event.root, "--seconds", "0.5")
    assert result.returncode == 0, result.stderr
    shown = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert shown == ["holding", "title", "intermission", "end", "vote"]
    assert "Stage on screen" in result.stdout


def test_preview_of_one_card_on_an_unknown_screen_says_so(demo_event: EventFolder) -> None:
    result = run_preview(demo_event.root, "--card", "end", "--seconds", "0.5", "--screen", "X9")
    assert result.returncode == 0, result.stderr
    assert "No screen named 'X9'" in result.stderr
    assert [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")] == ["end"]


def test_preview_without_an_event_fails_clearly(tmp_path: Path) -> None:
    result = run_preview(tmp_path / "nothing-here", "--seconds", "0.5")
    assert result.returncode == 1
    assert "python main.py demo" in result.stderr
