"""Pairing payloads and station tokens (core, no network, no database)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from kiosk.core.stations import (
    PairingError,
    PairingPayload,
    hash_token,
    new_station_token,
)

HK = ZoneInfo("Asia/Hong_Kong")
FP = "ab" * 32


def test_payload_round_trip() -> None:
    payload = PairingPayload("192.168.1.20", 8443, "tok-EN_123", FP)
    text = payload.to_text()
    assert text.startswith("aiff-pair://192.168.1.20:8443/?v=1&t=")
    assert PairingPayload.parse(text) == payload
    assert PairingPayload.parse(text[:20] + "\n" + text[20:]) == payload  # pasted across lines
    assert payload.base_url == "https://192.168.1.20:8443"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("https://192.168.1.20:8443/?v=1&t=x&fp=" + FP, "not an AIFF pairing code"),
        ("aiff-pair://192.168.1.20:8443/?v=9&t=x&fp=" + FP, "version"),
        ("aiff-pair://192.168.1.20/?v=1&t=x&fp=" + FP, "incomplete"),
        ("aiff-pair://192.168.1.20:8443/?v=1&fp=" + FP, "incomplete"),
        ("aiff-pair://192.168.1.20:8443/?v=1&t=x&fp=1234", "fingerprint"),
    ],
)
def test_bad_payloads_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(PairingError) as error:
        PairingPayload.parse(text)
    assert words in str(error.value) and "/" in str(error.value)  # bilingual


def test_tokens_are_random_and_stored_hashed() -> None:
    first, second = new_station_token(), new_station_token()
    assert first != second and len(first) >= 40
    assert hash_token(first) != first and len(hash_token(first)) == 64
