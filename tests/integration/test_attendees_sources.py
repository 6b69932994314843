"""`attendees import --source NAME` reconciles within one registration source (issue 24 item 7),
and `demo --attendees 0` builds a night with nobody registered: through the real CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store.database import MIGRATIONS, migrate, open_database
from kiosk.store.event_folder import EventFolder
from tests.conftest import write_event

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def run(folder: EventFolder, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), "--event", str(folder.root), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def export(path: Path, people: list[tuple[str, str]]) -> Path:
    rows = ["Name,Email"] + [f"{name},{email}" for name, email in people]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def statuses(folder: EventFolder) -> dict[str, tuple[str, str | None]]:
    """email -> (status, registration source)."""
    conn = sqlite3.connect(folder.db_path)
    try:
        rows = conn.execute("SELECT email, status, registration_source FROM attendees")
        return {row[0]: (row[1], row[2]) for row in rows}
    finally:
        conn.close()


MEMBERS = [(f"Member {n}", f"member{n}@example.org") for n in range(8)]
GUESTS = [(f"Guest {n}", f"guest{n}@example.org") for n in range(3)]


def test_each_source_is_reconciled_on_its_own(tmp_path: Path) -> None:
    folder = write_event(tmp_path / "event", [])
    first = run(folder, "attendees", "import", str(export(tmp_path / "m.csv", MEMBERS)), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["source"] == "default"

    # the guest list is another source: importing it marks none of the members gone
    guests = export(tmp_path / "g.csv", GUESTS)
    second = run(folder, "attendees", "import", str(guests), "--source", "guests", "--json")
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert (summary["source"], summary["new"], summary["marked_gone"]) == ("guests", 3, 0)
    found = statuses(folder)
    assert all(found[email] == ("registered", "default") for _, email in MEMBERS)
    assert all(found[email] == ("registered", "guests") for _, email in GUESTS)

    # an updated guest list leaves one guest out: only that guest goes
    shorter = export(tmp_path / "g2.csv", GUESTS[:2])
    third = run(folder, "attendees", "import", str(shorter), "--source", "guests", "--json")
    assert third.returncode == 0, third.stderr
    assert json.loads(third.stdout)["marked_gone"] == 1
    found = statuses(folder)
    assert found[GUESTS[2][1]] == ("gone", "guests")
    assert sum(1 for status, _ in found.values() if status == "gone") == 1

    # the members' export again, without --source: the default source, everyone unchanged
    again = run(folder, "attendees", "import", str(tmp_path / "m.csv"), "--json")
    assert again.returncode == 0, again.stderr
    assert (json.loads(again.stdout)["unchanged"], json.loads(again.stdout)["marked_gone"]) == (
        8,
        0,
    )
    assert statuses(folder)[GUESTS[0][1]] == ("registered", "guests")

    # without --source, a guest-only file is still reconciled against the members, as before
    refused = run(folder, "attendees", "import", str(guests))
    assert refused.returncode == 1 and "--allow-many-gone" in refused.stderr

    bad = run(folder, "attendees", "import", str(guests), "--source", "  ")
    assert bad.returncode == 2 and "--source" in bad.stderr


def test_migration_puts_earlier_imports_in_the_default_source(tmp_path: Path) -> None:
    path = tmp_path / "event.db"
    db = open_database(path, migrate_schema=False)
    migrate(db, MIGRATIONS[:5])
    now = "2026-12-05T10:00:00Z"
    db.conn.execute(
        "INSERT INTO attendees (name, email, source, created_at) VALUES (?, ?, ?, ?)",
        ("Chan Tai Man", "chan@example.org", "export.csv", now),
    )
    db.conn.execute(
        "INSERT INTO attendees (name, source, created_at) VALUES (?, 'walk-in', ?)",
        ("Walk In", now),
    )
    db.conn.close()
    conn = open_database(path).conn
    rows = conn.execute("SELECT name, registration_source FROM attendees ORDER BY id").fetchall()
    assert rows == [("Chan Tai Man", "default"), ("Walk In", None)]


@pytest.mark.slow  # the real `demo` command: 35 films encoded and measured
def test_demo_with_no_attendees(tmp_path: Path) -> None:
    folder = EventFolder(tmp_path / "demo")
    built = run(folder, "demo", "--film-seconds", "1", "--attendees", "0", "--json")
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["attendees"] == 0
    listed = run(folder, "attendees", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
