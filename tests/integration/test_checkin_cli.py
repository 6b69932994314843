"""`python main.py checkin CODE [--station NAME] [--json]` as a real process.

The command-line contract: docs/dev/cli-contract.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kiosk.core.tickets import TicketCodec
from tests.doors_helpers import make_event, seed_people

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def checkin(event: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), "--event", str(event), "checkin", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_checkin_json_contract_and_exit_status(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event", capacity=3)
    people = seed_people(folder)
    first = checkin(folder.root, people[0].code, "--station", "Door 2", "--json")
    assert first.returncode == 0, first.stderr
    verdict = json.loads(first.stdout)
    assert {"verdict", "code", "name", "at", "station"} <= set(verdict)
    assert verdict["verdict"] == "admitted" and verdict["name"] == "陳大文"
    assert verdict["code"] == people[0].code and verdict["station"] == "Door 2"

    again = checkin(folder.root, people[0].code.lower(), "--json")
    assert again.returncode == 1
    repeat = json.loads(again.stdout)
    assert repeat["verdict"] == "already_checked_in"
    assert repeat["station"] == "CLI" and repeat["admitted_station"] == "Door 2"
    assert "已於" in repeat["message_zh"] and "2 號門" in repeat["message_zh"]

    refusals = {
        "invalid_code": "not-a-ticket",
        "unknown_ticket": TicketCodec(folder.secret_key()).issue(5000),
    }
    for expected, code in refusals.items():
        result = checkin(folder.root, code, "--json")
        assert result.returncode == 1 and json.loads(result.stdout)["verdict"] == expected

    for person in people[1:3]:
        assert checkin(folder.root, person.code).returncode == 0
    full = checkin(folder.root, people[3].code, "--json")
    assert full.returncode == 1 and json.loads(full.stdout)["verdict"] == "capacity_reached"


def test_checkin_prints_a_bilingual_verdict(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event")
    people = seed_people(folder)
    result = checkin(folder.root, people[1].code, "--station", "Door 3")
    assert result.returncode == 0
    assert "Welcome / 歡迎" in result.stdout and "李小龍 (Lee Siu Lung)" in result.stdout


def test_checkin_without_an_event_fails_clearly(tmp_path: Path) -> None:
    result = checkin(tmp_path / "nowhere", "AIFF-00000-0000000000000000")
    assert result.returncode == 1 and "No event at" in result.stderr
