"""Stored preflight results per film: what the check measured, and the gain to play at."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from kiosk.core.media_identity import FileIdentity
from kiosk.core.music_check import is_music_check
from kiosk.core.preflight import FilmCheck
from kiosk.store.database import transaction
from kiosk.store.journal import Journal, utc_now_iso


class FilmCheckRepository:
    """Reads and writes the `film_checks` table."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def save_run(self, checks: Iterable[FilmCheck], summary: dict[str, object]) -> None:
        """Store one preflight run's results and journal it, atomically."""
        now = utc_now_iso()
        with transaction(self._db) as conn:
            for check in checks:
                conn.execute(
                    """INSERT OR REPLACE INTO film_checks (film_id, file, file_size, file_mtime,
                       checked_at, ok, duration_s, width, height, display_aspect, fps,
                       video_codec, audio_channels, audio_codec, loudness_lufs, peak_dbfs,
                       gain_db, problems, warnings, fingerprint, true_peak_dbtp,
                       gain_wanted_db, gain_limited_by)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (
                        check.film_id,
                        str(check.file),
                        check.file_size,
                        check.file_mtime,
                        now,
                        int(check.ok),
                        check.duration_s,
                        check.width,
                        check.height,
                        check.display_aspect,
                        check.fps,
                        check.video_codec,
                        check.audio_channels,
                        check.audio_codec,
                        check.loudness_lufs,
                        check.peak_dbfs,
                        check.gain_db,
                        json.dumps(check.problems, ensure_ascii=False),
                        json.dumps(check.warnings, ensure_ascii=False),
                        check.fingerprint,
                        check.true_peak_dbtp,
                        check.gain_wanted_db,
                        check.gain_limited_by,
                    ),
                )
            Journal.append_in(conn, "preflight_run", None, summary)

    def all(self) -> dict[str, FilmCheck]:
        """The latest stored check of every film, by film id (the room's music apart)."""
        out: dict[str, FilmCheck] = {}
        for row in self._db["film_checks"].rows:
            if not is_music_check(row["film_id"]):
                out[row["film_id"]] = FilmCheck.from_row(row)
        return out

    def music(self) -> dict[str, FilmCheck]:
        """The latest stored check of every music file (`kiosk.core.music_check`), by id."""
        out: dict[str, FilmCheck] = {}
        for row in self._db["film_checks"].rows:
            if is_music_check(row["film_id"]):
                out[row["film_id"]] = FilmCheck.from_row(row)
        return out

    def get(self, film_id: str) -> FilmCheck | None:
        """The latest stored check of one film."""
        rows = list(self._db.query("SELECT * FROM film_checks WHERE film_id = ?", [film_id]))
        return FilmCheck.from_row(rows[0]) if rows else None

    def find_by_identity(self, size: int, fingerprint: str) -> FilmCheck | None:
        """The latest check of a file with this size and content, whatever it was called."""
        rows = list(
            self._db.query(
                "SELECT * FROM film_checks WHERE fingerprint = ? AND file_size = ? "
                "ORDER BY checked_at DESC LIMIT 1",
                [fingerprint, size],
            )
        )
        return FilmCheck.from_row(rows[0]) if rows else None


def identity_of(check: FilmCheck) -> FileIdentity | None:
    """The identity of the file a check measured (None for checks made before fingerprints)."""
    if check.fingerprint is None or check.file_size is None or check.file_mtime is None:
        return None
    return FileIdentity(check.file_size, check.file_mtime, check.fingerprint)
