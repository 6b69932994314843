"""A real door station window in a child process, typed at with real X keys (xdotool)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.doors_helpers import Person, make_event, seed_namesakes, seed_people
from tests.line_child import LineChild
from tests.xvfb import qt_env, xvfb_display

CHILD = Path(__file__).with_name("doors_child.py")
REPO = Path(__file__).resolve().parents[2]


XDOTOOL = shutil.which("xdotool")


FIELDS = ("code", "search", "name", "latin", "email", "undo")


class Station(LineChild):
    """The door process, its display, and the lines it printed so far."""

    def state(self) -> dict[str, Any]:
        self.send("state")
        texts: dict[str, Any] = json.loads(self.expect("STATE").split(" ", 1)[1])
        return texts

    def answer(self, timeout_s: float = 10.0) -> dict[str, object]:
        answer: dict[str, object] = json.loads(self.expect("ANSWER", timeout_s).split(" ", 1)[1])
        return answer

    def xdotool(self, *args: str) -> None:
        subprocess.run(
            [XDOTOOL or "xdotool", *args],
            env=qt_env(self.display),
            check=True,
            timeout=30,
            capture_output=True,
        )

    def scanner_types(self, text: str, delay_ms: int = 12) -> None:
        """A wedge scanner: the code key by key (Shift for capitals), then Return."""
        self.xdotool("type", "--delay", str(delay_ms), text)  # `type` takes every later word
        self.xdotool("key", "Return")


@contextmanager
def door_station(
    tmp_path: Path,
    people_count: int = 30,
    size: tuple[int, int] = (1366, 768),
    *,
    namesakes: int = 0,
) -> Iterator[tuple[Station, list[Person]]]:
    """A door station process, full screen on its own Xvfb of ``size``, with ``people_count``
    registrations and then ``namesakes`` people of one name (`seed_namesakes`) (its stderr
    goes to a file: a pipe nobody reads could fill up and stall it)."""
    folder = make_event(tmp_path / "event", capacity=max(500, people_count))
    people = seed_people(folder, count=people_count) + seed_namesakes(folder, namesakes)
    with (
        xvfb_display(*size) as display,
        (tmp_path / "station-stderr.txt").open("w") as errors,
    ):
        process = subprocess.Popen(
            [sys.executable, str(CHILD), str(folder.root), "Door 1"],
            env=qt_env(display),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=REPO,
        )
        station = Station(process, display)
        station.start_reading()
        try:
            station.expect("READY", 60)
            yield station, people
        finally:
            if process.poll() is None:
                assert process.stdin is not None
                process.stdin.close()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
