"""The console in its own process on Xvfb (a laptop monitor beside a projector), typed at with
real X key events (xdotool): the rig of the console's real-key tests (`console_on_xvfb`).

The console child (`console_child.py`) says what its fields hold and which commands the key map
carried out (the log panel's "⌨" lines); a test waits for the effect of the keys it typed
(`Console.until`) instead of sleeping.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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

    def state(self) -> dict[str, Any]:
        """Its fields' texts, the commands carried out so far and the show's phase."""
        self.send("state")
        state: dict[str, Any] = json.loads(self.expect("STATE").split(" ", 1)[1])
        return state

    def fields(self) -> dict[str, str]:
        texts: dict[str, str] = self.state()["fields"]
        return texts

    def commands(self) -> list[str]:
        done: list[str] = self.state()["commands"]
        return done

    def until(
        self, test: Callable[[dict[str, Any]], bool], what: str, timeout_s: float = 15.0
    ) -> dict[str, Any]:
        """The console's state once `test` holds: the keys typed have all been taken."""
        deadline = time.monotonic() + timeout_s
        while not test(state := self.state()):
            assert time.monotonic() < deadline, (what, state)
            time.sleep(0.05)
        return state

    def new_commands(self, before: int, wanted: str) -> list[str]:
        """The commands carried out after the first `before`, once the last says `wanted`."""
        state = self.until(
            lambda s: len(s["commands"]) > before and wanted in s["commands"][-1], wanted
        )
        done: list[str] = state["commands"][before:]
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


@contextmanager
def console_on_xvfb(event: EventFolder, stderr_dir: Path) -> Iterator[Console]:
    """The console on `event`, on its own Xvfb with openbox, once the show is at its holding
    card; its stderr goes to `stderr_dir`/console-stderr.txt; closed after."""
    with (
        xvfb_display(CONSOLE.width + PROJECTOR.width, 768, monitors=[CONSOLE, PROJECTOR]) as d,
        (stderr_dir / "console-stderr.txt").open("w") as errors,
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
            console.until(lambda state: state["phase"] == "holding", "the holding card")
            yield console
        finally:
            console.close()
