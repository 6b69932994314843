"""The console's helper processes start at a lower priority from their first instruction."""

from __future__ import annotations

import os
import subprocess
import sys

from kiosk.services.child_process import CHILD_NICE, at_least_niceness, child_env, niced

FIRST_INSTRUCTION = "import os; print(os.getpriority(os.PRIO_PROCESS, 0))"


def test_a_niced_child_runs_lower_from_its_first_instruction() -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    answer = subprocess.run(
        niced([sys.executable, "-c", FIRST_INSTRUCTION]),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert int(answer.stdout) == min(19, ours + CHILD_NICE)


def test_a_child_started_through_nice_is_not_lowered_twice() -> None:
    guard = "from kiosk.services.child_process import at_least_niceness; print(at_least_niceness())"
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    niced_child = subprocess.run(
        niced([sys.executable, "-c", guard]),
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
        timeout=60,
    )
    assert int(niced_child.stdout) == min(19, ours + CHILD_NICE)
    plain_child = subprocess.run(  # started some other way: it lowers itself
        [sys.executable, "-c", guard],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
        timeout=60,
    )
    assert int(plain_child.stdout) == max(ours, CHILD_NICE)


def test_the_guard_keeps_a_lower_priority_as_it_is() -> None:
    lowered = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; from kiosk.services.child_process import at_least_niceness; "
            "os.setpriority(os.PRIO_PROCESS, 0, 15); print(at_least_niceness())",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
        timeout=60,
    )
    assert int(lowered.stdout) == max(15, os.getpriority(os.PRIO_PROCESS, 0))
    assert at_least_niceness(-20) == os.getpriority(os.PRIO_PROCESS, 0)  # never raises it
