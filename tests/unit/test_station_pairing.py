"""Pairing payloads and offline verdicts (core, no network, no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.checkin import Admission, Verdict
from kiosk.core.stations import (
    ListedTicket,
    PairingError,
    PairingPayload,
    TicketStatus,
    code_digest,
    decide_offline,
    hash_token,
    new_station_token,
)
from kiosk.core.tickets import TicketCodec, normalise_scanned

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


def test_offline_verdicts_follow_the_server_rules() -> None:
    codec = TicketCodec(b"k" * 32)
    code = codec.issue(7)
    listed = ListedTicket(code_digest(code), 7, "陳大文", "Chan Tai Man", TicketStatus.VALID)
    welcome = decide_offline(normalise_scanned(code.lower()), listed, None, 0, 10, HK)
    assert welcome.verdict is Verdict.ADMITTED
    earlier = Admission(dt.datetime(2026, 12, 5, 11, 2, tzinfo=dt.UTC), "Door 2", "scan")
    amber = decide_offline(code, listed, earlier, 1, 10, HK)
    assert amber.verdict is Verdict.ALREADY_CHECKED_IN and "19:02 at Door 2" in amber.detail_en
    assert decide_offline(code, listed, None, 10, 10, HK).verdict is Verdict.CAPACITY_REACHED
    cancelled = ListedTicket(code_digest(code), 7, "陳大文", None, TicketStatus.REPLACED)
    refused = decide_offline(code, cancelled, None, 0, 10, HK)
    assert refused.verdict is Verdict.REVOKED and "newer" in refused.detail_en
    unlisted = decide_offline(code, None, None, 0, 10, HK)
    assert unlisted.verdict is Verdict.UNKNOWN_TICKET and "offline" in unlisted.detail_en
    assert decide_offline(None, None, None, 0, 10, HK).verdict is Verdict.INVALID_CODE
