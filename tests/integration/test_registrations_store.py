"""Registration imports through the service and the real event database; ticket lookups."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from kiosk.core.admissions import ScanResult
from kiosk.core.checkin import Verdict
from kiosk.core.registrations import RegistrationFileError
from kiosk.core.tickets import TicketCodec, generate_secret_key
from kiosk.services.registrations import (
    ImportRefusedError,
    import_registrations,
    preview_import,
)
from kiosk.store.attendees import AttendeeRepository
from kiosk.store.checkins import CheckinRepository
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal

DATA = Path(__file__).resolve().parents[1] / "data" / "registrations"


def snapshot(folder: EventFolder) -> list[str]:
    """Every row of every table, as SQL (to prove a refused import changed nothing)."""
    conn = sqlite3.connect(folder.db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def do_import(folder: EventFolder, path: Path, mapping: dict[str, str] | None = None):
    db = folder.open_db()
    return import_registrations(db, TicketCodec(folder.secret_key()), path, mapping)


def verdict_of(folder: EventFolder, text: str) -> ScanResult:
    """What a door makes of `text`: through the one admission path (an admission is annulled
    again, so a later look at the same code sees it fresh)."""
    doors = CheckinRepository(
        folder.open_db(), TicketCodec(folder.secret_key()), capacity=None, zone=dt.UTC
    )
    result = doors.scan(text, "test", "scan", dt.datetime.now(dt.UTC))
    if result.verdict is Verdict.ADMITTED:
        doors.undo_last("test", dt.datetime.now(dt.UTC))
    return result


def repository(folder: EventFolder) -> AttendeeRepository:
    return AttendeeRepository(folder.open_db(), TicketCodec(folder.secret_key()))


@pytest.mark.parametrize(
    ("file", "expected_names", "encoding", "not_attending", "duplicates"),
    [
        (
            "eventbrite-attendees.csv",
            ["Tai Man Chan", "Ka Yan Lee", "Wing Ho", "Zoë O'Brien"],
            "utf-8-sig",
            2,
            1,
        ),
        ("pretix-orders-semicolon.csv", ["陳大文", "陳美玲", "Müller; Jürgen"], "utf-8", 1, 0),
        (
            "google-forms-big5.csv",
            ["陳大文", "李嘉欣", "歐陽娜娜", "黃子華", "司徒詠詩"],
            "big5hkscs",
            0,
            0,
        ),
        ("plain-gb18030.csv", ["王小明", "张伟", "陈静"], "gb18030", 1, 0),
        ("excel-unicode-text-utf16.txt", ["梁家豪", "Sofía Martínez", "葉曉彤"], "utf-16-le", 0, 0),
    ],
)
def test_each_kind_of_export_imports_with_names_as_written(
    event: EventFolder,
    file: str,
    expected_names: list[str],
    encoding: str,
    not_attending: int,
    duplicates: int,
) -> None:
    result = do_import(event, DATA / file)
    assert result.preview.export.encoding == encoding
    assert result.preview.counts()["not_attending"] == not_attending
    assert result.preview.counts()["duplicates_merged"] == duplicates
    attendees = repository(event).all()
    assert [a.name for a in attendees] == expected_names
    assert all(a.status == "registered" and a.code for a in attendees)
    assert result.applied.tickets_issued == len(expected_names)
    codec = TicketCodec(event.secret_key())
    for attendee in attendees:
        verified = codec.verify(attendee.code or "")
        assert verified is not None and verified.attendee_number == attendee.id
    entries = list(Journal(event.open_db()).entries("attendees_imported"))
    assert len(entries) == 1 and entries[0].subject == file


def test_latin_transcription_and_normalised_email_are_kept(event: EventFolder) -> None:
    do_import(event, DATA / "google-forms-big5.csv")
    do_import(event, DATA / "eventbrite-attendees.csv")
    by_name = {a.name: a for a in repository(event).all()}
    assert by_name["歐陽娜娜"].name_latin == "Au Yeung Na Na"
    assert by_name["Tai Man Chan"].email == "chan.taiman@example.com"  # " Chan.TaiMan@Example.com "
    assert by_name["Ka Yan Lee"].external_id == "1100002"


def test_reimport_keeps_codes_adds_new_and_reports_missing(
    event: EventFolder, tmp_path: Path
) -> None:
    first = do_import(event, DATA / "google-forms-big5.csv")
    before = {a.email: a.code for a in repository(event).all()}
    again = do_import(event, DATA / "google-forms-big5.csv")
    assert again.preview.counts()["unchanged"] == 5 and again.applied.tickets_issued == 0
    assert {a.email: a.code for a in repository(event).all()} == before

    # The organiser's next export: one person cancelled (gone), one new, one name corrected.
    text = (DATA / "google-forms-big5.csv").read_bytes().decode("big5")
    lines = text.splitlines()
    lines = [line for line in lines if "nana@example.com" not in line]
    lines = [
        line.replace("李嘉欣", "李嘉欣 ").replace("Lee Ka Yan", "Lee Ka-yan") for line in lines
    ]
    lines.append("2026/10/4 上午9:00:00,mak@example.com,麥志明,Mak Chi Ming,,")
    updated_file = tmp_path / "forms-updated.csv"
    updated_file.write_bytes("\n".join(lines).encode("big5"))
    result = do_import(event, updated_file)
    assert len(result.applied.new_ids) == 1
    assert len(result.applied.updated_ids) == 1
    assert [m.name for m in result.applied.plan.missing] == ["歐陽娜娜"]
    assert result.applied.gone_ids == [a.attendee_id for a in result.applied.plan.missing]
    after = {a.email: a for a in repository(event).all()}
    assert len(after) == 6  # nobody deleted
    for email, code in before.items():
        assert after[email].code == code  # everyone keeps their ticket code
    assert after["nana@example.com"].status == "gone"
    assert after["kayan@example.com"].name_latin == "Lee Ka-yan"
    assert after["mak@example.com"].code and after["mak@example.com"].status == "registered"
    assert first.applied.new_ids[0] == 1

    # Back in the next export: registered again, same code.
    do_import(event, DATA / "google-forms-big5.csv")
    assert repository(event).get(after["nana@example.com"].id).status == "registered"  # type: ignore[union-attr]


def test_a_broken_file_changes_nothing_and_lists_every_bad_row(event: EventFolder) -> None:
    do_import(event, DATA / "pretix-orders-semicolon.csv")
    before = snapshot(event)
    with pytest.raises(ImportRefusedError) as refused:
        do_import(event, DATA / "broken.csv")
    assert [(e.row_number, e.problem.value) for e in refused.value.errors] == [
        (3, "missing_email"),
        (4, "malformed_email"),
        (5, "field_count"),
    ]
    assert snapshot(event) == before


def test_an_unusable_file_changes_nothing(event: EventFolder, tmp_path: Path) -> None:
    do_import(event, DATA / "plain-gb18030.csv")
    before = snapshot(event)
    with pytest.raises(RegistrationFileError, match="No name or e-mail column"):
        do_import(event, DATA / "custom-columns.csv")
    with pytest.raises(RegistrationFileError, match="does not exist"):
        do_import(event, tmp_path / "nowhere.csv")
    assert snapshot(event) == before


def test_explicit_mapping_reads_unknown_columns(event: EventFolder) -> None:
    mapping = {"Participant": "name", "Contact": "email", "Ticket": "external_id"}
    result = do_import(event, DATA / "custom-columns.csv", mapping)
    assert len(result.applied.new_ids) == 2
    assert [(a.name, a.external_id) for a in repository(event).all()] == [
        ("Mak Chi Ming", "T-1"),
        ("麥志明", "T-2"),
    ]


def test_preview_writes_nothing(event: EventFolder) -> None:
    event.open_db()
    before = snapshot(event)
    preview = preview_import(
        event.open_db(), TicketCodec(event.secret_key()), DATA / "eventbrite-attendees.csv"
    )
    assert preview.counts()["new"] == 4 and preview.can_import
    assert snapshot(event) == before


def test_revoked_code_is_recognised_as_revoked_not_unknown(event: EventFolder) -> None:
    do_import(event, DATA / "google-forms-big5.csv")
    repo = repository(event)
    first = repo.all()[0]
    old_code = first.code or ""
    assert verdict_of(event, old_code).verdict is Verdict.ADMITTED

    new_ticket = repo.reissue(old_code, "lost phone")
    assert new_ticket.issue_number == 1 and new_ticket.code != old_code
    old = verdict_of(event, old_code.lower() + "  ")
    assert old.verdict is Verdict.REVOKED
    assert old.name == "陳大文"
    assert "replaced by a newer one" in old.decision.detail_en
    assert verdict_of(event, new_ticket.code).verdict is Verdict.ADMITTED
    assert repo.get(first.id).code == new_ticket.code  # type: ignore[union-attr]

    revoked = repo.revoke(str(first.id), "refunded at the desk")
    assert revoked.code == new_ticket.code
    assert verdict_of(event, new_ticket.code).verdict is Verdict.REVOKED
    assert repo.get(first.id).code is None  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="no valid ticket"):
        repo.revoke(str(first.id))
    kinds = [e.kind for e in Journal(event.open_db()).entries("ticket_revoked", "ticket_reissued")]
    assert kinds == ["ticket_reissued", "ticket_revoked"]


def test_tampered_foreign_and_random_codes_are_refused(event: EventFolder) -> None:
    do_import(event, DATA / "plain-gb18030.csv")
    repo = repository(event)
    codec = TicketCodec(event.secret_key())
    code = repo.all()[0].code or ""
    last = code[-1]
    tampered = code[:-1] + ("0" if last != "0" else "1")
    other_event = TicketCodec(generate_secret_key()).issue(1)
    for text in (tampered, other_event, "hello world", "", "AIFF-"):
        assert verdict_of(event, text).verdict is Verdict.INVALID_CODE, text
    never_issued = codec.issue(999)
    assert verdict_of(event, never_issued).verdict is Verdict.UNKNOWN_TICKET


def test_unknown_attendee_or_code_for_revoke_is_a_clear_error(event: EventFolder) -> None:
    do_import(event, DATA / "plain-gb18030.csv")
    repo = repository(event)
    with pytest.raises(StoreError, match="no attendee number 99"):
        repo.revoke("99")
    with pytest.raises(StoreError, match="neither an attendee number nor a ticket"):
        repo.reissue("AIFF-nonsense")


def test_demo_registrations_go_through_the_importer(demo_event: EventFolder) -> None:
    repo = repository(demo_event)
    attendees = repo.all()
    assert len(attendees) == 40
    assert all(a.code and a.status == "registered" for a in attendees)
    assert any(a.name_latin for a in attendees)
    entries = list(Journal(demo_event.open_db()).entries("attendees_imported"))
    assert [e.subject for e in entries] == ["registrations.demo.csv"]
