"""The server's station requests and registry on a real event database (no network)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.core.station_clock import night_window
from kiosk.server.station_requests import RequestRefusedError, StationRequests
from kiosk.store.stations import PairingRefusedError, StationRegistry
from tests.conftest import night_config
from tests.doors_helpers import Person, make_event, seed_people


@pytest.fixture
def setup(tmp_path: Path) -> tuple[StationRequests, StationRegistry, list[Person]]:
    folder = make_event(tmp_path / "event", capacity=100)
    people = seed_people(folder)
    db = folder.open_db()
    requests = StationRequests.open(db, folder.secret_key(), night_config(tmp_path))
    return requests, StationRegistry(db), people


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _rows(requests: StationRequests, sql: str) -> list[tuple[object, ...]]:
    return list(requests.connection.execute(sql).fetchall())


def test_pairing_is_one_time_and_expires(setup) -> None:
    _desk, registry, _people = setup
    token = registry.create_pairing("  Door   2 ", _now())
    name, station_token = registry.join(token, "10.0.0.5", _now())
    assert name == "Door 2" and registry.authenticate(station_token) == "Door 2"
    with pytest.raises(PairingRefusedError, match="used already"):
        registry.join(token, "10.0.0.6", _now())
    late = registry.create_pairing("Door 3", _now() - dt.timedelta(hours=1))
    with pytest.raises(PairingRefusedError, match="expired"):
        registry.join(late, None, _now())
    assert registry.revoke("Door 2", _now())
    assert registry.authenticate(station_token) is None


def test_a_lost_reply_and_its_offline_retry_count_once(setup) -> None:
    requests, _registry, people = setup
    online = requests.checkin("Door 1", "nonce-lost-0001", people[0].code, "scan")
    assert online["verdict"] == "admitted"
    item = {
        "nonce": "nonce-lost-0001",
        "code": people[0].code,
        "method": "scan",
        "at": online["at"],
        "verdict": "admitted",
    }
    (answer,) = requests.upload("Door 1", [item])
    assert answer["recorded"] == "online:admitted"
    assert _rows(requests, "SELECT count(*) FROM checkins") == [(1,)]
    assert requests.conflicts() == []


def test_offline_green_after_an_online_no_is_a_conflict(setup) -> None:
    requests, _registry, people = setup
    requests.checkin("Door 2", "nonce-first-0001", people[1].code, "scan")
    said_no = requests.checkin("Door 1", "nonce-lost-0002", people[1].code, "scan")
    assert said_no["verdict"] == "already_checked_in"
    item = {
        "nonce": "nonce-lost-0002",
        "code": people[1].code,
        "method": "scan",
        "at": said_no["at"],
        "verdict": "admitted",  # the reply was lost; the station let the person in
    }
    (answer,) = requests.upload("Door 1", [item])
    assert answer["recorded"] == "double_admission"
    (conflict,) = requests.conflicts()
    assert (conflict.first_station, conflict.second_station) == ("Door 2", "Door 1")
    assert requests.upload("Door 1", [item])[0]["replayed"] is True  # and a re-upload adds nothing
    assert len(requests.conflicts()) == 1


def test_online_yes_that_the_station_never_showed_is_annulled(setup) -> None:
    requests, _registry, people = setup
    online = requests.checkin("Door 1", "nonce-lost-0003", people[2].code, "scan")
    item = {
        "nonce": "nonce-lost-0003",
        "code": people[2].code,
        "method": "scan",
        "at": online["at"],
        "verdict": "capacity_reached",
    }
    assert requests.upload("Door 1", [item])[0]["recorded"] == "annulled"
    assert _rows(requests, "SELECT count(*) FROM checkins WHERE annulled_at IS NULL") == [(0,)]


def test_bad_requests_are_refused_and_change_nothing(setup) -> None:
    requests, _registry, people = setup
    with pytest.raises(RequestRefusedError):
        requests.checkin("Door 1", "short", people[0].code, "scan")
    with pytest.raises(RequestRefusedError):
        requests.checkin("Door 1", "nonce-method-01", people[0].code, "manual")
    with pytest.raises(RequestRefusedError):
        requests.upload("Door 1", [{"nonce": "nonce-walkin-01", "method": "walk-in", "at": "x"}])
    assert _rows(requests, "SELECT count(*) FROM checkins") == [(0,)]


def test_search_sends_email_addresses_masked(setup) -> None:
    requests, _registry, _people = setup
    (hit,) = requests.search("Chan Tai Man")
    assert hit["name"] == "陳大文" and hit["email"] == "t•••@e•••.com"


def _journal_kinds(requests: StationRequests) -> list[str]:
    return [str(row[0]) for row in _rows(requests, "SELECT kind FROM journal")]


def test_a_replayed_pairing_code_is_refused_and_the_refusal_is_on_record(setup) -> None:
    _desk, registry, _people = setup
    token = registry.create_pairing("Door 2", _now())
    registry.join(token, "10.0.0.5", _now())
    with pytest.raises(PairingRefusedError):
        registry.join(token, "10.0.0.66", _now())
    assert "station_pairing_replayed" in _journal_kinds(_desk)


def test_a_pairing_code_is_valid_for_two_minutes(setup) -> None:
    _desk, registry, _people = setup
    token = registry.create_pairing("Door 2", _now() - dt.timedelta(minutes=2, seconds=1))
    with pytest.raises(PairingRefusedError, match="expired"):
        registry.join(token, "10.0.0.5", _now())


def test_another_stations_nonce_is_refused_and_on_record(setup) -> None:
    requests, _registry, people = setup
    requests.checkin("Door 1", "nonce-shared-01", people[0].code, "scan")
    with pytest.raises(RequestRefusedError) as refused:
        requests.checkin("Door 2", "nonce-shared-01", people[1].code, "scan")
    assert refused.value.status == 409
    assert "station_nonce_refused" in _journal_kinds(requests)
    assert _rows(requests, "SELECT count(*) FROM checkins") == [(1,)]


def test_no_answer_to_a_station_carries_a_ticket_code(setup) -> None:
    requests, _registry, people = setup
    codes = [person.code for person in people]
    answers = [
        requests.admit("Door 1", "nonce-admit-001", people[0].attendee_id),
        requests.checkin("Door 1", "nonce-scan-0001", people[1].code, "scan"),
        requests.undo("Door 1", "nonce-undo-0001"),
        requests.walk_in("Door 1", "nonce-walk-0001", "現場觀眾", "Walk In", None),
        {
            "hits": requests.search("Tester")
            + requests.search("陳")
            + requests.search(codes[2][:12])
        },
        requests.figures(),
    ]
    text = repr(answers)
    assert not any(code in text for code in codes)
    walk_in_code = str(answers[3]["code"])
    assert walk_in_code.startswith("AIFF-") and "•" in walk_in_code
    assert requests.search(codes[2][:12]) == []  # no search by part of a code


def test_an_offline_time_ten_years_back_is_kept_at_the_time_received(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event", capacity=100)
    people = seed_people(folder)
    db = folder.open_db()
    received = dt.datetime(2026, 12, 5, 11, 0, tzinfo=dt.UTC)
    requests = StationRequests.open(
        db,
        folder.secret_key(),
        night_config(tmp_path),
        night=night_window(night_config(tmp_path)),
        clock=lambda: received,
    )
    decade_ago = "2016-12-05T11:00:00.000+00:00"
    item = {"nonce": "nonce-offline-1", "method": "scan", "code": people[0].code}
    (answer,) = requests.upload("Door 1", [item | {"at": decade_ago, "verdict": "admitted"}])
    assert answer["recorded"] == "admitted" and answer["clock_skew"] is True
    assert answer["station_time"] == decade_ago
    (stored,) = _rows(requests, "SELECT at FROM checkins")
    assert str(stored[0]).startswith("2026-12-05T11:00:00")
    assert "clock_skew" in _journal_kinds(requests)
    assert len(requests.figures()["arrivals"]) == 1
