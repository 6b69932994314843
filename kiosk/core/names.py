"""People's names as data: cleaned of what can only deceive or break a screen, and capped.

A name from a registration export or typed at the door is shown on the door's verdict, in the
console, on tickets and in exports. Cleaning keeps how the name is written (NFC, the person's
own script and spacing) and removes only what no name needs:

* bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), which can make
  "Chan" display as something else or reverse the text around it;
* invisible format characters (zero-width spaces, joiners outside emoji, the BOM, soft hyphen)
  and control characters; all whitespace runs become one space.

A name that is empty once cleaned ("invisible only") or longer than :data:`MAX_NAME_CHARS` is
refused with a clear message (:func:`name_problem`); nothing is silently cut.
"""

from __future__ import annotations

import logging
import unicodedata

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 120  # the longest real names with a transcription fit easily
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_ZERO_WIDTH_JOINER = "\u200d"


def _keep(character: str, previous: str, following: str) -> bool:
    if character in _BIDI_CONTROLS:
        return False
    category = unicodedata.category(character)
    if category == "Cc":
        return character in "\t\n\r"  # whitespace: collapsed below
    if category == "Cf":
        # a joiner between two emoji/symbols (family emoji) is part of the character
        return (
            character == _ZERO_WIDTH_JOINER
            and unicodedata.category(previous or " ") == "So"
            and unicodedata.category(following or " ") == "So"
        )
    return True


def clean_name(text: str) -> str:
    """The name as it should be stored and shown: NFC, no bidi controls or invisibles, one
    space between words, trimmed. Returns "" for a name with nothing visible in it."""
    normal = unicodedata.normalize("NFC", text)
    kept = "".join(
        character
        for index, character in enumerate(normal)
        if _keep(
            character,
            normal[index - 1] if index else "",
            normal[index + 1] if index + 1 < len(normal) else "",
        )
    )
    return " ".join(kept.split())


def name_problem(raw: str, cleaned: str | None = None) -> str | None:
    """Why ``raw`` cannot be a name (English, for row errors), or None if it can.

    An empty ``raw`` is not this function's business (a missing name is reported as such).
    """
    cleaned = clean_name(raw) if cleaned is None else cleaned
    if raw.strip() and not cleaned:
        return "the name has only invisible characters"
    if len(cleaned) > MAX_NAME_CHARS:
        return (
            f"the name is {len(cleaned):,} characters long; a name may have at most "
            f"{MAX_NAME_CHARS}"
        )
    return None


def name_problem_zh(raw: str, cleaned: str | None = None) -> str | None:
    """The same problem in Traditional Chinese (for the usher's walk-in form)."""
    cleaned = clean_name(raw) if cleaned is None else cleaned
    if raw.strip() and not cleaned:
        return "姓名只有看不見的字元"
    if len(cleaned) > MAX_NAME_CHARS:
        return f"姓名有 {len(cleaned):,} 個字元，最多只可 {MAX_NAME_CHARS} 個"
    return None
