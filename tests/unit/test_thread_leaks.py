"""The suite's report of threads a test leaves running (tests/thread_leaks.py)."""

from __future__ import annotations

import threading

from tests.thread_leaks import LeakLedger, describe, process_figures


def test_a_thread_still_alive_when_its_file_ends_is_reported_under_the_test_that_started_it() -> (
    None
):
    ledger = LeakLedger()
    release = threading.Event()
    before = set(threading.enumerate())
    stuck = threading.Thread(target=release.wait, name="stuck-worker", daemon=True)
    done = threading.Thread(target=lambda: None, name="quick-worker", daemon=True)
    stuck.start()
    done.start()
    ledger.note_new(before, "tests/x.py::test_leaks")
    try:
        ledger.close_file()
        assert ledger.leaks == {"tests/x.py::test_leaks": ["stuck-worker"]}
        lines = describe("gw0", {"leaks": ledger.leaks, "figures": process_figures()})
        assert lines[1] == "  tests/x.py::test_leaks left running: stuck-worker x1"
        assert "threads at the end" in lines[0] and "MB resident" in lines[0]
    finally:
        release.set()
        stuck.join(5)
    ledger.note_new(set(threading.enumerate()), "tests/x.py::test_clean")
    ledger.close_file()
    assert list(ledger.leaks) == ["tests/x.py::test_leaks"]  # nothing new, nothing added
