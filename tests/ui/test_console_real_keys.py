"""The console's show keys as real X key events (xdotool) while a text field has the focus.

A projectionist typing a name in the registrations search, a new door station's name, or the
vote's minutes expects the letters to land in the field: "p", "b", "n", "t", "-" and Space
there are typing, not pause, back, skip, the difficulties slide, volume down or GO. The
emergency keys still work from inside any field: Esc fades to black, Shift+Esc is black now.
The console runs as its own process (open_console, as `python main.py` opens it) on Xvfb; the
log panel's "⌨" lines say which commands were carried out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from tests.ui.console_on_xvfb import SCREENSHOTS, XDOTOOL, console_on_xvfb
from tests.xvfb import requires_xvfb, screenshot

pytestmark = [
    requires_xvfb,
    pytest.mark.skipif(XDOTOOL is None, reason="xdotool is needed (make test installs it)"),
    pytest.mark.serial,  # keys typed by hand at a person's pace
]


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
