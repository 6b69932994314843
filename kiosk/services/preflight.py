"""Run the preflight check over a whole programme and store what it measured."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.event import EventConfig
from kiosk.core.preflight import FilmCheck, MediaFacts, ScheduleCheck, assess_film, check_schedule
from kiosk.core.programme import Film, Programme
from kiosk.core.subtitles import SubtitleCue, SubtitleError, decode_subtitle_bytes, parse_srt
from kiosk.media.identity import identify
from kiosk.media.image_header import image_size
from kiosk.media.probe import probe_media, require_tools
from kiosk.media.vlc_backend import PlayerUnavailableError, check_opens, create_instance
from kiosk.services.music import check_music
from kiosk.store.event_folder import EventFolder
from kiosk.store.film_checks import FilmCheckRepository

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, film id just finished)


@dataclass(frozen=True)
class PreflightReport:
    """All film checks in run order, plus the schedule."""

    checks: list[FilmCheck]
    schedule: ScheduleCheck
    music: list[FilmCheck] = field(default_factory=list)  # the room's music (never blocks)
    music_notes: list[str] = field(default_factory=list)  # e.g. an empty music folder

    @property
    def ok(self) -> bool:
        """True when nothing would stop the show."""
        return all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, object]:
        """The `preflight --json` object."""
        return {
            "ok": self.ok,
            "films": [c.to_json() for c in self.checks],
            "schedule": {
                "total_s": round(self.schedule.total_s, 1),
                "films_s": round(self.schedule.films_s, 1),
                "cards_s": round(self.schedule.cards_s, 1),
                "intermission_s": round(self.schedule.intermission_s, 1),
                "scheduled_s": round(self.schedule.scheduled_s, 1),
                "overrun_s": round(self.schedule.overrun_s, 1),
                "projected_end": self.schedule.projected_end.isoformat(timespec="minutes"),
                "scheduled_end": self.schedule.scheduled_end.isoformat(timespec="minutes"),
                "summary": self.schedule.describe(),
            },
            "music": [_music_json(c) for c in self.music],
            "music_notes": list(self.music_notes),
        }


def _music_json(check: FilmCheck) -> dict[str, object]:
    """One music file in `preflight --json`: a film's fields that mean something for sound."""
    full = check.to_json()
    return {key: full[key] for key in _MUSIC_JSON_KEYS}


_MUSIC_JSON_KEYS = (
    "file",
    "ok",
    "duration_s",
    "audio_channels",
    "audio_codec",
    "loudness_lufs",
    "true_peak_dbtp",
    "gain_db",
    "gain_wanted_db",
    "gain_limited_by",
    "file_size",
    "problems",
    "warnings",
)


def _check_subtitles(film: Film) -> tuple[str | None, list[SubtitleCue]]:
    """(why the subtitles cannot be shown, or None; their cues)."""
    if film.subtitles is None:
        return None, []
    try:
        return None, parse_srt(decode_subtitle_bytes(film.subtitles.read_bytes()))
    except FileNotFoundError:
        return "file not found", []
    except OSError as exc:
        return f"cannot be read: {exc.strerror}", []
    except SubtitleError as exc:
        return str(exc), []


def _check_still(film: Film) -> str | None:
    if film.still is None:
        return None
    if not film.still.is_file():
        return f"not found: {film.still}"
    if image_size(film.still) is not None:
        return None  # a PNG or JPEG with a sound header: no decoder process needed
    ffprobe, _ = require_tools()
    result = subprocess.run(
        [
            ffprobe,
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width",
            "-of",
            "csv=p=0",
            str(film.still),
        ],
        capture_output=True,
        check=False,
        timeout=30,
    )
    if result.returncode != 0 or not result.stdout.strip():
        return f"{film.still.name} is not a readable image"
    return None


class PreflightRunner:
    """Checks every film of a programme, in parallel, with the show's own player as a witness."""

    def __init__(
        self,
        config: EventConfig,
        programme: Programme,
        *,
        workers: int | None = None,
        use_player: bool = True,
    ) -> None:
        self.config = config
        self.programme = programme
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self._player: object | None = None
        self._player_lock = threading.Lock()
        if use_player:
            try:
                self._player = create_instance(headless=True)
            except PlayerUnavailableError as exc:
                log.warning("preflight without the player check: %s", exc)

    def _player_error(self, path: Path) -> str | None:
        if self._player is None:
            return None
        with self._player_lock:  # one parse at a time through the shared instance
            return check_opens(self._player, path)

    def check_film(self, film: Film) -> FilmCheck:
        """Measure and judge one film."""
        identity = identify(film.file)  # before measuring: a file changing meanwhile shows
        facts = probe_media(film.file)
        extra: dict[str, object] = {}
        if identity is not None:
            extra.update(
                fingerprint=identity.fingerprint,
                file_size=identity.size,
                file_mtime=identity.mtime,
            )
        if facts.readable:
            player_error = self._player_error(film.file)
            if player_error:
                extra["player_error"] = player_error
        if extra:
            facts = MediaFacts(**{**facts.__dict__, **extra})
        subtitle_error, cues = _check_subtitles(film)
        check = assess_film(
            film,
            facts,
            target_lufs=self.config.loudness_target_lufs,
            min_film_seconds=self.config.min_film_seconds,
            subtitle_error=subtitle_error,
            still_error=_check_still(film),
            subtitle_cues=cues,
        )
        log.info("preflight %s: %s %s", film.id, "ok" if check.ok else "BLOCKED", check.problems)
        return check

    def run(self, progress: Progress | None = None) -> PreflightReport:
        """Check all films; `progress` is called from worker threads as each one finishes."""
        films = list(self.programme)
        done = 0
        done_lock = threading.Lock()

        def one(film: Film) -> FilmCheck:
            nonlocal done
            check = self.check_film(film)
            with done_lock:
                done += 1
                if progress:
                    progress(done, len(films), film.id)
            return check

        with ThreadPoolExecutor(self.workers, thread_name_prefix="preflight") as pool:
            checks = list(pool.map(one, films))
        schedule = check_schedule(
            self.programme, self.config, {c.film_id: c.duration_s for c in checks}
        )
        return PreflightReport(checks, schedule)


def run_preflight(folder: EventFolder, progress: Progress | None = None) -> PreflightReport:
    """Check the event's programme and store the results (loudness, gain) for playback."""
    config = folder.load_config()
    programme = folder.load_programme(config)
    report = PreflightRunner(config, programme).run(progress)
    music: list[FilmCheck] = []
    notes: list[str] = []
    if programme.music is not None:
        music, notes = check_music(programme.music, config.loudness_target_lufs)
    checks = FilmCheckRepository(folder.open_db())
    checks.save_run(
        [*report.checks, *music],
        {
            "films": len(report.checks),
            "blocked": [c.film_id for c in report.checks if not c.ok],
            "total_s": round(report.schedule.total_s, 1),
            "music": len(music),
            "music_left_out": [str(c.file.name) for c in music if not c.ok],
        },
    )
    return PreflightReport(report.checks, report.schedule, music, notes)


def recheck_film(folder: EventFolder, film_id: str) -> FilmCheck:
    """Preflight one film again (its file changed or vanished) and store the result."""
    config = folder.load_config()
    programme = folder.load_programme(config)
    film = next((f for f in programme if f.id == film_id), None)
    if film is None:
        raise KeyError(f"film {film_id} is not in the programme")
    check = PreflightRunner(config, programme, workers=1).check_film(film)
    FilmCheckRepository(folder.open_db()).save_run(
        [check], {"films": 1, "recheck": film_id, "blocked": [] if check.ok else [film_id]}
    )
    return check
