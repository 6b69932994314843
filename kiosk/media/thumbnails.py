"""Small JPEG thumbnails of film stills for the phone vote page, made by ffmpeg in memory.

Nothing is written to disk: which thumbnails phones asked for is nobody's business.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.media.probe import ProbeToolMissingError, require_tools

log = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 192  # CSS 96 px at 2x: sharp on a phone, ~6-10 KB each
_TIMEOUT_S = 20


@dataclass(frozen=True)
class ThumbnailSource:
    """Where a film's thumbnail comes from: a still image, or the film itself at `at_s`."""

    path: Path
    at_s: float | None = None  # a moment of a film file; None: `path` is a picture


def thumbnail_jpeg(
    source: Path, width: int = THUMBNAIL_WIDTH, *, at_s: float | None = None
) -> bytes | None:
    """A JPEG of `source` (a picture, or a film's frame at `at_s`) scaled to `width` pixels
    wide, or None if ffmpeg cannot make one."""
    try:
        _, ffmpeg = require_tools()
    except ProbeToolMissingError:
        return None
    try:
        done = subprocess.run(
            [
                ffmpeg, "-v", "error", "-nostdin",
                *(["-ss", f"{at_s:.3f}"] if at_s is not None else []), "-i", str(source),
                "-vf", f"scale={width}:-2", "-frames:v", "1", "-q:v", "6",
                "-f", "image2pipe", "-c:v", "mjpeg", "-",
            ],
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        log.warning("a thumbnail could not be made (ffmpeg failed to run)")
        return None
    if done.returncode != 0 or not done.stdout.startswith(b"\xff\xd8"):
        log.warning("a thumbnail could not be made from a still")
        return None
    return done.stdout


class ThumbnailCache:
    """Thumbnails by film id, made once on first request and kept in memory."""

    def __init__(self, sources: dict[str, ThumbnailSource]) -> None:
        self._sources = dict(sources)
        self._made: dict[str, bytes | None] = {}
        self._lock = threading.Lock()

    def has(self, film_id: str) -> bool:
        """True if the film has a still to make a thumbnail from."""
        return film_id in self._sources

    def get(self, film_id: str) -> bytes | None:
        """The film's thumbnail (None: no still, or it could not be made)."""
        source = self._sources.get(film_id)
        if source is None:
            return None
        with self._lock:
            if film_id not in self._made:
                made = thumbnail_jpeg(source.path, at_s=source.at_s)
                if made is None and source.at_s:  # the film is shorter than it says
                    made = thumbnail_jpeg(source.path, at_s=0.0)
                self._made[film_id] = made
            return self._made[film_id]

    def prepare_all(self) -> int:
        """Make every thumbnail now (a background thread at server start, so that the first
        phone or voting station never waits for ffmpeg); returns how many were made."""
        made = sum(1 for film_id in list(self._sources) if self.get(film_id) is not None)
        log.info("prepared %d vote thumbnail(s)", made)
        return made
