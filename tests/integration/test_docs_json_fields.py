"""The JSON outputs page names every field the commands really print.

A few commands run as real processes on a small event (`python main.py … --json`), and every key
of what they print must be named in that command's section of docs/reference/json.md — so a
field added to an output without a word in the reference fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.doors_helpers import make_event, seed_people

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "main.py"
JSON_PAGE = ROOT / "docs" / "reference" / "json.md"
PROGRAMME = """
[programme]
name_en = "Test Programme"
name_zh = "測試節目"

[[films]]
id = "F01"
title_en = "The Last Lantern"
title_zh = "最後的燈籠"
director = "Chan Ka-yan"
country = "Hong Kong"
year = 2026
runtime = "3:00"
file = "films/F01.mp4"
"""


def section(command: str) -> str:
    """The text of the JSON page's section for `command` (up to the next heading)."""
    page = JSON_PAGE.read_text(encoding="utf-8")
    match = re.search(rf"^## `{re.escape(command)} --json`\n(.*?)(?=^## |\Z)", page, re.M | re.S)
    assert match is not None, f"no section for {command} --json"
    return match.group(1)


def undocumented(keys: list[str], text: str) -> list[str]:
    """The keys the section does not name (as `key`, `key[]` for a list, or "key")."""
    named = ("`{}`", "`{}[]`", '"{}"')
    return [key for key in keys if not any(form.format(key) in text for form in named)]


def run_json(event: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, str(MAIN), "--event", str(event), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def event_with_tickets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small event with registrations and tickets; one ticket code to scan."""
    folder = make_event(tmp_path_factory.mktemp("json-fields") / "event")
    people = seed_people(folder)
    (folder.root / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    return folder.root, people[0].code


def test_checkin_and_attendees_print_only_documented_fields(
    event_with_tickets: tuple[Path, str],
) -> None:
    root, code = event_with_tickets
    verdict = run_json(root, "checkin", code, "--station", "Door 1")
    assert verdict["verdict"] == "admitted"
    assert not undocumented(list(verdict), section("checkin"))
    attendees = run_json(root, "attendees", "list")
    assert attendees and not undocumented(list(attendees[0]), section("attendees list"))
    ticket = run_json(root, "attendees", "reissue", str(attendees[-1]["id"]))
    assert "attendees revoke --json" in section("attendees reissue")  # "the same fields as"
    assert not undocumented(list(ticket), section("attendees revoke"))


def test_stations_print_only_documented_fields(event_with_tickets: tuple[Path, str]) -> None:
    root, _ = event_with_tickets
    pairing = run_json(root, "stations", "pair", "Door 2", "--address", "127.0.0.1:28443")
    assert pairing["payload"].startswith("aiff-pair://127.0.0.1:28443/")
    assert not undocumented(list(pairing), section("stations pair"))
    listed = run_json(root, "stations", "list")
    assert listed["stations"], listed
    text = section("stations list")
    assert not undocumented(list(listed), text)
    assert not undocumented(list(listed["stations"][0]), text)
    conflicts = run_json(root, "stations", "conflicts")
    assert conflicts == {"conflicts": []}


def test_report_verify_and_vote_status_print_only_documented_fields(
    event_with_tickets: tuple[Path, str],
) -> None:
    root, _ = event_with_tickets
    report = run_json(root, "report")
    text = section("report")
    assert report["show"]["state"] == "not_started"
    for part in (report, report["show"], report["checkins"], report["films"][0], report["reveal"]):
        assert not undocumented(list(part), text)
    verify = run_json(root, "results", "verify")
    assert verify["ok"] is False  # nothing sealed in this event
    assert not undocumented(list(verify), section("results verify"))
    status = run_json(root, "vote", "status")
    assert not undocumented(list(status), section("vote status"))
