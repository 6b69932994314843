"""`attendees import|list|revoke|reissue` and `tickets`, run as real processes."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from kiosk.store.checkins import CheckinRepository
from kiosk.store.event_folder import EventFolder

MAIN = Path(__file__).resolve().parents[2] / "main.py"
DATA = Path(__file__).resolve().parents[1] / "data" / "registrations"


def run(folder: EventFolder, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), "--event", str(folder.root), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def snapshot(folder: EventFolder) -> list[str]:
    conn = sqlite3.connect(folder.db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_import_then_list_json(event: EventFolder) -> None:
    result = run(event, "attendees", "import", str(DATA / "google-forms-big5.csv"), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] and summary["imported"]
    assert (summary["format"], summary["encoding"]) == ("google-forms", "big5hkscs")
    assert (summary["new"], summary["tickets_issued"], summary["errors"]) == (5, 5, 0)

    listed = run(event, "attendees", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    people = json.loads(listed.stdout)
    assert isinstance(people, list) and len(people) == 5
    assert {"name", "email", "code", "status"} <= set(people[0])
    assert people[2]["name"] == "歐陽娜娜" and people[2]["name_latin"] == "Au Yeung Na Na"
    assert all(p["code"].startswith("AIFF-") and p["status"] == "registered" for p in people)

    text = run(event, "attendees", "list")
    assert "歐陽娜娜 (Au Yeung Na Na)" in text.stdout and "5 attendees" in text.stdout


def test_reimport_of_an_updated_export_keeps_codes(event: EventFolder) -> None:
    assert run(event, "attendees", "import", str(DATA / "eventbrite-attendees.csv")).returncode == 0
    before = {
        p["email"]: p["code"] for p in json.loads(run(event, "attendees", "list", "--json").stdout)
    }
    result = run(event, "attendees", "import", str(DATA / "eventbrite-attendees.csv"))
    assert result.returncode == 0, result.stderr
    assert "0 new, 0 updated, 4 unchanged" in result.stdout
    assert "2 not attending" in result.stdout and "1 duplicate row(s) merged" in result.stdout
    after = {
        p["email"]: p["code"] for p in json.loads(run(event, "attendees", "list", "--json").stdout)
    }
    assert after == before


def test_a_broken_file_exits_1_lists_rows_and_changes_nothing(event: EventFolder) -> None:
    assert (
        run(event, "attendees", "import", str(DATA / "pretix-orders-semicolon.csv")).returncode == 0
    )
    before = snapshot(event)
    result = run(event, "attendees", "import", str(DATA / "broken.csv"))
    assert result.returncode == 1
    assert "row 3: missing e-mail address" in result.stderr
    assert "row 4: malformed e-mail address 'not-an-email'" in result.stderr
    assert "row 5: the row has 5 fields" in result.stderr
    assert "nothing was imported" in result.stderr
    as_json = run(event, "attendees", "import", str(DATA / "broken.csv"), "--json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert not report["ok"] and [e["row"] for e in report["row_errors"]] == [3, 4, 5]
    assert snapshot(event) == before


def test_map_option_and_unrecognised_columns(event: EventFolder) -> None:
    file = str(DATA / "custom-columns.csv")
    refused = run(event, "attendees", "import", file)
    assert refused.returncode == 1 and "--map" in refused.stderr
    result = run(
        event, "attendees", "import", file, "--map", "Participant=name", "--map", "Contact=email"
    )
    assert result.returncode == 0, result.stderr
    bad_field = run(event, "attendees", "import", file, "--map", "Participant=nickname")
    assert bad_field.returncode == 1 and "nickname" in bad_field.stderr


def test_revoke_and_reissue_by_code_and_number(event: EventFolder) -> None:
    assert run(event, "attendees", "import", str(DATA / "plain-gb18030.csv")).returncode == 0
    people = json.loads(run(event, "attendees", "list", "--json").stdout)
    old_code = people[0]["code"]
    reissued = run(event, "attendees", "reissue", old_code.lower(), "--reason", "lost", "--json")
    assert reissued.returncode == 0, reissued.stderr
    new = json.loads(reissued.stdout)
    assert new["issue_number"] == 1 and new["code"] != old_code
    revoked = run(event, "attendees", "revoke", "2", "--json")
    assert revoked.returncode == 0 and json.loads(revoked.stdout)["revoked_at"]
    people = json.loads(run(event, "attendees", "list", "--json").stdout)
    assert people[0]["code"] == new["code"]
    assert people[1]["code"] is None and people[1]["ticket_status"] == "none"
    unknown = run(event, "attendees", "revoke", "AIFF-XXXXX-YYYYYYYYYYYYYYYY")
    assert unknown.returncode == 1 and "neither an attendee number nor a ticket" in unknown.stderr


def test_tickets_command_writes_pdf_pngs_and_mail_merge(event: EventFolder, tmp_path: Path) -> None:
    assert (
        run(event, "attendees", "import", str(DATA / "excel-unicode-text-utf16.txt")).returncode
        == 0
    )
    pdf, png_dir = tmp_path / "out" / "tickets.pdf", tmp_path / "out" / "png"
    result = run(event, "tickets", "--pdf", str(pdf), "--png", str(png_dir), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["count"] == 3 and summary["qr_versions"] == [2]
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Tickets" in result.stderr  # the progress line
    with (png_dir / "mail-merge.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == ["梁家豪", "Sofía Martínez", "葉曉彤"]
    assert all(Path(r["png_file"]).is_file() and r["code"] in r["png_file"] for r in rows)
    assert rows[0]["email"] == "leung.kaho@example.com"
    nothing = run(event, "tickets")
    assert nothing.returncode == 2 and "--pdf" in nothing.stderr


def test_encoding_option_reads_the_file_as_told(event: EventFolder, tmp_path: Path) -> None:
    export = tmp_path / "big5.csv"
    export.write_bytes("name,email\n陳大文,chan@example.org\n".encode("big5hkscs"))
    wrong = run(event, "attendees", "import", str(export), "--encoding", "utf-8")
    assert wrong.returncode == 1 and "cannot be read as utf-8" in wrong.stderr
    result = run(event, "attendees", "import", str(export), "--encoding", "big5hkscs")
    assert result.returncode == 0, result.stderr
    listed = json.loads(run(event, "attendees", "list", "--json").stdout)
    assert [a["name"] for a in listed] == ["陳大文"]


def write_rows(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Email"])
        writer.writerows(rows)
    return path


def statuses(folder: EventFolder) -> dict[str, str]:
    conn = sqlite3.connect(folder.db_path)
    try:
        return dict(conn.execute("SELECT name, status FROM attendees").fetchall())
    finally:
        conn.close()


def test_header_only_or_many_gone_needs_allow_many_gone(event: EventFolder, tmp_path: Path) -> None:
    people = [(f"Person {n:02d}", f"p{n}@example.com") for n in range(40)]
    assert (
        run(event, "attendees", "import", str(write_rows(tmp_path / "all.csv", people))).returncode
        == 0
    )
    header_only = write_rows(tmp_path / "header-only.csv", [])
    before = snapshot(event)
    refused = run(event, "attendees", "import", str(header_only))
    assert refused.returncode == 1
    assert "names nobody" in refused.stderr and "--allow-many-gone" in refused.stderr
    assert snapshot(event) == before  # nothing changed, nobody marked gone
    half = write_rows(tmp_path / "half.csv", people[:20])
    refused = run(event, "attendees", "import", str(half), "--json")
    assert refused.returncode == 1
    answer = json.loads(refused.stdout)
    assert answer["ok"] is False and "leaves out 20 of the 40" in answer["error"]
    assert snapshot(event) == before
    few_gone = write_rows(tmp_path / "few.csv", people[:37])  # 3 cancelled: normal
    assert run(event, "attendees", "import", str(few_gone)).returncode == 0
    allowed = run(event, "attendees", "import", str(half), "--allow-many-gone")
    assert allowed.returncode == 0, allowed.stderr
    assert sum(status == "gone" for status in statuses(event).values()) == 20


def test_walk_ins_survive_a_reimport(event: EventFolder, tmp_path: Path) -> None:
    people = [(f"Person {n:02d}", f"p{n}@example.com") for n in range(10)]
    export = write_rows(tmp_path / "export.csv", people)
    assert run(event, "attendees", "import", str(export)).returncode == 0
    repo = CheckinRepository.for_event(event, event.load_config())
    for name in ("Walk-in Wong", "Walk-in Lee"):
        repo.walk_in(name, None, None, "Door 1", dt.datetime.now(dt.UTC))
    again = run(event, "attendees", "import", str(export), "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["marked_gone"] == 0 and summary["missing"] == 0
    assert statuses(event)["Walk-in Wong"] == "registered"
    assert statuses(event)["Walk-in Lee"] == "registered"


def test_mail_merge_never_carries_a_live_formula(event: EventFolder, tmp_path: Path) -> None:
    hostile = [
        ('=HYPERLINK("http://evil.example/","Click me")', "a@example.com"),
        ("+852 Chan", "b@example.com"),
        ("@SUM(1+1)", "c@example.com"),
        ("-2+3", "d@example.com"),
        ("  =1+1", "e@example.com"),
        ("Chan Tai Man", "f@example.com"),
    ]
    export = write_rows(tmp_path / "hostile.csv", hostile)
    assert run(event, "attendees", "import", str(export)).returncode == 0
    png_dir = tmp_path / "png"
    assert run(event, "tickets", "--png", str(png_dir)).returncode == 0
    with (png_dir / "mail-merge.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    assert names == [
        '\'=HYPERLINK("http://evil.example/","Click me")',
        "'+852 Chan",
        "'@SUM(1+1)",
        "'-2+3",
        "'=1+1",  # leading spaces are trimmed from names at import
        "Chan Tai Man",
    ]
