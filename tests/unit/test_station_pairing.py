"""Pairing payloads, station tokens and the pairing answer (no network, no database)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.stations import (
    PairingError,
    PairingPayload,
    hash_token,
    new_station_token,
)
from kiosk.server.station_wire import PairingAnswer, pairing_from_wire, pairing_to_wire
from kiosk.station.folder import StationCredentials, StationFolder

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


def test_the_pairing_answer_carries_the_events_zone() -> None:
    answer = PairingAnswer("Door 3", "station-token", "Asia/Hong_Kong")
    assert pairing_from_wire(pairing_to_wire(answer)) == answer


def test_a_server_older_than_the_zone_field_still_pairs() -> None:
    """An older server answers only the name and the token: the station pairs, and learns the
    zone from its first ticket list (as before)."""
    answer = pairing_from_wire({"station": "Door 3", "token": "station-token"})
    assert answer == PairingAnswer("Door 3", "station-token", None)


def _paired(root: Path, timezone: str | None) -> StationFolder:
    folder = StationFolder(root)
    credentials = StationCredentials("Door 3", "127.0.0.1", 37001, FP, "tok", b"pem")
    folder.save_credentials(credentials, timezone=timezone)
    return folder


def test_the_station_folder_keeps_the_zone_told_at_pairing(tmp_path: Path) -> None:
    folder = _paired(tmp_path / "door", "Asia/Hong_Kong")
    assert folder.paired_zone() == HK
    assert folder.zone_or_none() == HK  # before any ticket list
    assert not folder.db_path.exists()  # looking created nothing


@pytest.mark.parametrize("told", [None, "Mars/Olympus_Mons"])
def test_no_usable_zone_at_pairing_means_none_until_the_list(
    tmp_path: Path, told: str | None
) -> None:
    folder = _paired(tmp_path / "door", told)
    assert folder.paired_zone() is None
    assert folder.zone_or_none() is None
