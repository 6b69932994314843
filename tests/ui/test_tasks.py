"""The task helper: work runs on the pool, results and errors come back on the GUI thread."""

from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from kiosk.ui.common.tasks import TaskRunner


def test_results_and_errors_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work(x: int) -> tuple[int, int]:
        return x * 2, threading.get_ident()

    def done(result: tuple[int, int]) -> None:
        seen["value"], seen["worker"] = result
        seen["callback"] = threading.get_ident()

    def broken() -> int:
        raise OSError("the disk is full")

    unexpected: list[BaseException] = []
    tasks.run(work, done, unexpected.append, 21)
    errors: list[BaseException] = []
    tasks.run(broken, lambda _r: None, errors.append)
    qtbot.waitUntil(lambda: "callback" in seen and bool(errors), timeout=3000)
    assert not unexpected and seen["value"] == 42
    assert seen["worker"] != gui and seen["callback"] == gui
    assert isinstance(errors[0], OSError) and "disk is full" in str(errors[0])
    assert tasks.wait(5)


def test_tasks_run_side_by_side(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    finished: list[float] = []
    errors_of_sleep: list[BaseException] = []
    started = time.monotonic()
    for _ in range(4):
        tasks.run(
            time.sleep, lambda _r: finished.append(time.monotonic()), errors_of_sleep.append, 0.3
        )
    qtbot.waitUntil(lambda: len(finished) == 4, timeout=5000)
    assert not errors_of_sleep
    assert max(finished) - started < 1.0  # not 4 x 0.3 s one after the other
