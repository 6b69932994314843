"""The event folder and database on real files: migrations, WAL, the lock, the key, the journal."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store.database import (
    SCHEMA_VERSION,
    migrate,
    open_database,
    schema_version,
    transaction,
)
from kiosk.store.errors import EventLockedError, StoreError
from kiosk.store.event_folder import EventFolder, default_event_dir
from kiosk.store.journal import Journal


def test_new_database_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    db = open_database(tmp_path / "event.db")
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert {"journal", "film_checks", "attendees", "settings"} <= set(db.table_names())


def test_migrations_are_forward_only_and_atomic(tmp_path: Path) -> None:
    db = open_database(tmp_path / "event.db")

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("power cut")

    from kiosk.store.database import MIGRATIONS

    with pytest.raises(RuntimeError):
        migrate(db, (*MIGRATIONS, broken))
    assert schema_version(db) == SCHEMA_VERSION
    assert "half_done" not in db.table_names()  # rolled back with the failed step


def test_database_from_a_newer_app_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "event.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        open_database(path)
    assert path.read_bytes() == before


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "event.db"
    path.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(StoreError, match="not"):
        open_database(path)


def test_journal_round_trip_keeps_cjk(tmp_path: Path) -> None:
    journal = Journal(open_database(tmp_path / "event.db"))
    first = journal.append("film_started", "F01", {"title": "最後的燈籠", "position_s": 0})
    journal.append("checkin", "AIFF-1")
    entries = list(journal.entries())
    assert [e.kind for e in entries] == ["film_started", "checkin"]
    assert entries[0].data["title"] == "最後的燈籠"
    assert [e.kind for e in journal.entries("checkin")] == ["checkin"]
    assert [e.id for e in journal.entries(after_id=first)] == [entries[1].id]


def test_secret_key_is_private_and_stable(tmp_path: Path) -> None:
    folder = EventFolder(tmp_path / "ev")
    key = folder.secret_key()
    assert len(key) == 32
    assert stat.S_IMODE(folder.secret_path.stat().st_mode) == 0o600
    assert folder.secret_key() == key
    folder.secret_path.chmod(0o644)
    assert folder.secret_key() == key
    assert stat.S_IMODE(folder.secret_path.stat().st_mode) == 0o600


def test_second_copy_gets_a_clear_message(tmp_path: Path) -> None:
    folder = EventFolder(tmp_path / "ev")
    with folder.lock():
        code = (
            "import sys\nfrom kiosk.store.event_folder import EventFolder\n"
            f"EventFolder({str(folder.root)!r}).lock().acquire()\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert result.returncode != 0
        assert "already open in another copy of the app" in result.stderr
        assert "process" in result.stderr
        with pytest.raises(EventLockedError):
            folder.lock().acquire()
    folder.lock().acquire()  # released: the next copy may start


def test_lock_dies_with_its_process(tmp_path: Path) -> None:
    folder = EventFolder(tmp_path / "ev")
    code = (
        "import os\nfrom kiosk.store.event_folder import EventFolder\n"
        f"EventFolder({str(folder.root)!r}).lock().acquire()\nos._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    folder.lock().acquire()  # no stale lock after a crash


def test_event_folder_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert EventFolder.resolve(tmp_path / "a").root == tmp_path / "a"
    monkeypatch.setenv("KIOSK_EVENT_DIR", str(tmp_path / "b"))
    assert EventFolder.resolve().root == tmp_path / "b"
    monkeypatch.delenv("KIOSK_EVENT_DIR")
    assert EventFolder.resolve().root == default_event_dir()
    assert default_event_dir().parts[-2:] == ("aiff-kiosk", "demo")


def test_missing_event_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="demo"):
        EventFolder(tmp_path / "nothing").load_config()


def test_v1_database_upgrades_keeping_its_attendees(tmp_path: Path) -> None:
    from kiosk.store.database import MIGRATIONS

    path = tmp_path / "event.db"
    old = open_database(path, migrate_schema=False)
    migrate(old, MIGRATIONS[:1])
    old.execute("INSERT INTO attendees (name, email, created_at) VALUES ('陳大文', 'a@b.hk', 'x')")
    old.conn.close()
    db = open_database(path)
    assert schema_version(db) == SCHEMA_VERSION >= 2
    row = next(db["attendees"].rows)
    assert (row["name"], row["status"]) == ("陳大文", "registered")


def test_the_database_admits_an_attendee_only_once(tmp_path: Path) -> None:
    db = open_database(tmp_path / "event.db")
    db.execute("INSERT INTO attendees (name, created_at) VALUES ('A', 'x')")
    insert = "INSERT INTO checkins (attendee_id, station, method, at) VALUES (1, ?, 'scan', 'x')"
    db.execute(insert, ["Door 1"])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(insert, ["Door 2"])
    db.execute("UPDATE checkins SET annulled_at = 'y'")
    db.execute(insert, ["Door 2"])  # after an undo, the ticket can be admitted again


def test_full_disk_becomes_an_operator_message(tmp_path: Path) -> None:
    from kiosk.store.database import translate_errors
    from kiosk.store.errors import DiskFullError

    with (
        pytest.raises(DiskFullError, match=r"full or failing.*Nothing was saved"),
        translate_errors(tmp_path / "event.db"),
    ):
        raise sqlite3.OperationalError("database or disk is full")


def test_a_real_size_limit_rolls_back_cleanly(tmp_path: Path) -> None:
    from kiosk.store.errors import DiskFullError

    db = open_database(tmp_path / "event.db")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk is "full" two pages from now
    journal = Journal(db)
    with pytest.raises(DiskFullError), transaction(db) as conn:
        for number in range(500):
            Journal.append_in(conn, "filler", None, {"n": number, "pad": "x" * 500})
    assert list(journal.entries()) == []  # nothing half-written


def test_a_polling_transaction_inside_an_open_one_joins_it(tmp_path: Path) -> None:
    """The merge of both transaction features: the event server's outer transaction and a
    door repository's polling one commit (or roll back) together, never nested."""
    db = open_database(tmp_path / "event.db")
    db.execute("CREATE TABLE marks (n INTEGER)")
    with transaction(db) as outer:
        outer.execute("INSERT INTO marks VALUES (1)")
        with transaction(db, poll_s=0.001) as inner:
            assert inner is outer
            inner.execute("INSERT INTO marks VALUES (2)")
        assert db.conn.in_transaction  # the inner one did not commit the outer one
    assert [row[0] for row in db.execute("SELECT n FROM marks ORDER BY n")] == [1, 2]
    with pytest.raises(RuntimeError), transaction(db) as outer:
        outer.execute("INSERT INTO marks VALUES (3)")
        with transaction(db, poll_s=0.001) as inner:
            inner.execute("INSERT INTO marks VALUES (4)")
        raise RuntimeError("the outer work fails")
    assert [row[0] for row in db.execute("SELECT n FROM marks ORDER BY n")] == [1, 2]
    with transaction(db, poll_s=0.001) as alone:  # on its own it takes the lock itself
        alone.execute("INSERT INTO marks VALUES (5)")
    assert not db.conn.in_transaction
