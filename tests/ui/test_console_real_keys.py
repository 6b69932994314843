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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import film_toml, write_event
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

    def until(self, test: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """The console's state once `test` holds: the keys typed have all been taken."""
        deadline = time.monotonic() + 15
        while not test(state := self.state()):
            assert time.monotonic() < deadline, (what, state)
            time.sleep(0.05)
        return state

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


@pytest.fixture(scope="module")
def console_rig(
    tmp_path_factory: pytest.TempPathFactory, clips: dict[str, Path]
) -> Iterator[Console]:
    """One console process on its own Xvfb (laptop + projector monitors) for the module."""
    root = tmp_path_factory.mktemp("keys")
    event = write_event(
        root / "event",
        [film_toml("A1", clips["good"]), film_toml("A2", clips["vertical"])],
    )
    with (
        xvfb_display(CONSOLE.width + PROJECTOR.width, 768, monitors=[CONSOLE, PROJECTOR]) as d,
        (root / "console-stderr.txt").open("w") as errors,
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


@pytest.fixture
def keys_console(console_rig: Console) -> Console:
    """The module's console, its text fields emptied and the Show tab up."""
    console_rig.send("reset")
    console_rig.expect("RESET")
    return console_rig


# what a person types in each field, and what must be in the field afterwards
TYPING = {
    "search": (["p", "b", "space", "n", "t", "minus", "m"], "pb nt-m"),
    "station": (["shift+d", "o", "o", "r", "space", "b", "minus", "j"], "Door b-j"),
    "minutes": (["ctrl+a", "1", "2"], "12 min"),
}


def test_typing_in_a_text_field_types_and_runs_no_show_command(keys_console: Console) -> None:
    before = keys_console.commands()
    for name, (keys, expected) in TYPING.items():
        keys_console.focus(name)
        keys_console.person_types(*keys)

        def typed(state: dict[str, Any], field: str = name, text: str = expected) -> bool:
            return bool(state["fields"][field] == text)

        state = keys_console.until(typed, f"{expected!r} in {name}")
        assert state["commands"] == before, f"a show key fired while typing in {name}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(keys_console.display, SCREENSHOTS / "console-typing-in-a-field.png")


def new_commands(console: Console, before: list[str], wanted: str) -> list[str]:
    """The commands carried out since `before`, once one of them contains `wanted`."""
    state = console.until(
        lambda s: any(wanted in line for line in s["commands"][len(before) :]), wanted
    )
    done: list[str] = state["commands"][len(before) :]
    return done


@pytest.mark.parametrize("name", ["search", "station", "minutes", "trim", "log"])
def test_the_emergency_keys_work_from_inside_any_field(keys_console: Console, name: str) -> None:
    keys_console.focus(name)
    before = keys_console.commands()
    keys_console.person_types("shift+Escape")
    assert new_commands(keys_console, before, "Black now")
    keys_console.person_types("Escape")
    assert new_commands(keys_console, before, "Fade to black")


@pytest.mark.parametrize("name", ["trim", "minutes"])
def test_show_keys_that_a_number_field_cannot_take_still_work_there(
    keys_console: Console, name: str
) -> None:
    """A number field takes digits, '-', '.' and ','; a letter or Space typed there would be
    thrown away, so it is the show's key: the projectionist who nudged the trim with the mouse
    and then presses Space expects GO."""
    keys_console.focus(name)
    value = keys_console.fields()[name]
    before = keys_console.commands()
    keys_console.person_types("t")
    assert new_commands(keys_console, before, "Technical difficulties slide")
    assert keys_console.fields()[name] == value


def test_a_number_field_still_takes_what_it_can_type(keys_console: Console) -> None:
    keys_console.focus("trim")
    before = keys_console.commands()
    keys_console.person_types("Home", "minus", "1")
    state = keys_console.until(lambda s: s["fields"]["trim"].startswith("-1"), "-1 in the trim")
    assert state["commands"] == before, "'-' in the trim is a minus sign, not volume down"
