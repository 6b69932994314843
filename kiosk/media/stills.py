"""Stills for the award reveal's cards: the film's own still, else a frame taken from the film.

A film may come with a still (`still = "stills/F03.png"` in the programme). For one without,
ffmpeg takes a frame at about a third of the film (past opening titles, before end credits) and
`StillProvider` keeps it as `<cache dir>/<film id>.jpg`, normally `<event>/cache/stills/`.

Secrecy. Taking stills only for the nominees would leave a trail on disk (which films got a
still, and when) that names the nominees before the reveal. So the cache is written only for
EVERY film at once: `prepare_all(programme)` makes a still for each film that has none (run it
once before the reveal, e.g. after preflight or when the reveal opens, with its progress
callback). `still_for(film)` never writes into the cache: it returns the film's own still or the
prepared one, and if neither exists (the cache was not prepared, or that film's extraction
failed) it takes the frame into a private temporary directory (mode 0700, files with random
names) that is deleted when the provider is closed or garbage collected, or when the process
exits. Log lines and exceptions of `still_for` never name the film.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kiosk.core.programme import Film, Programme
from kiosk.media.probe import ProbeToolMissingError, require_tools

log = logging.getLogger(__name__)

STILL_AT_FRACTION = 1 / 3  # where in the film a still is taken
MAX_STILL_WIDTH = 1920  # stills are never wider than the projector
JPEG_QUALITY = 3  # ffmpeg's -q:v (2 best .. 31 worst)
EXTRACT_TIMEOUT_S = 60

Progress = Callable[[int, int, str], None]  # (done, total, film id just finished)


def cache_dir_for(event_root: Path) -> Path:
    """Where an event keeps the stills taken from its films: `<event>/cache/stills`."""
    return event_root / "cache" / "stills"


def film_duration_s(file: Path) -> float | None:
    """The container's duration in seconds (ffprobe), or None if it cannot be read."""
    try:
        ffprobe, _ = require_tools()
    except ProbeToolMissingError:
        return None
    try:
        result = subprocess.run(
            [
                ffprobe,
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                str(file),
            ],
            capture_output=True,
            text=True,
            timeout=EXTRACT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    try:
        duration = float(result.stdout.strip())
    except ValueError:
        return None
    return duration if duration > 0 else None


def extract_frame(film_file: Path, out: Path, at_s: float) -> bool:
    """Write the frame at `at_s` as JPEG to `out` (square pixels, at most 1920 wide).

    The file appears under its name only when complete. Returns False if ffmpeg wrote no
    picture (e.g. `at_s` is past the end); ProbeToolMissingError without ffmpeg.
    """
    _, ffmpeg = require_tools()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")
    command = [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-ss",
        f"{max(0.0, at_s):.3f}",
        "-i",
        str(film_file),
        "-frames:v",
        "1",
        "-an",
        "-sn",
        "-vf",
        f"scale=iw*sar:ih,setsar=1,scale='min({MAX_STILL_WIDTH},iw)':-2",
        "-q:v",
        str(JPEG_QUALITY),
        "-f",
        "image2",
        str(partial),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, timeout=EXTRACT_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        partial.unlink(missing_ok=True)
        return False
    if result.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        return False
    partial.replace(out)
    return True


def take_still(film: Film, out: Path) -> bool:
    """A frame of `film` at about a third of its length into `out`; False if none could be had."""
    if not film.file.is_file():
        return False
    duration = film_duration_s(film.file) or float(film.declared_runtime_s)
    if extract_frame(film.file, out, duration * STILL_AT_FRACTION):
        return True
    # the declared or probed length was wrong: the first frames are better than nothing
    return extract_frame(film.file, out, 0.0)


def _newer(file: Path, than: Path) -> bool:
    try:
        return file.stat().st_mtime >= than.stat().st_mtime
    except OSError:
        return False


def _not_older_than(file: Path, other: Path) -> None:
    """Give `file` at least `other`'s modification time (a film dated in the future)."""
    try:
        theirs = other.stat().st_mtime
        if file.stat().st_mtime < theirs:
            os.utime(file, (theirs, theirs))
    except OSError:
        pass


def _remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class StillsReport:
    """What `prepare_all` found and did, film by film (every film, so nothing is secret)."""

    own: int  # films with their own still
    cached: int  # stills already taken earlier and still current
    made: int  # stills taken now
    failed: tuple[str, ...]  # ids of films no still could be taken from

    @property
    def total(self) -> int:
        """How many films were looked at."""
        return self.own + self.cached + self.made + len(self.failed)


class StillProvider:
    """The still to show for each film on the reveal's cards (see the module docstring)."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = Path(cache_dir)
        self._lock = threading.Lock()
        self._scratch: Path | None = None
        self._scratch_files: dict[tuple[str, Path], Path] = {}
        self._finalizer: weakref.finalize[[str], StillProvider] | None = None
        self._warned = False

    # --- reading -------------------------------------------------------------------------

    def cached_path(self, film: Film) -> Path:
        """Where the still taken from `film` is kept once `prepare_all` has run."""
        return self.cache_dir / f"{film.id}.jpg"

    def own_still(self, film: Film) -> Path | None:
        """The film's own still, if the programme names one and the file is there."""
        if film.still is not None and film.still.is_file():
            return film.still
        return None

    def prepared_still(self, film: Film) -> Path | None:
        """The still `prepare_all` took from the film, if it is there and newer than the film."""
        cached = self.cached_path(film)
        if cached.is_file() and _newer(cached, film.file):
            return cached
        return None

    def missing(self, programme: Programme) -> list[Film]:
        """Films with neither their own still nor a current prepared one."""
        return [f for f in programme if not self.own_still(f) and not self.prepared_still(f)]

    def still_for(self, film: Film) -> Path | None:
        """The still to show for `film`, or None (the card then shows a placeholder).

        Never writes into the cache (that would single the film out); if no still is ready,
        one is taken into the provider's private temporary directory.
        """
        found = self.own_still(film) or self.prepared_still(film)
        if found is not None:
            return found
        with self._lock:
            key = (film.id, film.file)
            scratch_file = self._scratch_files.get(key)
            if scratch_file is not None and scratch_file.is_file():
                return scratch_file
            if not self._warned:
                log.warning(
                    "stills were not prepared for every film: taking one on demand "
                    "(run prepare_all before the reveal)"
                )
                self._warned = True
            out = self._scratch_dir() / f"{uuid.uuid4().hex}.jpg"
            try:
                made = take_still(film, out)
            except ProbeToolMissingError:
                log.warning("no still could be taken on demand: ffmpeg is not installed")
                return None
            if not made:
                log.warning("no still could be taken on demand from a film; using a placeholder")
                return None
            self._scratch_files[key] = out
            return out

    # --- preparing -----------------------------------------------------------------------

    def prepare_all(
        self, programme: Programme, progress: Progress | None = None, workers: int = 2
    ) -> StillsReport:
        """Take a still from EVERY film that has none (or an outdated one); report what was done.

        ProbeToolMissingError if ffmpeg is not installed.
        """
        require_tools()
        films = list(programme)
        own = [f for f in films if self.own_still(f)]
        cached = [f for f in films if f not in own and self.prepared_still(f)]
        todo = [f for f in films if f not in own and f not in cached]
        total = len(films)
        done = len(own) + len(cached)
        failed: list[str] = []
        counter = threading.Lock()
        if progress is not None and done:
            progress(done, total, "")
        self.cache_dir.mkdir(parents=True, exist_ok=True)

        def make(film: Film) -> None:
            nonlocal done
            out = self.cached_path(film)
            ok = take_still(film, out)
            if ok:
                _not_older_than(out, film.file)
            with counter:
                done += 1
                if not ok:
                    failed.append(film.id)
                if progress is not None:
                    progress(done, total, film.id)

        with ThreadPoolExecutor(max(1, workers), thread_name_prefix="stills") as pool:
            list(pool.map(make, todo))
        report = StillsReport(
            own=len(own),
            cached=len(cached),
            made=len(todo) - len(failed),
            failed=tuple(sorted(failed)),
        )
        log.info(
            "stills for %d films: %d own, %d kept, %d taken, %d failed%s",
            report.total,
            report.own,
            report.cached,
            report.made,
            len(report.failed),
            f" ({', '.join(report.failed)})" if report.failed else "",
        )
        return report

    # --- clean-up ------------------------------------------------------------------------

    def close(self) -> None:
        """Delete the stills taken on demand (the prepared cache stays)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            self._finalizer = None
            self._scratch = None
            self._scratch_files.clear()

    def __enter__(self) -> StillProvider:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _scratch_dir(self) -> Path:
        if self._scratch is None or not self._scratch.is_dir():
            self._scratch = Path(tempfile.mkdtemp(prefix="kiosk-stills-"))
            os.chmod(self._scratch, 0o700)
            # removed at close(), when the provider is collected, or at interpreter exit
            self._finalizer = weakref.finalize(self, _remove_tree, str(self._scratch))
        return self._scratch
