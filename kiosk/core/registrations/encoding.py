"""Which text encoding an export is in (step 1 of the pipeline: see
kiosk.core.registrations.export).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from kiosk.core.registrations.model import UTF16_SNIFF_BYTES, RegistrationFileError

logger = logging.getLogger(__name__)


def decode_export(data: bytes) -> tuple[str, str]:
    """Decode an export's bytes, detecting the encoding; return the text and the codec name.

    See the module documentation for the heuristic. Raises :class:`RegistrationFileError` for
    an empty file or one that no candidate encoding can decode.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise RegistrationFileError("The file is empty.")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec.removesuffix("-sig")), codec
            except UnicodeDecodeError as error:
                raise RegistrationFileError(
                    f"The file starts with a {codec} byte-order mark but is not valid {codec}: "
                    f"{error}"
                ) from error
    utf16 = _sniff_bomless_utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    scored: list[tuple[int, int, str, str]] = []
    for preference, codec in enumerate(("big5hkscs", "gb18030", "cp1252")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _latin_plausibility(text) if codec == "cp1252" else _han_plausibility(text)
        scored.append((score, -preference, codec, text))
    if not scored:
        raise RegistrationFileError(
            "Cannot tell the file's text encoding (tried UTF-8, UTF-16, Big5-HKSCS, GB18030 and "
            'Windows-1252). Save it from the spreadsheet as "CSV UTF-8" and try again.'
        )
    _, _, codec, text = max(scored)
    logger.debug("Encoding scores: %s", {entry[2]: entry[0] for entry in scored})
    return text, codec


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------


def _sniff_bomless_utf16(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the NUL bytes are (ASCII text: every other byte)."""
    sample = data[:UTF16_SNIFF_BYTES]
    if len(data) % 2 or len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd_nuls >= 0.3 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.3 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    return None


@lru_cache(maxsize=8192)
def _is_common_han(character: str) -> bool:
    """True for an everyday Chinese character: GB2312 level 1 or Big5 level 1."""
    try:
        gb = character.encode("gb2312")
    except UnicodeEncodeError:
        gb = b""
    if len(gb) == 2 and 0xB0 <= gb[0] <= 0xD7:
        return True
    try:
        big5 = character.encode("big5")
    except UnicodeEncodeError:
        big5 = b""
    return len(big5) == 2 and 0xA440 <= int.from_bytes(big5, "big") <= 0xC67E


def _is_neutral(character: str) -> bool:
    """Characters that say nothing about the encoding: spaces, CJK and full-width punctuation."""
    code_point = ord(character)
    return (
        character.isspace()
        or 0x3000 <= code_point <= 0x303F
        or 0xFF01 <= code_point <= 0xFF60
        or character in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7"
    )


def _han_plausibility(text: str) -> int:
    """Score text decoded as Chinese: +1 per everyday Han character, less for anything unusual."""
    score = 0
    for character in text:
        if character.isascii() or _is_neutral(character):
            continue
        if unicodedata.category(character) in ("Cc", "Co", "Cn", "Cs"):
            score -= 3
        elif _is_common_han(character):
            score += 1
        else:
            score -= 1
    return score


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _is_accented_latin(character: str) -> bool:
    """Latin letters with diacritics and ligatures (À-ɏ), not ª º µ or other symbols."""
    return 0xC0 <= ord(character) <= 0x24F and character.isalpha()


def _latin_plausibility(text: str) -> int:
    """Score text decoded as Windows-1252: +2 per accented letter set in an ASCII word.

    Real names have one or two accented letters inside a word (``Müller``, ``Ærø``); Chinese
    bytes read as Windows-1252 give long runs of symbols and accented letters (``³Â´óÎÄ``).
    """
    score = 0
    for run in _NON_ASCII_RUN.finditer(text):
        characters = run.group()
        if all(_is_neutral(character) for character in characters):
            continue
        before = text[run.start() - 1] if run.start() else ""
        after = text[run.end()] if run.end() < len(text) else ""
        in_a_word = before.isalpha() or after.isalpha()
        if len(characters) <= 2 and in_a_word and all(map(_is_accented_latin, characters)):
            score += 2 * len(characters)
        else:
            score -= len(characters)
    return score
