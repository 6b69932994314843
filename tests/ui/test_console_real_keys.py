"""The console's show keys as real X key events (xdotool) while a text field has the focus.

A projectionist typing a name in the registrations search, a new door station's name, or the
vote's minutes expects the letters to land in the field: "p", "b", "n", "t", "-" and Space
there are typing, not pause, back, skip, the difficulties slide, volume down or GO. The
emergency keys still work from inside any field: Esc fades to black, Shift+Esc is black now.
The console runs as its own process (open_console, as `python main.py` opens it) on Xvfb; the
log panel's "⌨" lines say which commands were carried out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import film_toml, write_event
from tests.ui.console_keys import SCREENSHOTS, XDOTOOL, Console, console_on_xvfb
from tests.xvfb import requires_xvfb, screenshot

pytestmark = [
    requires_xvfb,
    pytest.mark.skipif(XDOTOOL is None, reason="xdotool is needed (make test installs it)"),
    # not serial: the console's key map times nothing (a key is a key, however slow the
    # machine), and every check waits for the console's own state lines
]


@pytest.fixture(scope="module")
def console_rig(
    tmp_path_factory: pytest.TempPathFactory, clips: dict[str, Path]
) -> Iterator[Console]:
    """One console process on its own Xvfb for the module (starting one costs seconds)."""
    root = tmp_path_factory.mktemp("keys")
    event = write_event(
        root / "event", [film_toml("A1", clips["good"]), film_toml("A2", clips["vertical"])]
    )
    with console_on_xvfb(event, root) as console:
        yield console


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


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
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


@pytest.mark.parametrize("name", ["search", "station", "minutes", "trim", "log"])
def test_the_emergency_keys_work_from_inside_any_field(keys_console: Console, name: str) -> None:
    keys_console.focus(name)
    before = len(keys_console.commands())
    keys_console.person_types("shift+Escape")
    assert keys_console.new_commands(before, "Black now")
    keys_console.person_types("Escape")
    assert keys_console.new_commands(before, "Fade to black")


@pytest.mark.parametrize("name", ["trim", "minutes"])
def test_show_keys_that_a_number_field_cannot_take_still_work_there(
    keys_console: Console, name: str
) -> None:
    """A number field takes digits, '-', '.' and ','; a letter or Space typed there would be
    thrown away, so it is the show's key: the projectionist who nudged the trim with the mouse
    and then presses Space expects GO."""
    keys_console.focus(name)
    value = keys_console.fields()[name]
    before = len(keys_console.commands())
    keys_console.person_types("t")
    assert keys_console.new_commands(before, "Technical difficulties slide")
    assert keys_console.fields()[name] == value


def test_a_number_field_still_takes_what_it_can_type(keys_console: Console) -> None:
    keys_console.focus("trim")
    before = keys_console.commands()
    keys_console.person_types("Home", "minus", "1")
    state = keys_console.until(lambda s: s["fields"]["trim"].startswith("-1"), "-1 in the trim")
    assert state["commands"] == before, "'-' in the trim is a minus sign, not volume down"
