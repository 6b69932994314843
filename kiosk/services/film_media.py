"""The programme's film files against their preflight results: is each file the one measured,
and which gain may it play at.

Playback asks `gain_db(film_id)`; it gets the preflight gain only while the file on disk is the
file preflight measured (size, modification time and content fingerprint), and 0 dB otherwise,
so a replaced film never plays at the old file's gain. The console asks `verdict(film_id)` to
flag a changed or vanished film in the programme and the Next panel before its title card.

Identities are read again only when a file's size, modification time or inode moves (one
`stat` per question), so asking often is cheap. The players ask `known_gain_db`, which does not
even `stat` while the last look is recent (the console looks every 2 s off the GUI thread): a
`stat` on the show's thread waited on a disk kept busy by an import.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from kiosk.core.media_identity import FileIdentity, MediaState, MediaVerdict, compare
from kiosk.core.preflight import FilmCheck
from kiosk.core.programme import Film
from kiosk.media.identity import identify, stat_key
from kiosk.store.film_checks import FilmCheckRepository, identity_of

log = logging.getLogger(__name__)

KNOWN_FOR_S = 5.0  # a look younger than this is trusted by `known_gain_db` without a stat


class FilmMedia:
    """Preflight results per film, trusted only for the file they measured.

    `by_identity=True` (for `rehearse FILE...`, whose films have ad-hoc ids) finds each film's
    result by its file's content instead of its id, wherever and under whatever name the file
    was measured.
    """

    def __init__(
        self, db: sqlite_utils.Database, films: Iterable[Film], *, by_identity: bool = False
    ) -> None:
        self._checks = FilmCheckRepository(db)
        self._files: dict[str, Path] = {film.id: film.file for film in films}
        self._by_identity = by_identity
        self._lock = threading.Lock()  # verdicts are asked from the Qt thread and from tasks
        # film id -> (stat key, check, verdict, when looked: monotonic seconds)
        self._cache: dict[str, tuple[object, FilmCheck | None, MediaVerdict, float]] = {}

    def verdict(self, film_id: str) -> MediaVerdict:
        """Whether the film's file is the one preflight measured (and why not)."""
        return self._look(film_id)[1]

    def known_verdict(self, film_id: str) -> MediaVerdict:
        """The verdict last worked out by :meth:`verdict` (the console asks that every 2 s off
        the GUI thread), without looking at the file again; worked out now if never."""
        with self._lock:
            cached = self._cache.get(film_id)
        return cached[2] if cached is not None else self.verdict(film_id)

    def check_of(self, film_id: str) -> FilmCheck | None:
        """The preflight result for the film's file as it is now (None if none applies)."""
        check, verdict = self._look(film_id)
        return check if verdict.trusted else None

    def gain_db(self, film_id: str) -> float:
        """The gain to play the film at: preflight's, or 0 dB when it does not apply."""
        return _gain(self.check_of(film_id))

    def known_gain_db(self, film_id: str, known_for_s: float = KNOWN_FOR_S) -> float:
        """`gain_db` as of the last look at the film's file if that look is younger than
        `known_for_s` (no file access: what the players ask on the GUI thread), else looked
        at now."""
        with self._lock:
            cached = self._cache.get(film_id)
        if cached is not None and time.monotonic() - cached[3] < known_for_s:
            return _gain(cached[1] if cached[2].trusted else None)
        return self.gain_db(film_id)

    def forget(self, film_id: str | None = None) -> None:
        """Read the stored results again (after a re-check), for one film or all."""
        with self._lock:
            if film_id is None:
                self._cache.clear()
            else:
                self._cache.pop(film_id, None)

    def _look(self, film_id: str) -> tuple[FilmCheck | None, MediaVerdict]:
        path = self._files.get(film_id)
        if path is None:
            return None, MediaVerdict(MediaState.UNCHECKED, "not in the programme")
        key = stat_key(path)
        looked = time.monotonic()
        with self._lock:
            cached = self._cache.get(film_id)
            if cached is not None and cached[0] == key:
                self._cache[film_id] = (*cached[:3], looked)
                return cached[1], cached[2]
        current = identify(path) if key is not None else None
        check, verdict = self._judge(film_id, current)
        if verdict.state is not MediaState.SAME:
            log.info("film %s: %s", film_id, verdict.reason)
        with self._lock:
            self._cache[film_id] = (key, check, verdict, looked)
        return check, verdict

    def _judge(
        self, film_id: str, current: FileIdentity | None
    ) -> tuple[FilmCheck | None, MediaVerdict]:
        if self._by_identity:
            if current is None:
                return None, compare(None, None)
            found = self._checks.find_by_identity(current.size, current.fingerprint)
            if found is None:
                return None, MediaVerdict(MediaState.UNCHECKED, "this file was never preflighted")
            return found, MediaVerdict(MediaState.SAME, f"measured by preflight as {found.film_id}")
        check = self._checks.get(film_id)
        stored = identity_of(check) if check is not None else None
        if check is not None and stored is None and current is not None:
            return check, MediaVerdict(
                MediaState.UNCHECKED, "preflight ran before files were fingerprinted: run it again"
            )
        return check, compare(stored, current)


def _gain(check: FilmCheck | None) -> float:
    """Preflight's gain from a check that applies, 0 dB without one."""
    if check is None or check.gain_db is None:
        return 0.0
    return float(check.gain_db)
