"""A newcomer's first minute: time from `python main.py` on a fresh home to the first window
(the demo being built, with a progress bar) and to the console, under Xvfb with openbox.

Prints the figures (`make bench`); screenshots of the build window and of the console land in
the test's tmp folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from tests.xvfb import qt_env, requires_xvfb, screenshot, xvfb_display

ROOT = Path(__file__).resolve().parents[2]
BUILD_TITLE = "building the demo night"
CONSOLE_TITLE = "— Console"


def visible(display: str, name: str) -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", name],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(found.stdout.strip())


@requires_xvfb
@pytest.mark.slow
def test_time_to_first_window_on_a_fresh_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with xvfb_display(1366, 768) as display:
        env = qt_env(display, HOME=str(home), KIOSK_VLC_AOUT="dummy")
        for name in ("KIOSK_EVENT_DIR", "XDG_DATA_HOME", "KIOSK_SUPERVISED", "KIOSK_SUPERVISOR"):
            env.pop(name, None)
        started = time.monotonic()
        app = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        first = console = None
        try:
            deadline = started + 300
            while time.monotonic() < deadline and console is None:
                now = time.monotonic() - started
                if first is None and visible(display, BUILD_TITLE):
                    first = now
                    time.sleep(3)
                    screenshot(display, tmp_path / "first-run-building.png")
                if visible(display, CONSOLE_TITLE):
                    console = time.monotonic() - started
                    time.sleep(2)
                    screenshot(display, tmp_path / "first-run-console.png")
                time.sleep(0.1)
        finally:
            with suppress(ProcessLookupError):
                app.send_signal(signal.SIGTERM)
            try:
                app.wait(20)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait(5)
    print(
        f"\nfirst run on a fresh home: first window after {first} s, "
        f"console after {console} s (screenshots in {tmp_path})"
    )
    assert first is not None and console is not None
    assert (home / ".local/share/aiff-kiosk/demo/event.toml").is_file()
