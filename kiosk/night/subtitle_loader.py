"""The films' subtitles, read and parsed on a thread of their own before the films come up.

The show's GUI thread times every cut; a subtitle file read at the film's first frame (from a
slow USB disk, say) would hold it up. The loader reads every film's file in programme order
as soon as the show opens, so each film's cues are ready long before it plays (the title card
alone lasts seconds); a film whose file is still being read shows no subtitle until it is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.programme import Film
from kiosk.core.subtitles import SubtitleCue, SubtitleError, decode_subtitle_bytes, parse_srt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedSubtitles:
    """One film's cues, or why they cannot be shown (then no cue)."""

    cues: list[SubtitleCue]
    problem: str | None = None


def read_subtitles(path: Path) -> LoadedSubtitles:
    """Read and parse one subtitle file (on the loader's thread)."""
    try:
        return LoadedSubtitles(parse_srt(decode_subtitle_bytes(path.read_bytes())))
    except (OSError, SubtitleError) as exc:
        return LoadedSubtitles([], str(exc))


class SubtitleLoader:
    """Reads every film's subtitles ahead of the show, off the GUI thread."""

    def __init__(self, films: Iterable[Film]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="subtitles")
        self._loading: dict[str, Future[LoadedSubtitles]] = {
            film.id: self._executor.submit(read_subtitles, film.subtitles)
            for film in films
            if film.subtitles is not None
        }

    def ready(self, film_id: str) -> LoadedSubtitles | None:
        """The film's subtitles once read (no cue for a film without any); None while its
        file is still being read. Never waits."""
        future = self._loading.get(film_id)
        if future is None:
            return LoadedSubtitles([])
        if not future.done():
            return None
        return future.result()

    def close(self) -> None:
        """Stop reading (files not started yet are skipped)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
