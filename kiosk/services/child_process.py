"""Starting the console's helper processes so that they never compete with the show for a core.

The console hands its heavy office work (a registration import, writing a report file) to child
processes: a child shares no interpreter lock with the show. It still shares the laptop's cores,
and a Python child's first fraction of a second is its own start (loading the interpreter and
its modules), pure CPU. Lowering its priority once it has started (`os.nice` after the imports)
leaves that start at the show's priority, exactly when the operator has just asked for
something and the screen is being painted. So :func:`niced` starts the command through
coreutils' `nice`, which lowers the priority and then runs it: the child runs at
``CHILD_NICE`` from its first instruction. :func:`at_least_niceness` is the child's own guard
when started otherwise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

CHILD_NICE = 10  # a child yields the CPU to the show


def niced(command: Sequence[str], niceness: int = CHILD_NICE) -> list[str]:
    """`command` run `niceness` steps below this process from its first instruction (through
    `nice`; as it is where there is no `nice`: then the child lowers itself, see
    :func:`at_least_niceness`)."""
    nice = shutil.which("nice")
    return [nice, "-n", str(niceness), *command] if nice else list(command)


def at_least_niceness(niceness: int = CHILD_NICE) -> int:
    """Lower this process's priority to `niceness` unless it is that low already (started
    through :func:`niced`); returns the niceness in force."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < niceness:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
    return os.getpriority(os.PRIO_PROCESS, 0)


def child_env() -> dict[str, str]:
    """This process's environment, with the folder holding `kiosk` first on the path (the child
    runs the same code as the console) and UTF-8 pipes."""
    package_parent = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH", "")
    return {
        **os.environ,
        "PYTHONPATH": package_parent + (os.pathsep + path if path else ""),
        "PYTHONIOENCODING": "utf-8",
    }
