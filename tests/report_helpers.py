"""`python main.py report` run as the operator runs it: a real process, offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.store.event_folder import EventFolder

MAIN = Path(__file__).resolve().parents[1] / "main.py"


def run_report(event: EventFolder, *args: str) -> subprocess.CompletedProcess[str]:
    """The report command on `event` with `args`; its exit status and output, not checked."""
    return subprocess.run(
        [sys.executable, str(MAIN), "--event", str(event.root), "report", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
