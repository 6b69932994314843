"""CheckinRepository on a real SQLite file: verdicts, races, undo, walk-ins, search, figures."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from kiosk.core.checkin import Verdict
from kiosk.core.tickets import TicketCodec
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from tests.doors_helpers import Person, at, reissue, repository, seed_people
from tests.sqlite_helpers import connected


@pytest.fixture
def people(bare_event: EventFolder) -> list[Person]:
    return seed_people(bare_event)


def test_first_scan_admits_and_is_journalled(bare_event: EventFolder, people: list[Person]) -> None:
    repo = repository(bare_event)
    result = repo.scan(f"  {people[0].code.lower()}\r\n", "Door 1", "scan", at(19, 0))
    assert result.verdict is Verdict.ADMITTED
    assert (result.name, result.name_latin, result.code) == (
        "陳大文",
        "Chan Tai Man",
        people[0].code,
    )
    assert result.admission is not None and result.admission.station == "Door 1"
    assert result.checkin_id
    # visible to another connection: committed before scan() returned
    with connected(bare_event.db_path) as other:
        rows = other.execute("SELECT attendee_id, station, method FROM checkins").fetchall()
    assert rows == [(people[0].attendee_id, "Door 1", "scan")]
    entries = list(Journal(bare_event.open_db()).entries("checkin"))
    assert [e.subject for e in entries] == [people[0].code]
    assert entries[0].data["verdict"] == "admitted"


def test_second_scan_anywhere_is_amber_with_when_and_where(
    bare_event: EventFolder, people: list[Person]
) -> None:
    repository(bare_event).scan(people[1].code, "Door 2", "camera", at(19, 2, 30))
    again = repository(bare_event).scan(people[1].code, "Door 1", "scan", at(19, 5))
    assert again.verdict is Verdict.ALREADY_CHECKED_IN
    assert again.decision.detail_en == "Already checked in at 19:02 at Door 2"
    assert again.decision.detail_zh == "已於 19:02 在 2 號門入場"
    assert again.name == "李小龍" and again.checkin_id is None
    refused = list(Journal(bare_event.open_db()).entries("checkin_refused"))
    assert refused[0].data["verdict"] == "already_checked_in"


def test_invalid_unknown_and_revoked(bare_event: EventFolder, people: list[Person]) -> None:
    repo = repository(bare_event)
    assert repo.scan("https://example.com", "D", "scan", at(19, 0)).verdict is Verdict.INVALID_CODE
    forged = TicketCodec(b"z" * 32).issue(people[0].attendee_id)
    assert repo.scan(forged, "D", "scan", at(19, 0)).verdict is Verdict.INVALID_CODE
    nobody = TicketCodec(bare_event.secret_key()).issue(999)
    assert repo.scan(nobody, "D", "scan", at(19, 0)).verdict is Verdict.UNKNOWN_TICKET
    new_code = reissue(bare_event, people[2], "lost")
    old = repo.scan(people[2].code, "D", "scan", at(19, 1))
    assert old.verdict is Verdict.REVOKED and "newer" in old.decision.detail_en
    assert repo.scan(new_code, "D", "scan", at(19, 2)).verdict is Verdict.ADMITTED
    assert repo.figures().checked_in == 1


def test_capacity_is_counted_in_the_transaction(
    bare_event: EventFolder, people: list[Person]
) -> None:
    repo = repository(bare_event, capacity=2)
    verdicts = [repo.scan(p.code, "D", "scan", at(19, 0)).verdict for p in people[:4]]
    assert verdicts == [
        Verdict.ADMITTED,
        Verdict.ADMITTED,
        Verdict.CAPACITY_REACHED,
        Verdict.CAPACITY_REACHED,
    ]
    # someone in already is told so even when the hall is full
    assert repo.scan(people[0].code, "D", "scan", at(19, 1)).verdict is Verdict.ALREADY_CHECKED_IN
    with pytest.raises(LookupError):
        repo.admit_manually(9999, "D", at(19, 1))
    assert repo.admit_manually(people[3].attendee_id, "D", at(19, 1)).verdict is (
        Verdict.CAPACITY_REACHED
    )


def test_threads_racing_for_one_ticket_admit_it_once(
    bare_event: EventFolder, people: list[Person]
) -> None:
    repos = [repository(bare_event) for _ in range(6)]
    barrier = threading.Barrier(len(repos))
    verdicts: list[Verdict] = []

    def scan(index: int) -> None:
        barrier.wait()
        result = repos[index].scan(people[0].code, f"Door {index}", "scan", at(19, 0))
        verdicts.append(result.verdict)

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(repos))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v.value for v in verdicts) == ["admitted"] + ["already_checked_in"] * 5


def test_unique_index_backs_up_a_stale_read(bare_event: EventFolder, people: list[Person]) -> None:
    """If the INSERT ever races past the check, the index refuses it: amber, not a 2nd entry."""
    repo = repository(bare_event)
    repo.scan(people[0].code, "Door 2", "scan", at(19, 0))
    real_lookup = repo._active_admission
    calls = []

    def stale_then_real(conn: sqlite3.Connection, attendee_id: int):
        calls.append(attendee_id)
        return None if len(calls) == 1 else real_lookup(conn, attendee_id)

    repo._active_admission = stale_then_real  # type: ignore[method-assign]
    result = repo.scan(people[0].code, "Door 1", "scan", at(19, 3))
    assert result.verdict is Verdict.ALREADY_CHECKED_IN
    assert "Door 2" in result.decision.detail_en
    assert repo.figures().checked_in == 1


def test_undo_annuls_the_last_admission_of_this_station_only(
    bare_event: EventFolder, people: list[Person]
) -> None:
    repo = repository(bare_event)
    repo.scan(people[0].code, "Door 1", "scan", at(19, 0))
    repo.scan(people[1].code, "Door 2", "scan", at(19, 1))
    undone = repo.undo_last("Door 1", at(19, 2))
    assert undone is not None and undone.name == "陳大文"
    assert repo.undo_last("Door 1", at(19, 2)) is None
    assert repo.figures().checked_in == 1
    rows = bare_event.open_db().execute("SELECT annulled_at, annulled_by FROM checkins").fetchall()
    assert rows[0][0] and rows[0][1] == "Door 1" and rows[1] == (None, None)  # kept, marked
    # the person can now be admitted again
    assert repo.scan(people[0].code, "Door 1", "scan", at(19, 3)).verdict is Verdict.ADMITTED
    assert [e.kind for e in Journal(bare_event.open_db()).entries("checkin_annulled")] == [
        "checkin_annulled"
    ]


def test_manual_admission_is_recorded_as_manual(
    bare_event: EventFolder, people: list[Person]
) -> None:
    repo = repository(bare_event)
    result = repo.admit_manually(people[5].attendee_id, "Door 1", at(19, 0))
    assert result.verdict is Verdict.ADMITTED and result.method == "manual"
    assert result.code == people[5].code
    again = repo.scan(people[5].code, "Door 2", "scan", at(19, 4))
    assert "(admitted by hand)" in again.decision.detail_en
    assert repo.figures().by_hand == 1


def test_walk_ins_register_ticket_and_admit_atomically(bare_event: EventFolder) -> None:
    seed_people(bare_event)
    repo = repository(bare_event, capacity=7)
    result = repo.walk_in(" 周 潤發 ", "Chow Yun Fat", "ＣＨＯＷ@Example.com", "Door 1", at(19, 0))
    assert result.verdict is Verdict.ADMITTED and result.method == "walk-in"
    assert result.name == "周 潤發" and result.email == "chow@example.com"
    assert result.code is not None and TicketCodec(bare_event.secret_key()).verify(result.code)
    # the walk-in's ticket now scans amber
    assert repo.scan(result.code, "Door 2", "scan", at(19, 1)).verdict is (
        Verdict.ALREADY_CHECKED_IN
    )
    with pytest.raises(ValueError, match="needs a name"):
        repo.walk_in("  ", None, None, "Door 1", at(19, 1))
    with pytest.raises(ValueError, match="not an e-mail"):
        repo.walk_in("Someone", None, "someone@", "Door 1", at(19, 1))
    with pytest.raises(ValueError, match=r"only invisible characters.*看不見"):
        repo.walk_in("\u200b\u202e", None, None, "Door 1", at(19, 1))
    with pytest.raises(ValueError, match="100,000 characters long"):
        repo.walk_in("W" * 100_000, None, None, "Door 1", at(19, 1))
    figures = repo.figures()
    # a walk-in counts as a walk-in, not as registered (as in the report)
    assert (figures.registered, figures.checked_in, figures.walk_ins) == (6, 1, 1)


def test_walk_ins_stop_at_capacity_and_leave_no_trace(bare_event: EventFolder) -> None:
    repo = repository(bare_event, capacity=1)
    assert repo.walk_in("A", None, None, "D", at(19, 0)).verdict is Verdict.ADMITTED
    full = repo.walk_in("B", None, None, "D", at(19, 0))
    assert full.verdict is Verdict.CAPACITY_REACHED
    assert bare_event.open_db()["attendees"].count == 1


def test_search_by_chinese_latin_email_or_code(
    bare_event: EventFolder, people: list[Person]
) -> None:
    repo = repository(bare_event)
    assert [h.name for h in repo.search("大文")] == ["陳大文"]
    assert [h.name for h in repo.search("wong mei")] == ["黃美玲"]
    assert [h.name for h in repo.search("bruce@")] == ["李小龍"]
    assert [h.name for h in repo.search("ｂｒｕｃｅ")] == ["李小龍"]  # full-width typing
    tail = people[3].code[-6:]
    assert [h.name for h in repo.search(tail.lower())] == ["張家輝"]
    assert repo.search("") == [] and repo.search("%") == [] and repo.search("_") == []
    # prefix matches first, then the rest; check-in state comes along
    repo.scan(people[0].code, "Door 1", "scan", at(19, 0))
    hits = repo.search("Ch")
    assert [h.name for h in hits][:2] == ["陳大文", "張家輝"]
    assert hits[0].admission is not None and hits[0].admission.station == "Door 1"
    assert hits[0].code == people[0].code


def test_figures_and_arrivals_per_five_minutes(
    bare_event: EventFolder, people: list[Person]
) -> None:
    repo = repository(bare_event)
    assert repo.arrivals() == []
    for person, moment in zip(
        people, [at(19, 0), at(19, 3), at(19, 4, 59), at(19, 16)], strict=False
    ):
        repo.scan(person.code, "D", "scan", moment)
    buckets = repo.arrivals(5)
    assert [(b.start.strftime("%H:%M"), b.count) for b in buckets] == [
        ("19:00", 3),
        ("19:05", 0),
        ("19:10", 0),
        ("19:15", 1),
    ]
    figures = repo.figures()
    assert (figures.checked_in, figures.registered, figures.capacity) == (4, 6, 100)
    assert figures.places_left == 96


def test_has_changed_sees_other_connections(bare_event: EventFolder, people: list[Person]) -> None:
    mine, theirs = repository(bare_event), repository(bare_event)
    mine.has_changed()
    assert not mine.has_changed()
    theirs.scan(people[0].code, "Door 2", "scan", at(19, 0))
    assert mine.has_changed()
    assert not mine.has_changed()
