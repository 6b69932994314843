"""Every way into the hall goes through the one check-in repository, on a real event database.

The console's doors (and a door laptop on the event folder), the event server for its paired
stations, and a station's offline queue uploaded later: each path must end in
`CheckinRepository.admit` / `annul` / `record_offline`, and nowhere else writes a check-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.admissions import Attempt, Lookup, OfflineOutcome, judge_listed
from kiosk.core.checkin import Verdict
from kiosk.core.event import EventConfig
from kiosk.core.stations import code_digest
from kiosk.server.station_requests import StationRequests
from kiosk.station.folder import StationStore
from kiosk.store.checkins import CheckinRepository
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from tests.doors_helpers import Person, make_event, seed_people

NIGHT = dt.datetime(2026, 12, 5, 11, 30, tzinfo=dt.UTC)


@pytest.fixture
def seeded_doors(tmp_path: Path) -> tuple[EventFolder, EventConfig, list[Person]]:
    folder = make_event(tmp_path / "event", capacity=100)
    return folder, folder.load_config(), seed_people(folder)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The repository's write calls, by name, in order (the real methods still run)."""
    calls: list[str] = []
    for name in ("admit", "annul", "record_offline"):
        real: Callable[..., Any] = getattr(CheckinRepository, name)

        def spy(
            self: CheckinRepository, *args: Any, _real: Any = real, _name: str = name, **kw: Any
        ) -> Any:
            calls.append(_name)
            return _real(self, *args, **kw)

        monkeypatch.setattr(CheckinRepository, name, spy)
    yield calls


def _active(folder: EventFolder) -> list[tuple[Any, ...]]:
    db = folder.open_db()
    try:
        return list(
            db.execute(
                "SELECT attendee_id, station, method FROM checkins "
                "WHERE annulled_at IS NULL ORDER BY id"
            ).fetchall()
        )
    finally:
        db.close()


def test_the_console_doors_admit_and_undo_through_the_repository(
    seeded_doors: tuple[EventFolder, EventConfig, list[Person]], writes: list[str]
) -> None:
    folder, config, people = seeded_doors
    doors = CheckinRepository.for_event(folder, config)
    assert doors.scan(people[0].code, "Door 1", "scan", NIGHT).verdict is Verdict.ADMITTED
    again = doors.scan(people[0].code, "Door 2", "scan", NIGHT)
    assert again.verdict is Verdict.ALREADY_CHECKED_IN and again.admission is not None
    assert doors.admit_manually(people[1].attendee_id, "Door 1", NIGHT).checkin_id
    walk_in = doors.walk_in("新來的", None, None, "Door 1", NIGHT)
    assert walk_in.verdict is Verdict.ADMITTED and walk_in.attendee_id is not None
    assert doors.undo_last("Door 1", NIGHT) is not None
    assert writes == ["admit", "admit", "admit", "annul"]
    assert _active(folder) == [
        (people[0].attendee_id, "Door 1", "scan"),
        (people[1].attendee_id, "Door 1", "manual"),
    ]


def test_the_servers_station_requests_go_through_the_repository(
    seeded_doors: tuple[EventFolder, EventConfig, list[Person]], writes: list[str]
) -> None:
    folder, config, people = seeded_doors
    requests = StationRequests.open(
        folder.open_db(), folder.secret_key(), config, clock=lambda: NIGHT
    )
    assert (
        requests.checkin("Door 3", "nonce-path-0001", people[2].code, "scan")["verdict"]
        == "admitted"
    )
    replay = requests.checkin("Door 3", "nonce-path-0001", people[2].code, "scan")
    assert replay["replayed"] is True
    assert (
        requests.admit("Door 3", "nonce-path-0002", people[3].attendee_id)["verdict"] == "admitted"
    )
    assert (
        requests.undo("Door 3", "nonce-path-0003")["undone"]["attendee_id"] == people[3].attendee_id
    )
    assert writes == ["admit", "admit", "annul"]  # the replay wrote nothing
    assert _active(folder) == [(people[2].attendee_id, "Door 3", "scan")]


def test_an_offline_stations_queue_is_recorded_through_the_repository(
    seeded_doors: tuple[EventFolder, EventConfig, list[Person]], writes: list[str], tmp_path: Path
) -> None:
    folder, config, people = seeded_doors
    requests = StationRequests.open(
        folder.open_db(), folder.secret_key(), config, clock=lambda: NIGHT
    )
    station = StationStore(tmp_path / "station.db")
    try:
        station.replace_ticket_list(requests.ticket_list(), NIGHT)
        assert station.zone() == config.zone  # the event's zone, from event.toml via the list
        for number, person in enumerate(people[:2]):
            station.enqueue(
                nonce=f"nonce-offline-{number:04d}",
                code=person.code,
                attendee_id=person.attendee_id,
                method="scan",
                at=NIGHT - dt.timedelta(minutes=number),
                verdict="admitted",
                name=person.name,
            )
        CheckinRepository.for_event(folder, config).scan(people[1].code, "Door 1", "scan", NIGHT)
        writes.clear()
        items = [item.to_upload() for item in station.pending(10)]
    finally:
        station.close()
    answers = requests.upload("Door 4", items)
    assert [a["recorded"] for a in answers] == [
        OfflineOutcome.ADMITTED.value,
        OfflineOutcome.DOUBLE_ADMISSION.value,  # Door 1 had admitted them meanwhile
    ]
    assert writes == ["record_offline", "record_offline"]
    (conflict,) = requests.conflicts()
    assert (conflict.first_station, conflict.second_station) == ("Door 1", "Door 4")
    assert _active(folder) == [
        (people[1].attendee_id, "Door 1", "scan"),
        (people[0].attendee_id, "Door 4", "scan"),
    ]


def test_the_station_decides_offline_by_the_servers_rules(
    seeded_doors: tuple[EventFolder, EventConfig, list[Person]], tmp_path: Path
) -> None:
    """The list a station downloads gives the same verdict the server gives online."""
    folder, config, people = seeded_doors
    doors = CheckinRepository.for_event(folder, config)
    doors.scan(people[0].code, "Door 1", "scan", NIGHT)
    requests = StationRequests.open(
        folder.open_db(), folder.secret_key(), config, clock=lambda: NIGHT
    )
    station = StationStore(tmp_path / "station.db")
    try:
        station.replace_ticket_list(requests.ticket_list(), NIGHT)
        for person in people[:2]:
            listed = station.listed(code_digest(person.code))
            offline = judge_listed(
                person.code,
                listed,
                Lookup(None, listed.admission if listed else None, station.admitted_count()),
                Attempt("Door 4", "scan", NIGHT, offline=True),
                capacity=config.capacity,
                zone=config.zone,
            )
            online = doors.scan(person.code, "Door 2", "scan", NIGHT)
            assert offline.verdict is online.verdict
            assert offline.decision.detail_en == online.decision.detail_en
    finally:
        station.close()


def test_a_ticket_list_without_the_events_zone_is_refused(
    seeded_doors: tuple[EventFolder, EventConfig, list[Person]], tmp_path: Path
) -> None:
    """The zone comes from event.toml through the server; a station never guesses one."""
    folder, config, _people = seeded_doors
    requests = StationRequests.open(
        folder.open_db(), folder.secret_key(), config, clock=lambda: NIGHT
    )
    station = StationStore(tmp_path / "station.db")
    try:
        listed = requests.ticket_list()
        for zone in (None, "Mars/Olympus_Mons"):
            with pytest.raises(StoreError, match="time zone"):
                station.replace_ticket_list(listed | {"timezone": zone}, NIGHT)
        assert station.zone() is None and station.list_fetched_at() is None
        station.replace_ticket_list(listed, NIGHT)
        assert station.zone() == ZoneInfo("Asia/Hong_Kong") == config.zone
    finally:
        station.close()
