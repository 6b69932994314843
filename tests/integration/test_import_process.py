"""The console's import in a child process (`kiosk.services.import_process`): the real child,
the real event database; stopped between chunks, and killed with SIGKILL in the middle of one."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from kiosk.services.child_process import CHILD_NICE
from kiosk.services.import_process import (
    KILLER_THREAD,
    ImportChildError,
    ImportFileRefusedError,
    ImportProcess,
)
from kiosk.store.attendees import IMPORT_CHUNK_ROWS, ImportStoppedError
from kiosk.store.event_folder import EventFolder

PEOPLE = 6000


def people_csv(path: Path, count: int) -> Path:
    rows = ["Name,Email", *(f"測試 {n:05d},p{n}@example.com" for n in range(count))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def people_and_tickets(folder: EventFolder) -> tuple[int, int, int]:
    """(attendees, attendees with exactly one valid ticket, journal entries of imports)."""
    conn = sqlite3.connect(folder.db_path)
    try:
        people = conn.execute("SELECT count(*) FROM attendees").fetchone()[0]
        ticketed = conn.execute(
            "SELECT count(*) FROM (SELECT attendee_id FROM tickets WHERE revoked_at IS NULL "
            "GROUP BY attendee_id HAVING count(*) = 1)"
        ).fetchone()[0]
        imports = conn.execute(
            "SELECT count(*) FROM journal WHERE kind = 'attendees_imported'"
        ).fetchone()[0]
        return people, ticketed, imports
    finally:
        conn.close()


def test_preview_in_the_child_writes_nothing_and_import_reports_progress(
    event: EventFolder, tmp_path: Path
) -> None:
    export = people_csv(tmp_path / "people.csv", 500)
    imports = ImportProcess(event.root)
    preview = imports.preview(export)
    assert preview.counts["new"] == 500 and preview.people == 500 and preview.can_import
    assert preview.column_mapping == {"Name": "name", "Email": "email"}
    assert people_and_tickets(event) == (0, 0, 0)
    seen: list[tuple[int, int]] = []
    niceness: list[int] = []  # the child's, while it writes

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        pid = imports.child_pid
        if pid is not None:
            niceness.append(os.getpriority(os.PRIO_PROCESS, pid))

    summary = imports.apply(preview, progress=progress)
    assert (summary.new, summary.tickets_issued) == (500, 500)
    assert seen == [(200, 500), (400, 500), (500, 500)]
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness and all(n == min(19, ours + CHILD_NICE) for n in niceness)  # not 10 twice
    assert people_and_tickets(event) == (500, 500, 1)
    assert imports.child_pid is None


def test_a_file_that_is_not_an_export_is_refused_with_its_headers(
    event: EventFolder, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("Participant,Contact\nAda,ada@example.com\n", encoding="utf-8")
    with pytest.raises(ImportFileRefusedError) as refused:
        ImportProcess(event.root).preview(odd)
    assert refused.value.headers == ["Participant", "Contact"]
    mapped = ImportProcess(event.root).preview(odd, {"Participant": "name", "Contact": "email"})
    assert mapped.counts["new"] == 1


def test_a_file_changed_since_its_preview_is_refused(event: EventFolder, tmp_path: Path) -> None:
    export = people_csv(tmp_path / "people.csv", 10)
    imports = ImportProcess(event.root)
    preview = imports.preview(export)
    people_csv(export, 11)
    with pytest.raises(ImportFileRefusedError, match="changed since it was previewed"):
        imports.apply(preview)
    assert people_and_tickets(event) == (0, 0, 0)


def test_stop_keeps_whole_chunks_and_importing_again_completes(
    event: EventFolder, tmp_path: Path
) -> None:
    export = people_csv(tmp_path / "people.csv", PEOPLE)
    imports = ImportProcess(event.root)
    preview = imports.preview(export)

    def stop_at_first_chunk(done: int, _total: int) -> None:
        imports.stop()

    with pytest.raises(ImportStoppedError, match="Import stopped after"):
        imports.apply(preview, progress=stop_at_first_chunk)
    # the stop's 10 s deadline ends with the child (it held a thread and the child till then)
    deadline = time.monotonic() + 5
    while KILLER_THREAD in {t.name for t in threading.enumerate()}:
        assert time.monotonic() < deadline, "the stop's deadline thread outlived the child"
        time.sleep(0.01)
    people, ticketed, journalled = people_and_tickets(event)
    assert 0 < people < PEOPLE and people % IMPORT_CHUNK_ROWS == 0
    assert ticketed == people and journalled == 0
    again = imports.apply(imports.preview(export))
    assert again.new == PEOPLE - people and again.unchanged == people
    assert people_and_tickets(event) == (PEOPLE, PEOPLE, 1)


def test_a_child_killed_in_the_middle_of_a_chunk_leaves_whole_chunks(
    event: EventFolder, tmp_path: Path
) -> None:
    export = people_csv(tmp_path / "people.csv", PEOPLE)
    imports = ImportProcess(event.root)
    preview = imports.preview(export)

    def kill_after_two_chunks(done: int, _total: int) -> None:
        pid = imports.child_pid
        if done >= 2 * IMPORT_CHUNK_ROWS and pid is not None:
            os.kill(pid, signal.SIGKILL)  # wherever it is: likely inside the next chunk

    with pytest.raises(ImportChildError, match="without an answer"):
        imports.apply(preview, progress=kill_after_two_chunks)
    people, ticketed, _ = people_and_tickets(event)
    assert people % IMPORT_CHUNK_ROWS == 0 and people >= 2 * IMPORT_CHUNK_ROWS
    assert ticketed == people  # nobody without a ticket, nobody with two
    again = imports.apply(imports.preview(export))
    assert again.new == PEOPLE - people
    assert people_and_tickets(event) == (PEOPLE, PEOPLE, 1)
