"""The night's journal writer: in order, stamped when handed over, never starved by the doors."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from kiosk.core.show import Journal
from kiosk.night.effects import EffectRunner
from kiosk.night.journal_writer import JournalWriter
from kiosk.store.database import open_database, transaction
from kiosk.store.journal import Journal as JournalStore


def test_batches_are_committed_in_order_with_the_time_they_were_handed_over(
    tmp_path: Path,
) -> None:
    path = tmp_path / "event.db"
    open_database(path).close()
    writer = JournalWriter(lambda: open_database(path, migrate_schema=False))
    runner = EffectRunner(JournalStore(open_database(path)), writer=writer)
    for n in range(50):
        runner.write([Journal("film_started", {"film": f"F{n:02d}", "position": n / 10})])
    handed_over_by = time.time()
    assert runner.settle(10.0)
    entries = list(JournalStore(open_database(path)).entries("film_started"))
    assert [e.subject for e in entries] == [f"F{n:02d}" for n in range(50)]
    assert [e.data["position"] for e in entries] == [n / 10 for n in range(50)]
    stamps = [e.at for e in entries]
    assert stamps == sorted(stamps)
    assert all(dt.datetime.fromisoformat(at).timestamp() <= handed_over_by + 0.01 for at in stamps)
    runner.close()


def test_the_show_does_not_wait_while_the_doors_hold_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "event.db"
    open_database(path).close()
    writer = JournalWriter(lambda: open_database(path, migrate_schema=False))
    doors = open_database(path)
    stop = threading.Event()
    held = threading.Event()

    def busy_doors() -> None:  # another connection writing flat out, 1 ms polls, as doors do
        while not stop.is_set():
            with transaction(doors, poll_s=0.001) as conn:
                held.set()
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES ('door', 'x') "
                    "ON CONFLICT(key) DO UPDATE SET value = value || 'x'"
                )
                time.sleep(0.005)

    thread = threading.Thread(target=busy_doors)
    thread.start()
    held.wait(5)
    waits = []
    for n in range(40):
        began = time.perf_counter()
        writer.append_all([("film_position", f"F{n}", {"position": n})])
        waits.append(time.perf_counter() - began)
    committed = writer.flush(20.0)
    stop.set()
    thread.join()
    assert committed  # the doors never starved it
    assert max(waits) < 0.05  # handing over never waits for the lock
    entries = list(JournalStore(open_database(path)).entries("film_position"))
    assert [e.data["position"] for e in entries] == list(range(40))
    writer.close()
