"""Test films rendered once and shared: each `ClipSpec` is encoded by ffmpeg once, then copied.

The suite's films are real H.264 + AAC files made by `kiosk.media.generate.render_clip`; the
long ones (the sound alarm's 40-second film) took most of a serial run when every test encoded
its own. `FilmCache.render(spec, out)` renders a spec the first time anyone asks for it and
copies it to `out` (a private copy: a test may replace or truncate its film). The cache key is
the spec and the exact ffmpeg command line, so a change to either renders afresh.

The cache lives in pytest's cache folder (`.pytest_cache/d/films`, removed by `make clean`), so
the parallel workers, the serial pass and the next run share it; a lock file per film makes a
second process wait for the first one's encode instead of repeating it.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.media.generate import ClipSpec, clip_command, render_clip


def spec_key(spec: ClipSpec) -> str:
    """A name for `spec` that changes with the spec or with the command that renders it."""
    with tempfile.TemporaryDirectory(prefix="film-key-") as text_dir:
        command = clip_command(spec, Path("/out.mp4"), Path(text_dir))
        command = [part.replace(text_dir, "<text>") for part in command]
    digest = hashlib.sha256(repr(spec).encode("utf-8"))
    digest.update("\0".join(command).encode("utf-8"))
    return digest.hexdigest()[:20]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class FilmCache:
    """Renders each test film once per cache folder and hands out copies of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.rendered = 0  # films this process encoded (the others came from the cache)

    def path(self, spec: ClipSpec) -> Path:
        """The shared rendering of `spec` (encoded now if nobody has yet). Read it, never
        change it: `render` gives a private copy."""
        key = spec_key(spec)
        cached = self.folder / f"{key}.mp4"
        with _locked(self.folder / f"{key}.lock"):
            if not cached.is_file():
                render_clip(spec, cached)  # written under a temporary name, then renamed
                self.rendered += 1
        return cached

    def render(self, spec: ClipSpec, out: Path) -> Path:
        """A private copy of `spec`'s film at `out` (what `render_clip(spec, out)` makes)."""
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path(spec), out)
        return out
