"""The real console as its own process on a private Xvfb (a laptop monitor beside a projector
monitor), driven by lines on stdin/stdout (`tests/ui/console_child.py`) and by real X key
events (xdotool), for the tests that type on the console as a person does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.store.event_folder import EventFolder
from tests.line_child import LineChild
from tests.xvfb import Monitor, qt_env, xvfb_display

XDOTOOL = shutil.which("xdotool")
CHILD = Path(__file__).with_name("console_child.py")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"
CONSOLE = Monitor("CONSOLE", 1366, 768)
PROJECTOR = Monitor("PROJECTOR", 1280, 720, x=1366)


class Console(LineChild):
    """The console process, its display, and what it printed."""

    def expect(self, prefix: str, timeout_s: float = 15.0) -> str:
        """The console starts slower than a door: a longer default wait."""
        return super().expect(prefix, timeout_s)

    def state(self) -> dict[str, object]:
        self.send("state")
        state: dict[str, object] = json.loads(self.expect("STATE").split(" ", 1)[1])
        return state

    def fields(self) -> dict[str, str]:
        texts = self.state()["fields"]
        assert isinstance(texts, dict)
        return texts

    def commands(self) -> list[str]:
        done = self.state()["commands"]
        assert isinstance(done, list)
        return done

    def xdotool(self, *args: str) -> None:
        subprocess.run(
            [XDOTOOL or "xdotool", *args],
            env=qt_env(self.display),
            check=True,
            timeout=30,
            capture_output=True,
        )

    def person_types(self, *keys: str) -> None:
        """Keys pressed by hand, one at a time (not a scanner burst)."""
        self.xdotool("key", "--delay", "120", *keys)
        time.sleep(0.4)


@contextmanager
def console_on_xvfb(event: EventFolder, tmp_path: Path) -> Iterator[Console]:
    """The console on `event`, READY at its holding card; its stderr in `tmp_path`."""
    with (
        xvfb_display(CONSOLE.width + PROJECTOR.width, 768, monitors=[CONSOLE, PROJECTOR]) as d,
        (tmp_path / "console-stderr.txt").open("w") as errors,
    ):
        process = subprocess.Popen(
            [sys.executable, str(CHILD), str(event.root)],
            env=qt_env(d, KIOSK_VLC_AOUT="dummy", KIOSK_VLC_VOUT="xcb_x11"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=REPO,
        )
        console = Console(process, d)
        console.start_reading()
        try:
            console.expect("READY", 90)
            time.sleep(1.0)  # the show settles at its holding card
            yield console
        finally:
            if process.poll() is None:
                assert process.stdin is not None
                process.stdin.close()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
