"""Read a scanner burst the way a US keyboard would have typed it, when the host's layout differs.

A USB keyboard-wedge scanner at its factory setting sends the keys a *US* keyboard would press
for each character. On a laptop set to another layout those keys type something else: on a
German (QWERTZ) host the hyphen key types "ß" and Y and Z come out swapped; on a French (AZERTY)
host the digit row types "&é\"'(-è_çà" and A/Q, Z/W and M move. The key *codes* do not change
with the layout, so the burst can be read again through the US table.

Both readings are kept and the one that is a ticket code wins: a scanner set to the host's
layout types the code's own hyphens (and its keys, read as US, give "/" or "6" there), a US
scanner on a foreign host gives hyphens only through the US table. Plain Python, no Qt: the key
codes are XKB's (Linux evdev codes + 8), which X11 and Wayland both report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kiosk.core.tickets import CODE_PREFIX, PAYLOAD_LENGTH, TAG_LENGTH, normalise_scanned

# XKB keycode -> the character a US keyboard types on that key (letters in upper case: ticket
# codes do not depend on case, and Shift/CapsLock only change the case of these keys).
US_KEYCODES: dict[int, str] = {
    **{10 + index: digit for index, digit in enumerate("1234567890")},
    20: "-",
    **{24 + index: letter for index, letter in enumerate("QWERTYUIOP")},
    **{38 + index: letter for index, letter in enumerate("ASDFGHJKL")},
    **{52 + index: letter for index, letter in enumerate("ZXCVBNM")},
}

_LITERAL_CODE = re.compile(
    rf"\s*{CODE_PREFIX}-[0-9A-Z]{{{PAYLOAD_LENGTH}}}-[0-9A-Z]{{{TAG_LENGTH}}}\s*", re.IGNORECASE
)


def us_reading(keycodes: Sequence[int]) -> str | None:
    """What a US keyboard would have typed with these keys (None if a key is not on the table)."""
    characters = [US_KEYCODES.get(code) for code in keycodes]
    if not characters or any(c is None for c in characters):
        return None
    return "".join(c for c in characters if c is not None)


def is_literal_code(text: str) -> bool:
    """True for exactly a ticket code as printed: prefix, payload and tag joined by '-'."""
    return _LITERAL_CODE.fullmatch(text) is not None


def choose_reading(typed: str, us_typed: str | None) -> str:
    """The reading of a burst to take as the scan: the typed text unless the US reading of its
    keys is a ticket code and the typed text is not one as printed."""
    if us_typed is None or us_typed == typed.upper() or is_literal_code(typed):
        return typed
    if is_literal_code(us_typed):
        return us_typed
    if normalise_scanned(typed) is None and normalise_scanned(us_typed) is not None:
        return us_typed
    return typed
