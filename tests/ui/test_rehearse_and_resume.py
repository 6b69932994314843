"""`rehearse` as a real process (offscreen, real libvlc with dummy outputs), and resuming the
show in the console after that process was killed mid-film."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.show import ShowPhase
from kiosk.media.player import SlotState
from kiosk.night.show import read_resume_point
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.ui.app import make_application, open_console
from tests.conftest import SHORT_HOLDS, film_toml, rehearse_until_killed, write_event
from tests.ui.app_process import main_py, offscreen_env

pytestmark = [pytest.mark.vlc, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_rehearse_straight_cut_plays_the_programme_and_journals_it(
    small_event: EventFolder,
) -> None:
    result = subprocess.run(
        main_py(
            "--event",
            str(small_event.root),
            "rehearse",
            "--straight-cut",
            "--exit-at-end",
            *SHORT_HOLDS,
        ),
        env=offscreen_env(),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "3/3 films played" in result.stderr
    entries = list(Journal(small_event.open_db()).entries())
    assert entries[0].kind == "show_reset"
    ended = [e.subject for e in entries if e.kind == "film_ended"]
    assert ended == ["A1", "A2", "A3"]
    cues = [e.data["cue"] for e in entries if e.kind == "cue_started"]
    assert cues == ["holding", "film:A1", "film:A2", "film:A3", "end"]  # straight cut
    starts = {
        e.data["cue"]: dt.datetime.fromisoformat(str(e.at))
        for e in entries
        if e.kind == "cue_started"
    }
    held = (starts["film:A1"] - starts["holding"]).total_seconds()
    assert 0.9 < held < 3.0, held  # `--hold 1`, not the default 5 s


def test_rehearse_plays_files_as_an_adhoc_programme(tmp_path: Path, clips: dict[str, Path]) -> None:
    files = [str(clips["good"]), str(clips["vertical"])]
    result = subprocess.run(
        # straight cut: the ad-hoc programme is what is checked, not its 5 s title cards
        main_py(
            "--event",
            str(tmp_path / "none"),
            "rehearse",
            "--straight-cut",
            "--exit-at-end",
            *SHORT_HOLDS,
            *files,
        ),
        env=offscreen_env(),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2/2 films played" in result.stderr
    assert "R02 · vertical" in result.stderr
    missing = subprocess.run(
        main_py("--event", str(tmp_path / "none"), "rehearse", str(tmp_path / "nope.mp4")),
        env=offscreen_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert missing.returncode == 1 and "no such file" in missing.stderr


@pytest.mark.serial  # the resumed film's position is compared within 1.5 s
def test_resume_after_the_show_process_is_killed(qtbot: QtBot, long_event: EventFolder) -> None:
    rehearse_until_killed(
        long_event, "L2", 1.0, "--straight-cut", env=offscreen_env(), timeout_s=60
    )
    point = read_resume_point(Journal(long_event.open_db()))
    assert point is not None and point.cue_key == "film:L2"
    assert 1.0 <= point.position_s < 6.0

    make_application()
    window, _reporter = open_console(long_event)  # the lock died with the process
    qtbot.addWidget(window)
    window.show()
    panel = window.show_panel
    show = window.night.show
    assert panel is not None and show is not None
    assert panel.resume_banner.isVisible()
    assert "film 2 · Film L2 at 0:0" in panel.resume_text.text()
    assert show.snapshot().phase is ShowPhase.PAUSED  # restored paused, never auto-playing
    qtbot.wait(1500)
    assert show.snapshot().phase is ShowPhase.PAUSED
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)  # GO continues there
    assert show.snapshot().phase is ShowPhase.FILM
    slot = show.on_stage
    assert slot is not None
    qtbot.waitUntil(lambda: show.players.state_of(slot) is SlotState.PLAYING, timeout=5000)
    qtbot.waitUntil(lambda: show.players.time_of(slot) > 0, timeout=5000)
    assert abs(show.players.time_of(slot) - point.position_s) < 1.5
    window.close()


@pytest.mark.serial  # the title card's length is measured (2.8-3.6 s)
def test_unattended_rehearsal_skips_only_the_film_that_fails_on_screen(
    tmp_path: Path, clips: dict[str, Path]
) -> None:
    """The next film failing while it preloads must not cut the film on screen; it is skipped
    at its own turn, and the title cards keep their length."""
    clip = clips["good"]  # 2 s: the failed preload cut it after ~1 s (its first position)
    event = write_event(
        tmp_path / "event",
        [film_toml("GOOD", clip), film_toml("FAKE", clips["fake"]), film_toml("AFTER", clip)],
    )
    result = subprocess.run(
        main_py("--event", str(event.root), "rehearse", "--exit-at-end", *SHORT_HOLDS),
        env=offscreen_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "2/3 films played" in result.stderr, result.stderr
    assert "FAKE could not be preloaded" in result.stderr
    entries = list(Journal(event.open_db()).entries())
    ended = {e.subject: e.data for e in entries if e.kind == "film_ended"}
    assert set(ended) == {"GOOD", "AFTER"}
    assert float(ended["GOOD"]["position"]) > 1.6  # played to its end, not cut after ~1 s
    statuses = {e.subject: e.data["status"] for e in entries if e.kind == "film_status"}
    assert statuses == {"GOOD": "played", "FAKE": "failed", "AFTER": "played"}
    assert {e.subject for e in entries if e.kind == "preload_failed"} == {"FAKE"}
    starts = {e.data["cue"]: e.at for e in entries if e.kind == "cue_started"}

    def at(key: str) -> dt.datetime:
        return dt.datetime.fromisoformat(str(starts[key]))

    card = (at("film:GOOD") - at("card:GOOD")).total_seconds()
    assert 2.8 < card < 3.6, card  # the event's 3 s title card, kept
