"""station.db has a versioned schema, migrated like event.db (PRAGMA user_version)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.station.folder import STATION_MIGRATIONS, StationStore
from kiosk.store.errors import StoreError
from tests.sqlite_helpers import connected

OLD_UNVERSIONED = """
CREATE TABLE tickets (code_sha256 TEXT PRIMARY KEY, attendee_id INTEGER NOT NULL,
    name TEXT NOT NULL, name_latin TEXT, status TEXT NOT NULL, admitted_at TEXT,
    admitted_station TEXT, admitted_method TEXT);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE queue (id INTEGER PRIMARY KEY AUTOINCREMENT, nonce TEXT NOT NULL UNIQUE, code TEXT,
    attendee_id INTEGER, method TEXT NOT NULL, at TEXT NOT NULL, verdict TEXT NOT NULL,
    name TEXT, undone_at TEXT, uploaded_at TEXT, recorded TEXT);
INSERT INTO queue (nonce, code, method, at, verdict) VALUES ('n1', 'AIFF-1', 'scan',
    '2026-12-05T11:00:00+00:00', 'admitted');
"""


def version(path: Path) -> int:
    with connected(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_a_new_station_database_is_at_the_current_version(tmp_path: Path) -> None:
    StationStore(tmp_path / "station.db").close()
    assert version(tmp_path / "station.db") == len(STATION_MIGRATIONS)


def test_a_station_database_from_before_versions_keeps_its_queue(tmp_path: Path) -> None:
    path = tmp_path / "station.db"
    with connected(path) as conn:
        conn.executescript(OLD_UNVERSIONED)
    StationStore(path).close()
    assert version(path) == len(STATION_MIGRATIONS)
    with connected(path) as conn:
        assert conn.execute("SELECT nonce FROM queue").fetchall() == [("n1",)]


def test_a_newer_station_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "station.db"
    with connected(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(STATION_MIGRATIONS) + 1}")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        StationStore(path)
    assert path.read_bytes() == before
