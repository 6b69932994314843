"""One lock for the event, through real processes: while the console runs an event, `rehearse`,
`results seal`, `attendees import` and `demo` are refused (exit 1, saying who holds the event)
and change nothing; read-only commands and door check-ins still work; once the console is
killed (SIGKILL), the kernel frees the lock and the same commands work."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from tests.results_helpers import JURY, KDF_N, PASSPHRASE, make_event

MAIN = Path(__file__).resolve().parents[2] / "main.py"
DATA = Path(__file__).resolve().parents[1] / "data" / "registrations"
ENV = {**os.environ, "KIOSK_SEAL_KDF_N": str(KDF_N), "QT_QPA_PLATFORM": "offscreen"}


def run(folder: EventFolder, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), "--event", str(folder.root), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=ENV,
    )


def journal_kinds(folder: EventFolder) -> list[str]:
    conn = sqlite3.connect(folder.db_path)
    try:
        return [row[0] for row in conn.execute("SELECT kind FROM journal ORDER BY id")]
    finally:
        conn.close()


def attendees(folder: EventFolder) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(folder.db_path)
    try:
        return conn.execute("SELECT * FROM attendees ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.fixture
def console_process(tmp_path: Path) -> Iterator[tuple[EventFolder, subprocess.Popen[bytes]]]:
    folder = make_event(tmp_path / "event")
    jury = tmp_path / "jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    assert run(folder, "results", "seal", str(jury), stdin=f"{PASSPHRASE}\n").returncode == 0
    imported = run(folder, "attendees", "import", str(DATA / "google-forms-big5.csv"))
    assert imported.returncode == 0, imported.stderr
    process = subprocess.Popen(
        [sys.executable, str(MAIN), "--event", str(folder.root), "--no-supervisor"],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lock = folder.root / "console.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if json.loads(lock.read_text() or "{}").get("pid") == process.pid:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the console never took the event's lock")
    try:
        yield folder, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


@pytest.mark.slow  # a real console process and seven commands against it
def test_the_console_holds_the_event_against_other_writers(
    console_process: tuple[EventFolder, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    folder, process = console_process
    jury = tmp_path / "jury.toml"
    seal_before = folder.sealed_results_path.read_bytes()
    people_before = attendees(folder)
    kinds_before = journal_kinds(folder)
    refused = {
        "rehearse": run(folder, "rehearse", "--exit-at-end"),
        "results seal": run(
            folder, "results", "seal", str(jury), "--replace", stdin=f"{PASSPHRASE}\n"
        ),
        "attendees import": run(
            folder, "attendees", "import", str(DATA / "eventbrite-attendees.csv")
        ),
        "demo": run(folder, "demo", "--film-seconds", "1", "--attendees", "0"),
    }
    for name, result in refused.items():
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert f"the console (process {process.pid}" in result.stderr, (name, result.stderr)
        assert f"so {name} cannot change it now" in result.stderr
    assert folder.sealed_results_path.read_bytes() == seal_before
    assert attendees(folder) == people_before
    new_kinds = journal_kinds(folder)[len(kinds_before) :]
    assert not {"show_reset", "results_sealed", "results_sealing", "attendees_imported"} & set(
        new_kinds
    ), new_kinds
    # read-only commands and the doors still work
    assert run(folder, "results", "verify").returncode == 0
    listed = run(folder, "attendees", "list", "--json")
    assert listed.returncode == 0
    code = json.loads(listed.stdout)[0]["code"]
    door = run(folder, "checkin", code, "--station", "Door 2", "--json")
    assert door.returncode == 0 and json.loads(door.stdout)["verdict"] == "admitted"
    # the console dies: the kernel frees the lock at once
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    again = run(folder, "attendees", "import", str(DATA / "eventbrite-attendees.csv"))
    assert again.returncode == 0, again.stderr


CRASHING_SEAL = """
import os, sys
from pathlib import Path
from kiosk.services import results
from kiosk.services.open_event import OpenEvent
from kiosk.store.event_folder import EventFolder

real_write = results.write_seal
where = sys.argv[3]

def crashing_write(path, data):
    if where == "before-file":
        os._exit(9)  # power lost after the intent was committed, before the file
    real_write(path, data)
    os._exit(9)  # power lost after the file, before the sealing was recorded

results.write_seal = crashing_write
OpenEvent.open(EventFolder(Path(sys.argv[1]))).sealed_results().seal_results(
    Path(sys.argv[2]), ["another good passphrase"], replace=True, kdf_n=2**14,
)
"""


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
@pytest.mark.parametrize("where", ["before-file", "after-file"])
def test_no_crash_point_makes_a_good_seal_look_tampered(tmp_path: Path, where: str) -> None:
    folder = make_event(tmp_path / "event")
    jury = tmp_path / "jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    first = run(folder, "results", "seal", str(jury), stdin=f"{PASSPHRASE}\n")
    assert first.returncode == 0, first.stderr
    first_fingerprint = first.stdout.split("Fingerprint: ")[1].split()[0]
    crash = subprocess.run(
        [sys.executable, "-c", CRASHING_SEAL, str(folder.root), str(jury), where],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        cwd=MAIN.parent,
    )
    assert crash.returncode == 9, crash.stderr
    verified = run(folder, "results", "verify", "--json")
    report = json.loads(verified.stdout)
    assert verified.returncode == 0, report["problems"]
    assert report["intact"] is True
    if where == "before-file":  # the first seal is still there, and still good
        assert report["fingerprint"] == first_fingerprint and report["replaced"] is False
        opened = run(folder, "results", "verify", "--open", stdin=f"{PASSPHRASE}\n")
    else:  # the new seal was written: it is recognised as the one that sealing wrote
        assert report["fingerprint"] != first_fingerprint and report["replaced"] is True
        assert any("interrupted" in warning for warning in report["warnings"])
        opened = run(folder, "results", "verify", "--open", stdin="another good passphrase\n")
    assert opened.returncode == 0, opened.stderr


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_verify_says_when_a_seal_was_replaced_and_an_old_one_put_back_is_tampered(
    tmp_path: Path,
) -> None:
    folder = make_event(tmp_path / "event")
    jury = tmp_path / "jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    assert run(folder, "results", "seal", str(jury), stdin=f"{PASSPHRASE}\n").returncode == 0
    old = folder.sealed_results_path.read_bytes()
    replaced = run(folder, "results", "seal", str(jury), "--replace", stdin=f"{PASSPHRASE}\n")
    assert replaced.returncode == 0
    fingerprint = replaced.stdout.split("Fingerprint: ")[1].split()[0]
    verified = run(folder, "results", "verify")
    assert verified.returncode == 0
    assert f"fingerprint {fingerprint}" in verified.stdout
    assert "this seal REPLACED an earlier one, at 20" in verified.stdout
    assert "HKT (sealed 2 times in all)" in verified.stdout
    report = json.loads(run(folder, "results", "verify", "--json").stdout)
    assert report["replaced"] is True and report["times_sealed"] == 2
    assert report["replaced_at"].startswith("20")
    folder.sealed_results_path.write_bytes(old)  # someone puts the first seal back
    swapped = run(folder, "results", "verify")
    assert swapped.returncode == 1
    assert "has been changed or replaced since it was sealed" in swapped.stderr
