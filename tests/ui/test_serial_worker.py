"""The serial worker: one thread, its own resource, work in order, answers on the GUI thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from functools import partial

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.common.serial_worker import Cancel, SerialWorker


def test_work_runs_in_order_on_the_workers_own_connection(qtbot: QtBot) -> None:
    gui = threading.get_ident()
    opened_on: list[int] = []
    closed: list[bool] = []

    def open_connection() -> sqlite3.Connection:
        opened_on.append(threading.get_ident())
        conn = sqlite3.connect(":memory:")  # (check_same_thread: used on this thread only)
        conn.execute("CREATE TABLE steps (n INTEGER)")
        return conn

    def close(conn: sqlite3.Connection) -> None:
        conn.close()
        closed.append(True)

    worker = SerialWorker(open_connection, name="test-worker", close_resource=close)
    answers: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def step(n: int) -> Callable[[sqlite3.Connection], int]:
        def work(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT INTO steps VALUES (?)", [n])
            return int(conn.execute("SELECT count(*) FROM steps").fetchone()[0])

        return work

    def answer(n: int) -> Callable[[int], None]:
        return lambda count: answers.append((n, count))

    for n in range(20):
        worker.submit(step(n), answer(n), errors.append)
    qtbot.waitUntil(lambda: len(answers) == 20, timeout=5000)
    assert answers == [(n, n + 1) for n in range(20)]  # in order: each saw the ones before
    assert not errors and opened_on[0] != gui
    worker.shutdown()
    assert closed == [True]


@pytest.mark.logs_errors
def test_errors_and_a_failed_opening_reach_the_gui_thread(qtbot: QtBot) -> None:
    gui = threading.get_ident()

    def cannot_open() -> sqlite3.Connection:
        raise OSError("the event folder is gone")

    worker: SerialWorker[sqlite3.Connection] = SerialWorker(cannot_open, name="broken")
    errors: list[tuple[BaseException, int]] = []
    for _ in range(2):  # every request gets the opening's error, none is lost
        worker.submit(
            lambda conn: conn.total_changes,
            lambda _r: None,
            lambda exc: errors.append((exc, threading.get_ident())),
        )
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=3000)
    assert all(isinstance(e, OSError) and tid == gui for e, tid in errors)
    assert worker.wait_idle(1.0) and worker.pending == 0
    worker.shutdown()


def test_long_work_reports_progress_on_the_gui_and_stops_when_cancelled(qtbot: QtBot) -> None:
    gui = threading.get_ident()
    worker: SerialWorker[None] = SerialWorker(lambda: None, name="long")
    cancel = Cancel()
    progress: list[tuple[int, int]] = []
    release = threading.Event()
    done: list[int] = []

    def record(step: int) -> None:  # on the GUI thread
        progress.append((step, threading.get_ident()))

    def long_work(_none: None) -> int:
        step = 0
        while not cancel.cancelled and step < 10_000:
            step += 1
            worker.to_gui(partial(record, step))
            release.wait(0.01)
        return step

    failed: list[BaseException] = []
    worker.submit(long_work, done.append, failed.append)
    qtbot.waitUntil(lambda: len(progress) >= 3, timeout=3000)
    cancel.cancel()
    qtbot.waitUntil(lambda: bool(done or failed), timeout=3000)
    assert not failed, failed
    assert done[0] < 10_000 and all(tid == gui for _, tid in progress)
    worker.shutdown()
