"""Preflight results bound to the file they measured: a replaced or deleted film is flagged and
never plays at the old file's gain; `rehearse FILE...` finds each file's gain by its content."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli.show import adhoc_programme
from kiosk.core.media_identity import MediaState
from kiosk.media.generate import ClipSpec
from kiosk.media.identity import stat_key
from kiosk.services import film_media
from kiosk.services.film_media import FilmMedia
from kiosk.services.preflight import recheck_film, run_preflight
from kiosk.store.event_folder import EventFolder
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache

pytestmark = [pytest.mark.vlc, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def measured(tmp_path: Path, film_cache: FilmCache) -> tuple[EventFolder, Path, Path]:
    """An event of one loud film, preflighted; and a quiet file to swap in for it."""
    films = tmp_path / "films"
    loud = film_cache.render(ClipSpec(("Loud",), 2.0, 320, 180, volume_db=10), films / "film.mp4")
    quiet = film_cache.render(
        ClipSpec(("Quiet",), 2.0, 320, 180, volume_db=-20), tmp_path / "other" / "quiet.mp4"
    )
    folder = write_event(tmp_path / "event", [film_toml("F1", loud)])
    report = run_preflight(folder)
    assert report.checks[0].gain_db is not None and report.checks[0].gain_db < -5
    return folder, loud, quiet


def _media(folder: EventFolder) -> FilmMedia:
    return FilmMedia(folder.open_db(), folder.load_programme(folder.load_config()).films)


def test_the_measured_file_plays_at_its_gain(measured: tuple[EventFolder, Path, Path]) -> None:
    folder, _, _ = measured
    media = _media(folder)
    assert media.verdict("F1").state is MediaState.SAME
    stored = folder.open_db().execute("SELECT gain_db FROM film_checks").fetchone()[0]
    assert media.gain_db("F1") == stored


def test_a_replaced_film_is_flagged_and_never_plays_at_the_old_gain(
    measured: tuple[EventFolder, Path, Path],
) -> None:
    folder, loud, quiet = measured
    media = _media(folder)
    assert media.gain_db("F1") < -5
    shutil.copyfile(quiet, loud)  # swapped after preflight, same name
    verdict = media.verdict("F1")
    assert verdict.state is MediaState.CHANGED and "changed since preflight" in verdict.reason
    assert media.gain_db("F1") == 0.0
    check = recheck_film(folder, "F1")  # F6 in the console
    media.forget("F1")
    assert media.verdict("F1").state is MediaState.SAME
    assert media.gain_db("F1") == check.gain_db and (check.gain_db or 0) > 5


def test_a_truncated_or_deleted_film_is_flagged(measured: tuple[EventFolder, Path, Path]) -> None:
    folder, loud, _ = measured
    media = _media(folder)
    data = loud.read_bytes()
    loud.write_bytes(data[: len(data) // 2])
    assert media.verdict("F1").state is MediaState.CHANGED
    loud.unlink()
    assert media.verdict("F1").state is MediaState.MISSING
    assert media.gain_db("F1") == 0.0


def test_a_touched_file_of_the_same_content_is_flagged_too(
    measured: tuple[EventFolder, Path, Path],
) -> None:
    folder, loud, _ = measured
    stat = loud.stat()
    os.utime(loud, (stat.st_atime, stat.st_mtime + 60))
    assert _media(folder).verdict("F1").state is MediaState.CHANGED


def test_rehearse_files_are_found_by_content_with_their_subtitles(
    measured: tuple[EventFolder, Path, Path], tmp_path: Path
) -> None:
    folder, loud, _ = measured
    elsewhere = tmp_path / "copied" / "renamed.mp4"
    elsewhere.parent.mkdir()
    shutil.copyfile(loud, elsewhere)  # another name and place, the same content
    srt = elsewhere.with_suffix(".srt")
    srt.write_text("1\n00:00:00,500 --> 00:00:01,500\n字幕 Subtitle\n", encoding="utf-8")
    assert adhoc_programme([elsewhere]).films[0].subtitles == srt.resolve()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--event",
            str(folder.root),
            "rehearse",
            "--straight-cut",
            "--exit-at-end",
            str(elsewhere),
        ],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    db = folder.open_db()
    gains = [
        json.loads(r["data"])
        for r in db.query("SELECT data FROM journal WHERE kind = ?", ["film_gain"])
    ]
    assert len(gains) == 1
    assert gains[0]["film"] == "R01" and gains[0]["file"] == "same"
    assert gains[0]["preflight_db"] == db.execute("SELECT gain_db FROM film_checks").fetchone()[0]


def test_the_known_verdict_does_not_look_at_the_file_until_it_is_asked_again(
    measured: tuple[EventFolder, Path, Path],
) -> None:
    """The Show tab asks 10 times a second without touching the disk; the console's look every
    2 s (off the GUI thread) brings the news."""
    folder, loud, quiet = measured
    media = _media(folder)
    assert media.known_verdict("F1").state is MediaState.SAME  # never looked: looked now
    shutil.copyfile(quiet, loud)
    assert media.known_verdict("F1").state is MediaState.SAME  # as last looked at
    assert media.verdict("F1").state is MediaState.CHANGED  # the look every 2 s
    assert media.known_verdict("F1").state is MediaState.CHANGED


def test_the_players_gain_is_the_last_recent_look_without_a_stat(
    measured: tuple[EventFolder, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The players ask on the GUI thread (at each priming and volume change): while the last
    look is younger than KNOWN_FOR_S they get its gain without touching the disk; an older look
    is done again, so a replaced film still never plays at the old gain for long."""
    folder, loud, quiet = measured
    media = _media(folder)
    looked = media.known_gain_db("F1")  # never looked: looked now
    assert looked < -5
    stats: list[Path] = []

    def counted_stat_key(path: Path) -> tuple[int, int, int] | None:
        stats.append(path)
        return stat_key(path)

    monkeypatch.setattr(film_media, "stat_key", counted_stat_key)
    shutil.copyfile(quiet, loud)  # swapped after that look
    assert media.known_gain_db("F1") == looked and stats == []  # the recent look, no stat
    assert media.known_gain_db("F1", known_for_s=0.0) == 0.0  # an old look: looked again
    assert stats == [loud]
