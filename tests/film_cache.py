"""Test films rendered once and shared: each `ClipSpec` (and each `MusicSpec` of room music) is
encoded by ffmpeg once, then copied.

The suite's films are real H.264 + AAC files made by `kiosk.media.generate.render_clip`; the
long ones (the sound alarm's 40-second film) took most of a serial run when every test encoded
its own. `FilmCache.render(spec, out)` renders a spec the first time anyone asks for it and
copies it to `out` (a private copy: a test may replace or truncate its film); `music(spec, out)`
does the same for a room-music track. The cache key is the spec and the exact ffmpeg command
line, so a change to either renders afresh. The demo night the tests build
(`demo_event_template`) takes its 35 films and 4 tracks from here too
(`build_demo(..., render_film=cache.render, render_track=cache.music)`).

The cache lives in pytest's cache folder (`.pytest_cache/d/films`, removed by `make clean`), so
the parallel workers, the serial pass and the next run share it; a lock file per film makes a
second process wait for the first one's encode instead of repeating it.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from kiosk.media.generate import ClipSpec, clip_command, render_clip
from kiosk.media.music_tracks import MusicSpec, music_command, render_music
from tests.run_shared import exclusive_lock


def spec_key(spec: ClipSpec) -> str:
    """A name for `spec` that changes with the spec or with the command that renders it."""
    with tempfile.TemporaryDirectory(prefix="film-key-") as text_dir:
        command = clip_command(spec, Path("/out.mp4"), Path(text_dir))
        command = [part.replace(text_dir, "<text>") for part in command]
    return _key(repr(spec), command)


def music_key(spec: MusicSpec) -> str:
    """A name for the track `spec` that changes with the spec or with the command that
    renders it."""
    return _key(repr(spec), music_command(spec, Path("/out.m4a")))


def _key(spec_text: str, command: list[str]) -> str:
    digest = hashlib.sha256(spec_text.encode("utf-8"))
    digest.update("\0".join(command).encode("utf-8"))
    return digest.hexdigest()[:20]


class FilmCache:
    """Renders each test film once per cache folder and hands out copies of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.rendered = 0  # films and tracks this process encoded (the others came from the cache)

    def path(self, spec: ClipSpec) -> Path:
        """The shared rendering of `spec` (encoded now if nobody has yet). Read it, never
        change it: `render` gives a private copy."""
        return self._shared(spec_key(spec), ".mp4", lambda out: render_clip(spec, out))

    def render(self, spec: ClipSpec, out: Path) -> Path:
        """A private copy of `spec`'s film at `out` (what `render_clip(spec, out)` makes)."""
        return self._copy(self.path(spec), out)

    def music(self, spec: MusicSpec, out: Path) -> Path:
        """A private copy of the track `spec` at `out` (what `render_music(spec, out)` makes)."""
        shared = self._shared(music_key(spec), ".m4a", lambda path: render_music(spec, path))
        return self._copy(shared, out)

    def _shared(self, key: str, suffix: str, make: Callable[[Path], Path]) -> Path:
        cached = self.folder / f"{key}{suffix}"
        with exclusive_lock(self.folder / f"{key}.lock"):
            if not cached.is_file():
                make(cached)  # written under a temporary name, then renamed
                self.rendered += 1
        return cached

    @staticmethod
    def _copy(shared: Path, out: Path) -> Path:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared, out)
        return out
