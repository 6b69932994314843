"""Ticket codes: issue/verify round trips, tamper resistance and scanner-mangled input."""

from __future__ import annotations

import random
import re

import pytest

from kiosk.core.tickets import (
    CROCKFORD_ALPHABET,
    MAX_ATTENDEE_NUMBER,
    MAX_ISSUE_NUMBER,
    TICKET_CODE_LENGTH,
    TicketCodec,
    TicketCodeProblem,
    TicketId,
    generate_secret_key,
    normalise_scanned,
)

CODE_SHAPE = re.compile(r"^AIFF-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{16}$")
EVENT_KEY = bytes(range(32))
OTHER_EVENT_KEY = bytes(range(1, 33))
QR_VERSION_2_M_ALPHANUMERIC_CAPACITY = 38

EDGE_NUMBERS = [0, 1, 2, 31, 32, 33, 1023, 1024, 32767, 32768, MAX_ATTENDEE_NUMBER - 1]
EDGE_NUMBERS += [MAX_ATTENDEE_NUMBER]


@pytest.fixture
def codec() -> TicketCodec:
    return TicketCodec(EVENT_KEY)


def some_attendee_numbers() -> list[int]:
    rng = random.Random(20240901)
    return EDGE_NUMBERS + [rng.randrange(MAX_ATTENDEE_NUMBER + 1) for _ in range(300)]


def test_round_trip_for_many_attendee_and_issue_numbers(codec: TicketCodec) -> None:
    for attendee_number in some_attendee_numbers():
        for issue_number in (0, 1, 17, MAX_ISSUE_NUMBER):
            code = codec.issue(attendee_number, issue_number)
            assert CODE_SHAPE.match(code), code
            assert len(code) == TICKET_CODE_LENGTH <= QR_VERSION_2_M_ALPHANUMERIC_CAPACITY
            assert codec.verify(code) == TicketId(attendee_number, issue_number, code)


def test_issue_is_deterministic_and_codes_are_distinct(codec: TicketCodec) -> None:
    numbers = some_attendee_numbers()
    codes = {codec.issue(number) for number in numbers}
    assert len(codes) == len(set(numbers))
    assert codec.issue(42) == TicketCodec(EVENT_KEY).issue(42)


@pytest.mark.parametrize(
    ("attendee_number", "issue_number"),
    [(-1, 0), (MAX_ATTENDEE_NUMBER + 1, 0), (0, -1), (0, MAX_ISSUE_NUMBER + 1)],
)
def test_out_of_range_numbers_are_refused(
    codec: TicketCodec, attendee_number: int, issue_number: int
) -> None:
    with pytest.raises(ValueError, match="must be between"):
        codec.issue(attendee_number, issue_number)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        TicketCodec(b"too short")
    TicketCodec(b"x" * 16)


def test_key_must_be_bytes() -> None:
    with pytest.raises(TypeError):
        TicketCodec("a string key that is long enough")  # type: ignore[arg-type]


def test_generated_keys_are_random_and_usable() -> None:
    first, second = generate_secret_key(), generate_secret_key()
    assert len(first) == 32
    assert first != second
    codec = TicketCodec(first)
    assert codec.verify(codec.issue(7)) is not None


def test_codec_repr_does_not_reveal_the_key(codec: TicketCodec) -> None:
    assert EVENT_KEY.hex() not in repr(codec)
    assert repr(EVENT_KEY) not in repr(codec)


def test_every_single_character_change_is_refused(codec: TicketCodec) -> None:
    code = codec.issue(12345, 2)
    for position, original in enumerate(code):
        for replacement in CROCKFORD_ALPHABET:
            if replacement == original:
                continue
            tampered = code[:position] + replacement + code[position + 1 :]
            assert codec.verify(tampered) is None, (position, tampered)


def test_tampered_payload_is_reported_as_signature_mismatch(codec: TicketCodec) -> None:
    code = codec.issue(100)
    other_payload = "00101" if code[5:10] != "00101" else "00102"
    tampered = code[:5] + other_payload + code[10:]
    check = codec.check(tampered)
    assert check.problem is TicketCodeProblem.SIGNATURE_MISMATCH
    assert check.normalised_code == tampered
    assert not check.is_valid
    assert "not issued for this event" in check.message


def test_code_from_another_event_is_refused(codec: TicketCodec) -> None:
    foreign = TicketCodec(OTHER_EVENT_KEY).issue(12345)
    assert codec.verify(foreign) is None
    assert codec.check(foreign).problem is TicketCodeProblem.SIGNATURE_MISMATCH


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\r\n",
        "hello",
        "AIFF",
        "AIFF-",
        "AIFF-00000",
        "AIFF-00000-000000000000000",  # one tag character short
        "AIFF-UUUUU-0000000000000000",  # U is not a Crockford digit
        "BIFF-00000-0000000000000000",
        "4006381333931",  # an EAN barcode scanned by mistake
        "https://aiff.example/programme",
        "x" * 5000,
        "AIFF-" + "0" * 5000,
        "AIFF " * 1000,
    ],
)
def test_text_that_is_not_a_code_is_refused(codec: TicketCodec, text: str) -> None:
    check = codec.check(text)
    assert check.ticket is None
    assert check.problem is TicketCodeProblem.NOT_A_TICKET_CODE
    assert check.normalised_code is None
    assert check.message == "This is not an AIFF ticket code."
    assert codec.verify(text) is None


def test_random_garbage_is_refused(codec: TicketCodec) -> None:
    rng = random.Random(7)
    alphabet = CROCKFORD_ALPHABET + "-aiff -_)/:"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        assert codec.verify(text) is None, text


def test_reissue_gives_a_new_code_for_the_same_attendee(codec: TicketCodec) -> None:
    first = codec.issue(321, 0)
    reissued = codec.issue(321, 1)
    assert first != reissued
    first_ticket, reissued_ticket = codec.verify(first), codec.verify(reissued)
    assert first_ticket is not None
    assert reissued_ticket is not None
    assert first_ticket.attendee_number == reissued_ticket.attendee_number == 321
    assert (first_ticket.issue_number, reissued_ticket.issue_number) == (0, 1)


def scanner_variants(code: str) -> dict[str, str]:
    compact = code.replace("-", "")
    return {
        "lower case": code.lower(),
        "surrounding spaces": f"   {code}  ",
        "trailing CR LF": code + "\r\n",
        "leading tab, trailing LF": "\t" + code + "\n",
        "missing hyphens": compact,
        "missing hyphens, lower case": compact.lower(),
        "spaces for hyphens": code.replace("-", " "),
        "AZERTY: ')' for '-'": code.replace("-", ")"),
        "QWERTZ: 'ß' for '-'": code.replace("-", "ß"),
        "shifted: '_' for '-'": code.replace("-", "_"),
        "en dash for '-'": code.replace("-", "–"),
        "spaced hyphens": code.replace("-", " - "),
        "full-width input method": "".join(
            chr(ord(character) + 0xFEE0) if character != "-" else "－" for character in code
        ),
        "in a URL": f"https://aiff.example/t/{code}",
        "in a URL with a query": f"https://aiff.example/t/{code.lower()}?utm_source=qr",
        "in a sentence": f"Your ticket: {code}. See you there!",
        "letter O for zero": code[:5] + code[5:].replace("0", "O"),
        "letter I for one": code[:5] + code[5:].replace("1", "I"),
        "letter l for one": code[:5] + code[5:].replace("1", "l"),
    }


@pytest.mark.parametrize("variant", list(scanner_variants("AIFF-00000-0000000000000000").keys()))
def test_scanner_mangled_codes_normalise_and_verify(codec: TicketCodec, variant: str) -> None:
    for attendee_number in (0, 1, 1010, 12345, MAX_ATTENDEE_NUMBER):
        code = codec.issue(attendee_number, 3)
        mangled = scanner_variants(code)[variant]
        assert normalise_scanned(mangled) == code, mangled
        ticket = codec.verify(mangled)
        assert ticket == TicketId(attendee_number, 3, code)


def test_confusables_are_not_applied_inside_the_prefix() -> None:
    assert normalise_scanned("A1FF-00000-0000000000000000") is None
    assert normalise_scanned("aiff-ooooo-oooooooooooooooo") == "AIFF-00000-0000000000000000"


def test_well_formed_code_wins_over_an_earlier_loose_match() -> None:
    text = "aiff festival ticket AIFF-12345-ABCDEFGHJKMNPQRS"
    assert normalise_scanned(text) == "AIFF-12345-ABCDEFGHJKMNPQRS"


def test_code_with_characters_glued_around_it_is_still_read(codec: TicketCodec) -> None:
    code = codec.issue(5)
    check = codec.check("X" + code.replace("-", "") + "7")
    assert check.normalised_code == code
    assert check.is_valid  # a code with junk glued on is still that code
