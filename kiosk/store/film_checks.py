"""Stored preflight results per film: what the check measured, and the gain to play at."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

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
                       gain_db, problems, warnings)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
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
                    ),
                )
            Journal.append_in(conn, "preflight_run", None, summary)

    def all(self) -> dict[str, FilmCheck]:
        """The latest stored check of every film, by film id."""
        out: dict[str, FilmCheck] = {}
        for row in self._db["film_checks"].rows:
            out[row["film_id"]] = FilmCheck.from_row(row)
        return out

    def gain_db(self, film_id: str) -> float:
        """The playback gain measured for a film (0 dB if it was never measured)."""
        rows = list(self._db.query("SELECT gain_db FROM film_checks WHERE film_id = ?", [film_id]))
        value = rows[0]["gain_db"] if rows else None
        return float(value) if value is not None else 0.0
