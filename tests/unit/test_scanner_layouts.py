"""Reading a scanner burst through the US key table when the host's layout differs."""

from __future__ import annotations

from kiosk.core.scanner_layouts import US_KEYCODES, choose_reading, is_literal_code, us_reading

CODE = "AIFF-000B0-4DJFX5F4RBKAZN7Z"
KEYCODE_OF = {character: code for code, character in US_KEYCODES.items()}


def keys_for(text: str) -> list[int]:
    return [KEYCODE_OF[c] for c in text.upper()]


def test_the_us_reading_of_a_codes_keys_is_the_code() -> None:
    assert us_reading(keys_for(CODE)) == CODE
    assert us_reading([]) is None
    assert us_reading([*keys_for("AIFF"), 61]) is None  # a key that is not on the table


def test_a_us_scanner_on_a_german_host_is_read_through_the_us_table() -> None:
    typed = "aiffß000b0ß4djfx5f4rbkayn7y"  # QWERTZ: hyphen key types ß, Y and Z swapped
    assert choose_reading(typed, us_reading(keys_for(CODE))) == CODE


def test_a_us_scanner_on_a_french_host_is_read_through_the_us_table() -> None:
    typed = "qiff)àààbà)4djfx(f'rbkqwn7w"  # AZERTY: the digit row without Shift, A/Q, Z/W
    assert choose_reading(typed, us_reading(keys_for(CODE))) == CODE


def test_a_scanner_set_to_the_hosts_layout_keeps_what_it_typed() -> None:
    # a QWERTZ scanner types Z with the key a US keyboard calls Y, '-' with the one called '/'
    assert choose_reading(CODE, "AIFF/000B0/4DJFX5F4RBKAYN7Y") == CODE
    assert choose_reading(CODE.lower(), None) == CODE.lower()


def test_text_that_is_no_code_either_way_stays_as_typed() -> None:
    assert choose_reading("hello world", "HELLO WORLD") == "hello world"
    assert choose_reading("Tester", us_reading(keys_for("TESTER"))) == "Tester"


def test_literal_code_means_as_printed() -> None:
    assert is_literal_code(CODE) and is_literal_code(f" {CODE.lower()}\n")
    assert not is_literal_code(CODE.replace("-", "ß", 1))
    assert not is_literal_code(CODE.replace("-", ""))
