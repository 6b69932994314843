"""The supervisor keeps the projector black while the app is down and restarts it (real X)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from tests.process_lines import pump_lines, wait_for_line
from tests.xvfb import qt_env, requires_xvfb, wait_for_visible_window, xvfb_display

pytestmark = [requires_xvfb, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


STANDBY = "AIFF Screening Night — projector standby"
CONSOLE = "— Console"


def window_info(display: str, name: str) -> str:
    result = subprocess.run(
        ["xwininfo", "-name", name],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def test_supervisor_keeps_black_and_restarts_the_app(small_event: EventFolder) -> None:
    with xvfb_display(1280, 720) as display:
        env = qt_env(display, KIOSK_SUPERVISOR="always", KIOSK_VLC_AOUT="dummy")
        supervisor = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--event", str(small_event.root)],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        assert supervisor.stderr is not None
        stream = supervisor.stderr
        threading.Thread(target=pump_lines, args=(stream, lines), daemon=True).start()
        try:
            first = int(wait_for_line(lines, r"app started \(pid (\d+)\)", 30).group(1))
            wait_for_visible_window(display, CONSOLE, first, 60)  # the console came up
            os.kill(first, signal.SIGKILL)
            wait_for_line(lines, r"app died \(status -9\)", 10)
            assert supervisor.poll() is None
            info = window_info(display, STANDBY)
            assert "IsViewable" in info and "Width: 1280" in info and "Height: 720" in info
            second = int(wait_for_line(lines, r"app started \(pid (\d+)\)", 15).group(1))
            assert second != first
            # the restarted app brings its console up again and keeps running
            wait_for_visible_window(display, CONSOLE, second, 60)
            assert supervisor.poll() is None
            os.kill(second, 0)  # the restarted app runs
        finally:
            supervisor.send_signal(signal.SIGTERM)
            code = supervisor.wait(20)
        assert code == 0
