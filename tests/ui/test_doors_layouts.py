"""Scanner bursts under German and French keyboard layouts, CapsLock on, as real X key events.

The door laptop may be set to any layout. Two kinds of scanner are tried, both typing on the X
server through XTest (xdotool) after `setxkbmap` has changed the server's layout:

* a scanner set to the host's layout (`xdotool type`: for each character the key and the
  modifiers that type it *in the current layout*: on AZERTY the digits need Shift, the hyphen is
  on the 6 key; on QWERTZ Y and Z are swapped);
* a scanner left at its factory setting, US (it sends the keys a US keyboard would press,
  whatever the host's layout: on a German host its hyphen types "ß" and Y/Z come out swapped,
  on a French host its digits type "&é\"'(-è_çà" and A/Q, Z/W, M are moved).

Each code must arrive exactly (canonical upper case, digits and '-') as one scan, with the focus
in each field of the door window, and nothing may be left in the fields.

The module shares one door station (`door`: reset to the US layout between tests), so its
layout is switched back and forth (de, us, fr...) as a laptop's might be during a night;
`set_layout` returns once the station itself types with the new layout.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.ui.door_station import FIELDS, XDOTOOL, DoorRig, Station
from tests.xvfb import qt_env, requires_xvfb

pytestmark = [
    requires_xvfb,
    pytest.mark.skipif(XDOTOOL is None, reason="xdotool is needed (make test installs it)"),
    pytest.mark.serial,  # key bursts are told from typing by their timing
    pytest.mark.skipif(
        not (shutil.which("setxkbmap") and shutil.which("xmodmap")),
        reason="setxkbmap and xmodmap are needed (make test installs them)",
    ),
]


# what the US keys "1" and "Y" (X keycodes 10 and 29) type by hand on each layout
LAYOUT_PROBE = {"us": "1y", "de": "1z", "fr": "&y"}


def set_layout(station: Station, layout: str) -> None:
    """Switch the X server's layout, and return once the station types with it: two keys
    typed by hand (slowly: typing, not a burst) into the search field give that layout's
    characters, then the field is emptied again."""
    subprocess.run(
        ["setxkbmap", "-layout", layout],
        env=qt_env(station.display),
        check=True,
        timeout=30,
        capture_output=True,
    )
    station.focus("search")
    station.xdotool("key", "--delay", "150", "10", "29")
    typed = station.until(lambda texts: len(texts["search"]) >= 2, "the probe keys typed")
    assert typed["search"] == LAYOUT_PROBE[layout], (layout, typed["search"])
    station.xdotool("key", "ctrl+a", "BackSpace")
    station.until(lambda texts: texts["search"] == "", "the field emptied")


def us_keycodes(station: Station) -> dict[str, int]:
    """Which X keycode types each character on a US layout (read from the server itself)."""
    table = subprocess.run(
        ["xmodmap", "-pke"],
        env=qt_env(station.display),
        check=True,
        timeout=30,
        capture_output=True,
        text=True,
    ).stdout
    codes: dict[str, int] = {}
    for line in table.splitlines():
        left, _, right = line.partition("=")
        symbols = right.split()
        if not symbols:
            continue
        keycode = int(left.split()[1])
        name = symbols[0]
        if len(name) == 1 and name.isalnum():
            codes.setdefault(name.upper(), keycode)
        elif name == "minus":
            codes.setdefault("-", keycode)
    return codes


def us_scanner_types(station: Station, text: str, keycodes: dict[str, int]) -> None:
    """A scanner at its US factory setting: US keys (Shift for capitals), then Return."""
    keys = [
        f"shift+{keycodes[c]}" if c.isalpha() and c.isupper() else str(keycodes[c.upper()])
        for c in text
    ]
    station.xdotool("key", "--delay", "12", *keys, "Return")


def assert_admitted_with_nothing_left(station: Station, field: str, code: str, name: str) -> None:
    answer = station.answer()
    assert answer == {
        "kind": "scan",
        "verdict": "admitted",
        "code": code,
        "name": name,
        "method": "scan",
    }, (field, answer, station.lines[-3:])  # the SCANNED line: what the station read
    texts = station.state()
    assert all(texts[key] == "" for key in FIELDS[:5]), (field, texts)
    # a search the scan's keys started, if a stall let some through, is over once they are
    # taken back (the search runs a moment after its text changes)
    station.until(lambda texts: "Nobody found" not in texts["search_summary"], "no search")


@pytest.mark.parametrize("layout", ["de", "fr"])
def test_a_scanner_set_to_the_hosts_layout(door: DoorRig, layout: str) -> None:
    station, people = door.station, door.fresh(len(FIELDS))
    set_layout(station, layout)
    for person, field in zip(people, FIELDS, strict=True):
        station.focus(field)
        station.scanner_types(person.code)
        assert_admitted_with_nothing_left(station, field, person.code, person.name)
    assert station.state()["status"] == ""


@pytest.mark.parametrize("layout", ["de", "fr"])
def test_a_scanner_left_at_us_on_a_foreign_layout(door: DoorRig, layout: str) -> None:
    station, people = door.station, door.fresh(len(FIELDS))
    keycodes = us_keycodes(station)  # before the switch: the rig is reset to a US map
    set_layout(station, layout)
    # the layout is in force in the station: the US "A" key, typed by hand, gives its letter
    station.focus("search")
    station.xdotool("key", "--delay", "150", str(keycodes["A"]))
    typed = station.until(lambda texts: texts["search"] != "", "the typed letter")
    assert typed["search"] == {"de": "a", "fr": "q"}[layout]
    station.xdotool("key", "ctrl+a", "BackSpace")
    station.until(lambda texts: texts["search"] == "", "the field emptied")
    for person, field in zip(people, FIELDS, strict=True):
        station.focus(field)
        us_scanner_types(station, person.code, keycodes)
        assert_admitted_with_nothing_left(station, field, person.code, person.name)


@pytest.mark.parametrize("layout", ["de", "fr"])
def test_caps_lock_on_under_a_foreign_layout(door: DoorRig, layout: str) -> None:
    station, people = door.station, door.fresh(4)
    keycodes = us_keycodes(station)
    set_layout(station, layout)
    station.xdotool("key", "Caps_Lock")  # the rig's reset turns it off again
    for person, field in zip(people[:3], ("code", "search", "name"), strict=True):
        station.focus(field)
        station.scanner_types(person.code)
        assert_admitted_with_nothing_left(station, field, person.code, person.name)
    person = people[3]
    station.focus("email")
    us_scanner_types(station, person.code.lower(), keycodes)
    assert_admitted_with_nothing_left(station, "email", person.code, person.name)


@pytest.mark.parametrize("suffix", ["\t", "\n"])
def test_a_scanner_that_ends_codes_with_tab_or_line_feed(door: DoorRig, suffix: str) -> None:
    """Scanners can be set to send Tab or a line feed after the code instead of Enter: still
    one scan, the Tab does not move the focus and nothing lands in a field."""
    station, people = door.station, door.fresh(len(FIELDS))
    for person, field in zip(people, FIELDS, strict=True):
        station.focus(field)
        station.xdotool("type", "--delay", "12", person.code + suffix)
        assert_admitted_with_nothing_left(station, field, person.code, person.name)
