"""Threads a test leaves running (a pytest plugin, loaded by tests/conftest.py).

A console, a panel or a station built by a test and never shut down keeps its worker threads
(and what they hold: a database connection, an event's service) alive until the pytest
process ends: one worker of a parallel pass once held 59 idle `stations` threads and about
1 GB. This plugin notes which threads each test started; at the end of each test file
(module-scoped rigs are torn down by then) the ones still alive are leaks, reported per test
at the end of the run, with each process's thread count and memory (docs/dev/testing.md,
"Threads a test leaves behind"). It reports and never fails a test: a thread that ends a
moment late is not worth a red run, a thread that never ends is worth a line in every run.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SETTLE_S = 0.5  # a test's new threads get this long to end before they are counted
_REPORT_KEY = "thread_leaks"


@dataclass
class LeakLedger:
    """The threads started by the tests of the current file, and the leaks found so far."""

    started_by: dict[threading.Thread, str] = field(default_factory=dict)
    leaks: dict[str, list[str]] = field(default_factory=dict)  # test id -> thread names

    def note_new(self, before: set[threading.Thread], test_id: str) -> None:
        """Remember the threads alive now that were not alive before `test_id` ran."""
        for thread in threading.enumerate():
            if thread not in before and thread.is_alive() and started_here(thread):
                self.started_by.setdefault(thread, test_id)

    def close_file(self) -> None:
        """The file's tests and rigs are done: what they started and is still alive leaked."""
        deadline = time.monotonic() + SETTLE_S  # SETTLE_S in all, not per thread
        for thread in self.started_by:
            thread.join(max(0.0, deadline - time.monotonic()))
        for thread, test_id in self.started_by.items():
            if thread.is_alive():
                self.leaks.setdefault(test_id, []).append(thread.name)
        self.started_by.clear()


def started_here(thread: threading.Thread) -> bool:
    """Whether `thread` was started by Python code: a thread of a C library (libvlc, Qt) that
    once called into Python is listed as a stand-in that never ends and cannot be joined."""
    return not isinstance(thread, threading._DummyThread)  # the stand-in's class


def process_figures() -> dict[str, int]:
    """This process's Python threads and memory (resident now, and its peak), in kB."""
    figures = {"threads": threading.active_count(), "rss_kb": 0, "peak_rss_kb": 0}
    status = Path(f"/proc/{os.getpid()}/status")
    if status.is_file():
        for line in status.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures["rss_kb" if key == "VmRSS" else "peak_rss_kb"] = int(value.split()[0])
    return figures


def describe(name: str, report: dict[str, object]) -> list[str]:
    """The lines for one process's report (its leaks per test, its threads and memory)."""
    leaks = report["leaks"]
    figures = report["figures"]
    assert isinstance(leaks, dict) and isinstance(figures, dict)
    lines = [
        f"{name}: {figures['threads']} threads at the end, "
        f"{figures['rss_kb'] // 1024} MB resident (peak {figures['peak_rss_kb'] // 1024} MB)"
    ]
    for test_id, names in sorted(leaks.items()):
        counted = ", ".join(f"{n} x{names.count(n)}" for n in sorted(set(names)))
        lines.append(f"  {test_id} left running: {counted}")
    return lines


class ThreadLeakReport:
    """The plugin: notes each test's threads, closes each file, reports at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.ledger = LeakLedger()
        self.worker_reports: dict[str, dict[str, object]] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, None, None]:
        before = set(threading.enumerate())
        yield
        self.ledger.note_new(before, item.nodeid)
        if nextitem is None or nextitem.path != item.path:
            self.ledger.close_file()

    def own_report(self) -> dict[str, object]:
        return {"leaks": dict(self.ledger.leaks), "figures": process_figures()}

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # a pytest-xdist worker: the controller reports
            worker = getattr(self.config, "workerinput", {}).get("workerid", "worker")
            workeroutput[_REPORT_KEY] = {**self.own_report(), "worker": worker}

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: object, error: object) -> None:
        output = getattr(node, "workeroutput", None)
        if isinstance(output, dict) and _REPORT_KEY in output:
            report = output[_REPORT_KEY]
            self.worker_reports[str(report.get("worker", len(self.worker_reports)))] = report

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if getattr(self.config, "workeroutput", None) is not None:
            return
        reports = self.worker_reports or {"this process": self.own_report()}
        terminalreporter.section("threads left running by tests")
        for name, report in sorted(reports.items()):
            for line in describe(name, report):
                terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ThreadLeakReport(config), "thread-leak-report")
