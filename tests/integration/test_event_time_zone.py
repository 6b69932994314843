"""The event's clock in CLI output and the log, through real processes on a laptop whose own
time zone is elsewhere (TZ=America/Los_Angeles)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.doors_helpers import make_event, seed_people

MAIN = Path(__file__).resolve().parents[2] / "main.py"
HK = ZoneInfo("Asia/Hong_Kong")


def test_checkin_output_and_log_are_on_the_event_clock(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event")
    people = seed_people(folder)
    env = {**os.environ, "TZ": "America/Los_Angeles"}
    result = subprocess.run(
        [sys.executable, str(MAIN), "--event", str(folder.root), "checkin", people[0].code],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    stamp = result.stdout.strip().splitlines()[-1].split(" · ")[2]
    shown = dt.datetime.strptime(stamp, "%H:%M:%S").time()
    now_hk = dt.datetime.now(HK)
    difference = abs(
        (dt.datetime.combine(now_hk.date(), shown) - now_hk.replace(tzinfo=None)).total_seconds()
    )
    assert min(difference, 86400 - difference) < 120, (stamp, now_hk)
    log_lines = (folder.logs_dir / "kiosk.log").read_text(encoding="utf-8").splitlines()
    assert log_lines and all(line[23:28] == "+0800" for line in log_lines[-3:]), log_lines[-3:]
    listed = subprocess.run(
        [
            sys.executable,
            str(MAIN),
            "--event",
            str(folder.root),
            "checkin",
            people[0].code,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    answer = json.loads(listed.stdout)
    assert answer["verdict"] == "already_checked_in"
    # JSON keeps UTC ISO 8601 times (docs/dev/cli-contract.md)
    assert answer["at"].endswith("+00:00")
