"""Signed ticket codes: issuing them, verifying them, and reading what a USB scanner typed.

A ticket code looks like ``AIFF-0A1B2-7QK3M9T2XW4HB8ZR``:

* ``AIFF`` is a fixed prefix, so a code is recognisable even inside a URL or other text;
* the 5-character payload is the attendee number (4 characters, 0..32**4-1) followed by the
  issue number (1 character, 0..31), which goes up each time a ticket is revoked and reissued,
  so an old code still verifies and can be reported as ``revoked`` rather than ``invalid``;
* the 16-character tag is HMAC-SHA256 over a versioned, domain-separated message containing the
  payload, keyed with the event's secret key and truncated to 80 bits.

Only uppercase Crockford base32 (``0-9`` and ``A-Z`` without ``I L O U``) and hyphens are used,
so the 27-character code fits QR alphanumeric mode at version 2, level M (38 characters at most),
and a scanner in keyboard-emulation mode types the same characters on nearly every layout.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from enum import Enum

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "AIFF"
ATTENDEE_NUMBER_LENGTH = 4
ISSUE_NUMBER_LENGTH = 1
PAYLOAD_LENGTH = ATTENDEE_NUMBER_LENGTH + ISSUE_NUMBER_LENGTH
TAG_LENGTH = 16  # 16 base32 characters = 80 bits of HMAC-SHA256
TICKET_CODE_LENGTH = len(CODE_PREFIX) + 1 + PAYLOAD_LENGTH + 1 + TAG_LENGTH
MAX_ATTENDEE_NUMBER = len(CROCKFORD_ALPHABET) ** ATTENDEE_NUMBER_LENGTH - 1
MAX_ISSUE_NUMBER = len(CROCKFORD_ALPHABET) ** ISSUE_NUMBER_LENGTH - 1
MIN_SECRET_KEY_BYTES = 16
SECRET_KEY_BYTES = 32

TICKET_CODE_PATTERN = re.compile(
    rf"^{CODE_PREFIX}-[0-9A-HJKMNP-TV-Z]{{{PAYLOAD_LENGTH}}}-[0-9A-HJKMNP-TV-Z]{{{TAG_LENGTH}}}$"
)

# Changing this (or the tag length) invalidates every ticket ever printed: bump the version.
_SIGNED_MESSAGE_CONTEXT = b"AIFF screening night ticket\x00v1\x00"
_TAG_BYTES = TAG_LENGTH * 5 // 8
_DIGIT_VALUES = {character: value for value, character in enumerate(CROCKFORD_ALPHABET)}
# Crockford's decoding rule: letters that look like digits are read as those digits.
_CONFUSABLE_DIGITS = {"O": "0", "I": "1", "L": "1"}
# What a scanner's hyphen turns into under other keyboard layouts and in word processors,
# applied before upper-casing (upper-casing "ß" would produce "SS").
_HYPHEN_LOOKALIKES = str.maketrans(dict.fromkeys("ß‐‑‒–—―−", "-"))
# Scanner input longer than this is not a ticket, whatever it contains.
_MAX_SCANNED_LENGTH = 1024
# A separator between code characters may be a few characters long (" - ", "\r\n"), no more.
_MAX_SEPARATOR_RUN = 3


def generate_secret_key() -> bytes:
    """Return a new random per-event secret key for signing tickets (32 bytes)."""
    return secrets.token_bytes(SECRET_KEY_BYTES)


@dataclass(frozen=True)
class TicketId:
    """Who a verified ticket code belongs to: attendee number, issue number and canonical code."""

    attendee_number: int
    issue_number: int
    code: str


class TicketCodeProblem(Enum):
    """Why scanned text was refused as a ticket."""

    NOT_A_TICKET_CODE = "not_a_ticket_code"
    """The text does not contain anything shaped like an AIFF ticket code."""
    SIGNATURE_MISMATCH = "signature_mismatch"
    """Shaped like a code, but not signed with this event's key: another event, typo or forgery."""


_PROBLEM_MESSAGES = {
    TicketCodeProblem.NOT_A_TICKET_CODE: "This is not an AIFF ticket code.",
    TicketCodeProblem.SIGNATURE_MISMATCH: (
        "This looks like an AIFF ticket code, but it was not issued for this event "
        "(a ticket for another event, a mistyped code or a forgery)."
    ),
}


@dataclass(frozen=True)
class TicketCheck:
    """The outcome of checking scanned text: either a verified ticket or the reason it is not one.

    ``normalised_code`` is the canonical code read from the text (also when the signature is
    wrong), or ``None`` when nothing code-shaped was found.
    """

    ticket: TicketId | None
    problem: TicketCodeProblem | None
    normalised_code: str | None

    @property
    def is_valid(self) -> bool:
        """True when the text is a ticket code signed with this event's key."""
        return self.ticket is not None

    @property
    def message(self) -> str:
        """A short explanation for the usher's screen (empty for a valid ticket)."""
        return "" if self.problem is None else _PROBLEM_MESSAGES[self.problem]


class TicketCodec:
    """Issues and verifies ticket codes signed with one event's secret key."""

    __slots__ = ("_secret_key",)

    def __init__(self, secret_key: bytes) -> None:
        if not isinstance(secret_key, bytes):
            raise TypeError("the ticket secret key must be bytes")
        if len(secret_key) < MIN_SECRET_KEY_BYTES:
            raise ValueError(
                f"the ticket secret key must be at least {MIN_SECRET_KEY_BYTES} bytes long, "
                f"got {len(secret_key)}"
            )
        self._secret_key = secret_key

    def __repr__(self) -> str:
        return "TicketCodec(<secret key hidden>)"

    def issue(self, attendee_number: int, issue_number: int = 0) -> str:
        """Return the canonical ticket code for an attendee number and issue number."""
        if not 0 <= attendee_number <= MAX_ATTENDEE_NUMBER:
            raise ValueError(
                f"attendee number must be between 0 and {MAX_ATTENDEE_NUMBER}, "
                f"got {attendee_number}"
            )
        if not 0 <= issue_number <= MAX_ISSUE_NUMBER:
            raise ValueError(
                f"issue number must be between 0 and {MAX_ISSUE_NUMBER}, got {issue_number}"
            )
        payload = _encode_base32(attendee_number, ATTENDEE_NUMBER_LENGTH) + _encode_base32(
            issue_number, ISSUE_NUMBER_LENGTH
        )
        return f"{CODE_PREFIX}-{payload}-{self._tag(payload)}"

    def check(self, text: str) -> TicketCheck:
        """Say whether scanned or typed text is a valid ticket of this event, and if not, why.

        The text goes through :func:`normalise_scanned` first, so scanner artefacts are tolerated.
        """
        code = normalise_scanned(text)
        if code is None:
            return TicketCheck(None, TicketCodeProblem.NOT_A_TICKET_CODE, None)
        payload = code[len(CODE_PREFIX) + 1 : len(CODE_PREFIX) + 1 + PAYLOAD_LENGTH]
        tag = code[-TAG_LENGTH:]
        if not hmac.compare_digest(tag.encode("ascii"), self._tag(payload).encode("ascii")):
            return TicketCheck(None, TicketCodeProblem.SIGNATURE_MISMATCH, code)
        ticket = TicketId(
            attendee_number=_decode_base32(payload[:ATTENDEE_NUMBER_LENGTH]),
            issue_number=_decode_base32(payload[ATTENDEE_NUMBER_LENGTH:]),
            code=code,
        )
        return TicketCheck(ticket, None, code)

    def verify(self, text: str) -> TicketId | None:
        """Return the ticket identified by scanned text, or ``None`` if it is not a valid code."""
        return self.check(text).ticket

    def _tag(self, payload: str) -> str:
        message = _SIGNED_MESSAGE_CONTEXT + payload.encode("ascii")
        digest = hmac.new(self._secret_key, message, hashlib.sha256).digest()
        return _encode_base32(int.from_bytes(digest[:_TAG_BYTES], "big"), TAG_LENGTH)


MASK_VISIBLE_TAG_CHARACTERS = 5  # what the door search shows (…7QK3M)


def mask_ticket_code(code: str | None) -> str | None:
    """A ticket code as it may leave the console: the prefix, the attendee and issue numbers,
    and the last 5 of the 16 signature characters (``AIFF-0A1B2-•••••••••••WHB8Z``), enough
    for an usher to compare with a paper ticket, useless as a ticket or a vote code (75 of
    its 80 signature bits stay hidden)."""
    if not code:
        return code
    if not TICKET_CODE_PATTERN.match(code):
        return "•" * min(len(code), 8)
    hidden = TAG_LENGTH - MASK_VISIBLE_TAG_CHARACTERS
    cut = len(code) - TAG_LENGTH
    return code[:cut] + "•" * hidden + code[-MASK_VISIBLE_TAG_CHARACTERS:]


def normalise_scanned(text: str) -> str | None:
    """Find a ticket code in what a scanner or a person typed; return it in canonical form.

    Tolerates surrounding whitespace and line breaks, lower case, full-width characters (a
    Chinese input method left on), Crockford look-alikes (``O`` read as ``0``, ``I``/``L`` as
    ``1``; not in the ``AIFF`` prefix), hyphens mangled by the keyboard layout (``)`` on AZERTY,
    ``ß`` on QWERTZ, ``_``, spaces) or missing, and a code embedded in a URL or other text.
    Returns ``None`` when nothing code-shaped is found. This checks the shape only; use
    :meth:`TicketCodec.check` to check the signature.
    """
    if len(text) > _MAX_SCANNED_LENGTH:
        return None
    prepared = unicodedata.normalize("NFKC", text).translate(_HYPHEN_LOOKALIKES).upper()
    loose_match: str | None = None
    start = prepared.find(CODE_PREFIX)
    while start != -1:
        candidate = _read_code_after_prefix(prepared, start + len(CODE_PREFIX))
        if candidate is not None:
            characters, well_formed = candidate
            code = f"{CODE_PREFIX}-{characters[:PAYLOAD_LENGTH]}-{characters[PAYLOAD_LENGTH:]}"
            if well_formed:
                return code
            if loose_match is None:
                loose_match = code
        start = prepared.find(CODE_PREFIX, start + 1)
    return loose_match


def _read_code_after_prefix(text: str, position: int) -> tuple[str, bool] | None:
    """Collect the 21 code characters after a prefix, skipping separators.

    Returns the characters and whether the text around them is well formed (separators only
    between prefix, payload and tag, and no letter or digit glued to the end), or ``None`` when
    there are not enough code characters.
    """
    wanted = PAYLOAD_LENGTH + TAG_LENGTH
    group_boundaries = {0, PAYLOAD_LENGTH}
    collected: list[str] = []
    well_formed = True
    separator_run = 0
    while len(collected) < wanted and position < len(text):
        character = text[position]
        position += 1
        if not (character.isascii() and character.isalnum()):
            separator_run += 1
            if separator_run > _MAX_SEPARATOR_RUN:
                return None
            if len(collected) not in group_boundaries:
                well_formed = False
            continue
        separator_run = 0
        character = _CONFUSABLE_DIGITS.get(character, character)
        if character not in _DIGIT_VALUES:
            return None
        collected.append(character)
    if len(collected) < wanted:
        return None
    if position < len(text) and text[position].isascii() and text[position].isalnum():
        well_formed = False
    return "".join(collected), well_formed


def _encode_base32(value: int, length: int) -> str:
    """Write a non-negative integer as exactly ``length`` Crockford base32 digits."""
    digits = []
    for _ in range(length):
        value, remainder = divmod(value, len(CROCKFORD_ALPHABET))
        digits.append(CROCKFORD_ALPHABET[remainder])
    if value:
        raise ValueError(f"value does not fit in {length} base32 digits")
    return "".join(reversed(digits))


def _decode_base32(digits: str) -> int:
    """Read canonical Crockford base32 digits as an integer."""
    value = 0
    for character in digits:
        value = value * len(CROCKFORD_ALPHABET) + _DIGIT_VALUES[character]
    return value
