"""The server's station desk and registry on a real event database (no network)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.store.station_desk import RequestRefusedError, StationDesk
from kiosk.store.stations import PairingRefusedError, StationRegistry
from tests.doors_helpers import Person, make_event, seed_people


@pytest.fixture
def setup(tmp_path: Path) -> tuple[StationDesk, StationRegistry, list[Person]]:
    folder = make_event(tmp_path / "event", capacity=100)
    people = seed_people(folder)
    db = folder.open_db()
    desk = StationDesk.open(
        db, folder.secret_key(), capacity=100, timezone_name="Asia/Hong_Kong", event_name="T"
    )
    return desk, StationRegistry(db), people


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _rows(desk: StationDesk, sql: str) -> list[tuple[object, ...]]:
    return list(desk.connection.execute(sql).fetchall())


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
    desk, _registry, people = setup
    online = desk.checkin("Door 1", "nonce-lost-0001", people[0].code, "scan")
    assert online["verdict"] == "admitted"
    item = {
        "nonce": "nonce-lost-0001",
        "code": people[0].code,
        "method": "scan",
        "at": online["at"],
        "verdict": "admitted",
    }
    (answer,) = desk.upload("Door 1", [item])
    assert answer["recorded"] == "online:admitted"
    assert _rows(desk, "SELECT count(*) FROM checkins") == [(1,)]
    assert desk.conflicts() == []


def test_offline_green_after_an_online_no_is_a_conflict(setup) -> None:
    desk, _registry, people = setup
    desk.checkin("Door 2", "nonce-first-0001", people[1].code, "scan")
    said_no = desk.checkin("Door 1", "nonce-lost-0002", people[1].code, "scan")
    assert said_no["verdict"] == "already_checked_in"
    item = {
        "nonce": "nonce-lost-0002",
        "code": people[1].code,
        "method": "scan",
        "at": said_no["at"],
        "verdict": "admitted",  # the reply was lost; the station let the person in
    }
    (answer,) = desk.upload("Door 1", [item])
    assert answer["recorded"] == "double_admission"
    (conflict,) = desk.conflicts()
    assert (conflict.first_station, conflict.second_station) == ("Door 2", "Door 1")
    assert desk.upload("Door 1", [item])[0]["replayed"] is True  # and a re-upload adds nothing
    assert len(desk.conflicts()) == 1


def test_online_yes_that_the_station_never_showed_is_annulled(setup) -> None:
    desk, _registry, people = setup
    online = desk.checkin("Door 1", "nonce-lost-0003", people[2].code, "scan")
    item = {
        "nonce": "nonce-lost-0003",
        "code": people[2].code,
        "method": "scan",
        "at": online["at"],
        "verdict": "capacity_reached",
    }
    assert desk.upload("Door 1", [item])[0]["recorded"] == "annulled"
    assert _rows(desk, "SELECT count(*) FROM checkins WHERE annulled_at IS NULL") == [(0,)]


def test_bad_requests_are_refused_and_change_nothing(setup) -> None:
    desk, _registry, people = setup
    with pytest.raises(RequestRefusedError):
        desk.checkin("Door 1", "short", people[0].code, "scan")
    with pytest.raises(RequestRefusedError):
        desk.checkin("Door 1", "nonce-method-01", people[0].code, "manual")
    with pytest.raises(RequestRefusedError):
        desk.upload("Door 1", [{"nonce": "nonce-walkin-01", "method": "walk-in", "at": "x"}])
    assert _rows(desk, "SELECT count(*) FROM checkins") == [(0,)]


def test_search_sends_email_addresses_masked(setup) -> None:
    desk, _registry, _people = setup
    (hit,) = desk.search("Chan Tai Man")
    assert hit["name"] == "陳大文" and hit["email"] == "t•••@e•••.com"
