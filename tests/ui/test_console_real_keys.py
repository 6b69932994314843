"""The console's show keys as real X key events (xdotool) while a text field has the focus.

A projectionist typing a name in the registrations search, a new door station's name, or the
vote's minutes expects the letters to land in the field: "p", "b", "n", "t", "-" and Space
there are typing, not pause, back, skip, the difficulties slide, volume down or GO. The
emergency keys still work from inside any field: Esc fades to black, Shift+Esc is black now.
The console runs as its own process (open_console, as `python main.py` opens it) on Xvfb; the
log panel's "⌨" lines say which commands were carried out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from tests.line_child import LineChild
from tests.xvfb import Monitor, qt_env, requires_xvfb, screenshot, xvfb_display

XDOTOOL = shutil.which("xdotool")
CHILD = Path(__file__).with_name("console_child.py")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"
CONSOLE = Monitor("CONSOLE", 1366, 768)
PROJECTOR = Monitor("PROJECTOR", 1280, 720, x=1366)

pytestmark = [
    requires_xvfb,
    pytest.mark.skipif(XDOTOOL is None, reason="xdotool is needed (make test installs it)"),
    pytest.mark.serial,  # keys typed by hand at a person's pace
]


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


# what a person types in each field, and what must be in the field afterwards
TYPING = {
    "search": (["p", "b", "space", "n", "t", "minus", "m"], "pb nt-m"),
    "station": (["shift+d", "o", "o", "r", "space", "b", "minus", "j"], "Door b-j"),
    "minutes": (["ctrl+a", "1", "2"], "12 min"),
}


def test_typing_in_a_text_field_types_and_runs_no_show_command(
    small_event: EventFolder, tmp_path: Path
) -> None:
    with console_on_xvfb(small_event, tmp_path) as console:
        before = console.commands()
        for name, (keys, expected) in TYPING.items():
            console.focus(name)
            console.person_types(*keys)
            assert console.fields()[name] == expected, (name, console.fields())
            assert console.commands() == before, f"a show key fired while typing in {name}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(console.display, SCREENSHOTS / "console-typing-in-a-field.png")


@pytest.mark.parametrize("name", ["search", "station", "minutes", "trim", "log"])
def test_the_emergency_keys_work_from_inside_any_field(
    small_event: EventFolder, tmp_path: Path, name: str
) -> None:
    with console_on_xvfb(small_event, tmp_path) as console:
        console.focus(name)
        before = console.commands()
        console.person_types("shift+Escape")
        done = console.commands()[len(before) :]
        assert any("Black now" in line for line in done), (name, done)
        console.person_types("Escape")
        done = console.commands()[len(before) :]
        assert any("Fade to black" in line for line in done), (name, done)


@pytest.mark.parametrize("name", ["trim", "minutes"])
def test_show_keys_that_a_number_field_cannot_take_still_work_there(
    small_event: EventFolder, tmp_path: Path, name: str
) -> None:
    """A number field takes digits, '-', '.' and ','; a letter or Space typed there would be
    thrown away, so it is the show's key: the projectionist who nudged the trim with the mouse
    and then presses Space expects GO."""
    with console_on_xvfb(small_event, tmp_path) as console:
        console.focus(name)
        value = console.fields()[name]
        before = console.commands()
        console.person_types("t")
        done = console.commands()[len(before) :]
        assert any("Technical difficulties slide" in line for line in done), (name, done)
        assert console.fields()[name] == value


def test_a_number_field_still_takes_what_it_can_type(
    small_event: EventFolder, tmp_path: Path
) -> None:
    with console_on_xvfb(small_event, tmp_path) as console:
        console.focus("trim")
        before = console.commands()
        console.person_types("Home", "minus", "1")
        assert console.fields()["trim"].startswith("-1"), console.fields()
        assert console.commands() == before, "'-' in the trim is a minus sign, not volume down"
