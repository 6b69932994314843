"""The suite's guards really fail a test: an exception in a Qt slot, an unexpected ERROR log."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest_plugins = ["pytester"]

CASES = """
import logging

import pytest
from PySide6.QtCore import QObject, QTimer, Signal


class Emitter(QObject):
    fired = Signal()


def test_slot_raises(qtbot):
    emitter = Emitter()

    def slot():
        raise RuntimeError("boom in a slot")

    emitter.fired.connect(slot)
    QTimer.singleShot(0, emitter.fired.emit)
    qtbot.wait(100)


def test_logs_an_error():
    logging.getLogger("kiosk.somewhere").error("the disk is full")


@pytest.mark.logs_errors
def test_expects_an_error():
    logging.getLogger("kiosk.somewhere").error("the disk is full")


def test_warns_only():
    logging.getLogger("kiosk.somewhere").warning("only a warning")
"""


def test_a_slot_exception_and_an_unexpected_error_log_fail(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_cases=CASES)
    pytester.makeini("[pytest]\naddopts = -p tests.guards\n")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = pytester.runpytest_subprocess("-q", f"--rootdir={pytester.path}")
    result.assert_outcomes(passed=3, failed=1, errors=1)
    result.stdout.fnmatch_lines(["FAILED*test_slot_raises*", "ERROR*test_logs_an_error*"])
