"""The room's music as the night plays it: the files each `[music]` list names (a folder's
audio files in name order), their preflight, and the tracks the music deck may play, each
with the gain its check measured (`kiosk.core.music_check`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.music import MusicTrack
from kiosk.core.music_check import assess_music, music_check_id
from kiosk.core.music_plan import MusicList, MusicMoment, MusicPlan, is_music_file
from kiosk.core.preflight import FilmCheck
from kiosk.media.probe import probe_media

log = logging.getLogger(__name__)


def music_files(music: MusicList) -> tuple[list[Path], list[str]]:
    """The files of one list (its files, then its folder's audio files by name) and what is
    wrong with the folder, if anything."""
    files = list(music.files)
    problems: list[str] = []
    folder = music.folder
    if folder is not None:
        try:
            found = sorted(p for p in folder.iterdir() if p.is_file() and is_music_file(p))
        except OSError as exc:
            problems.append(f"{music.moment.value} music folder {folder}: {exc.strerror}")
        else:
            if not found:
                problems.append(f"{music.moment.value} music folder {folder} has no audio files")
            files += found
    return files, problems


def check_music(
    plan: MusicPlan, films_target_lufs: float, workers: int = 2
) -> tuple[list[FilmCheck], list[str]]:
    """Measure every music file of the plan (each file once); the checks and the folder
    problems."""
    target = plan.target_lufs(films_target_lufs)
    paths: dict[Path, None] = {}
    problems: list[str] = []
    for music in plan.lists:
        files, found = music_files(music)
        problems += found
        paths.update(dict.fromkeys(files))

    def one(path: Path) -> FilmCheck:
        check = assess_music(path, probe_media(path), target_lufs=target)
        log.info("music preflight %s: %s %s", path.name, "ok" if check.ok else "LEFT OUT",
                 check.problems)  # fmt: skip
        return check

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="music-preflight") as pool:
        return list(pool.map(one, paths)), problems


@dataclass(frozen=True)
class MusicTracks:
    """What the deck may play, per moment, and what the booth should know about the rest."""

    tracks: dict[MusicMoment, list[MusicTrack]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def playable_tracks(plan: MusicPlan, checks: Mapping[str, FilmCheck]) -> MusicTracks:
    """Each moment's tracks: files that failed preflight are left out; files preflight has
    not measured (or that changed since) play at the offset under the films, unmeasured."""
    out = MusicTracks()
    for music in plan.lists:
        files, problems = music_files(music)
        out.notes.extend(problems)
        chosen: list[MusicTrack] = []
        for path in files:
            check = checks.get(music_check_id(path))
            size = _size(path)
            if size is None:
                out.notes.append(f"{music.moment.value} music {path.name}: file not found")
            elif check is None or check.file_size != size or check.gain_db is None:
                out.notes.append(
                    f"{music.moment.value} music {path.name} is not measured: run preflight "
                    "(F5); it plays unmeasured meanwhile"
                )
                chosen.append(MusicTrack(path, -plan.offset_lu, measured=False))
            elif not check.ok:
                out.notes.append(
                    f"{music.moment.value} music {path.name} left out: {'; '.join(check.problems)}"
                )
            else:
                chosen.append(MusicTrack(path, check.gain_db))
        out.tracks[music.moment] = chosen
    return out


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
