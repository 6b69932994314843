"""A real door station window in a child process, typed at with real X keys (xdotool)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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

    def until(self, test: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """The station's state once `test` holds (bounded wait, polled)."""
        deadline = time.monotonic() + 10
        while not test(texts := self.state()):
            assert time.monotonic() < deadline, (what, texts)
            time.sleep(0.05)
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

    def run(self, *command: str) -> str:
        """An X client (setxkbmap, xset...) on the station's display; its output."""
        return subprocess.run(
            list(command),
            env=qt_env(self.display),
            check=True,
            timeout=30,
            capture_output=True,
            text=True,
        ).stdout

    def caps_lock_on(self) -> bool:
        """Whether the X server's Caps Lock is on (`xset q`)."""
        return "Caps Lock:   on" in self.run("xset", "q")


@dataclass
class DoorRig:
    """One door station process for a whole test module, reset between its tests: the
    module's tests take fresh people from its pool (a ticket is admitted once), and `reset`
    puts the keyboard and the window back as a new station would have them."""

    station: Station
    people: list[Person]
    folder: Path
    taken: int = 0

    def fresh(self, count: int) -> list[Person]:
        """`count` people nobody has scanned yet in this module."""
        chosen = self.people[self.taken : self.taken + count]
        assert len(chosen) == count, "the module's pool of registrations is used up"
        self.taken += count
        return chosen

    def reset(self) -> None:
        """The US layout, Caps Lock off, no dialog, empty fields and status line; the lines
        the station printed before are read past (the child says RESET once it is done)."""
        layout = ["setxkbmap", "-query"]
        if "layout:     us\n" not in self.station.run(*layout):
            self.station.run("setxkbmap", "-layout", "us")  # Xvfb's own map is left alone
        if self.station.caps_lock_on():
            self.station.xdotool("key", "Caps_Lock")
        self.station.send("reset")
        self.station.expect("RESET")


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
