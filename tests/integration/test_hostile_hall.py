"""The hostile hall (issue 21): a real `serve` on 127.0.0.1 attacked as a laptop on the venue
Wi-Fi would, with bounded loops, while a real door station scans through it.

One server for the module, started with a desktop session's open-files limit (soft 256, hard
1024); attacks of a few seconds each, from their own loopback addresses (127.0.0.2-4; the honest
door is 127.0.0.1). The full-size attacks and the figures are in tests/bench/test_hostile_hall.py.
On the code before issue 21 every test here fails.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.server.limits import STATION_LIMITS
from kiosk.station.folder import StationFolder
from kiosk.station.link import SCAN_TIMEOUT_S
from tests import hostile_hall as attack
from tests.sqlite_helpers import connected
from tests.station_helpers import read_results, start_station

pytestmark = pytest.mark.serial  # real time: header deadlines, memory, scan latency
# TLS handshakes held per address (asyncio itself waits 60 s for one)
TLS_HALF_OPEN_CAP = STATION_LIMITS.per_address


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[attack.RunningHall]:
    hall = attack.open_hall(
        tmp_path_factory.mktemp("hall"), admitted=24, absent=16, open_files=(256, 1024)
    )
    try:
        yield hall
    finally:
        hall.server.kill()


HONEST_DOOR = "Door 1"  # the station open_hall pairs in door_dir
VERDICT_SLACK_S = 0.5  # the station's own decision after SCAN_TIMEOUT_S, on a loaded laptop
BACK_ONLINE_S = 20.0  # after the attack, the door is answered online again within this


def _door_requests(running: attack.RunningHall) -> int:
    """Requests the server has recorded from the honest door (scans online and uploaded)."""
    with connected(running.event_dir / "event.db") as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM station_requests WHERE station = ?", (HONEST_DOOR,)
        ).fetchone()
    return int(row[0])


@pytest.fixture
def honest_door(running: attack.RunningHall, tmp_path: Path) -> Iterator[attack.HonestDoor]:
    """The honest door station scanning admitted tickets every 20 ms while a test attacks,
    with the server's CPU watched meanwhile."""
    codes = [person.code for person in running.admitted] * 100
    out = tmp_path / "door.jsonl"
    before = _door_requests(running)
    with attack.ServerCpu(running.hall.pid) as cpu:
        process = start_station(running.door_dir, codes, out, pause_ms=20)
        deadline = time.monotonic() + 60
        while not read_results(out) and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            yield attack.HonestDoor(out, cpu, before)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)


def _scans(out: Path) -> list[dict[str, Any]]:
    return read_results(out)


def _assert_door_kept_working(
    running: attack.RunningHall, door: attack.HonestDoor, attack_end: float
) -> None:
    """What the door promises the usher through an attack: a verdict for every scan within
    the station's timeout, online whenever the server could answer (offline only while the
    server was starved of CPU: the show laptop gives the films the CPU first), nothing lost,
    nobody admitted twice, and online again soon after the attack."""
    deadline = time.monotonic() + BACK_ONLINE_S
    scans = _scans(door.out)
    while time.monotonic() < deadline and not (
        len(scans) >= 20 and any(not s["offline"] and s["ended"] > attack_end for s in scans)
    ):
        time.sleep(0.1)
        scans = _scans(door.out)
    assert len(scans) >= 20, f"the door station scanned {len(scans)} tickets"
    online_after = [s for s in scans if not s["offline"] and s["ended"] > attack_end]
    assert online_after, f"the door was not online again within {BACK_ONLINE_S:.0f} s"
    assert {scan["verdict"] for scan in scans} <= {"admitted", "already_checked_in"}
    slowest = max(scan["ms"] for scan in scans)
    assert slowest <= (SCAN_TIMEOUT_S + VERDICT_SLACK_S) * 1000, f"a verdict took {slowest} ms"
    stretches = attack.offline_stretches(scans)
    shares = [door.cpu.over(stretch.start, stretch.end) for stretch in stretches]
    told = [
        f"{stretch.scans} scans offline for {stretch.end - stretch.start:.1f} s while {share}"
        for stretch, share in zip(stretches, shares, strict=True)
    ]
    print(f"the door: {len(scans)} scans; " + ("; ".join(told) or "none offline"))
    unexplained = [text for text, share in zip(told, shares, strict=True) if not share.starved]
    assert not unexplained, "offline while the server could answer: " + "; ".join(unexplained)
    # every scan up to the last one answered online reaches the server (offline: uploaded)
    last_online = max(i for i, scan in enumerate(scans) if not scan["offline"])
    deadline = time.monotonic() + BACK_ONLINE_S
    recorded = _door_requests(running) - door.requests_before
    while recorded < last_online + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
        recorded = _door_requests(running) - door.requests_before
    assert recorded >= last_online + 1, f"{recorded} of {last_online + 1} scans on the server"
    with connected(running.event_dir / "event.db") as conn:
        twice = conn.execute(
            "SELECT COUNT(*) FROM door_conflicts WHERE second_station = ?", (HONEST_DOOR,)
        ).fetchone()[0]
        admitted = dict(
            conn.execute(
                "SELECT attendee_id, COUNT(*) FROM checkins WHERE annulled_at IS NULL "
                "GROUP BY attendee_id"
            ).fetchall()
        )
    assert twice == 0
    assert all(admitted.get(person.attendee_id) == 1 for person in running.admitted)


def test_a_stolen_station_token_yields_no_codes_and_no_ballots(
    running: attack.RunningHall,
) -> None:
    hall = running.hall
    result = attack.harvest(hall, [person.attendee_id for person in running.absent[:6]])
    assert result["codes_leaked"] == 0
    assert result["ballots_with_leaked_codes"] == 0
    # the door still gets what it needs: names found by name, the code masked
    found = attack.request(hall, "GET", f"{attack.API}/search?q=Tester", token=hall.token)
    hits = json.loads(found.body)["hits"]
    assert hits and all("•" in hit["code"] for hit in hits if hit["code"])


def test_bodies_and_headers_are_refused_before_they_are_read(
    running: attack.RunningHall, honest_door: attack.HonestDoor
) -> None:
    hall = running.hall
    before, _ = attack.rss_kib(hall.pid)
    bodies = attack.big_bodies(hall, 4, 50, deadline_s=20)
    header = attack.huge_header(hall, 16)
    _, peak = attack.rss_kib(hall.pid)
    assert (peak - before) / 1024 < 50, f"server grew {(peak - before) / 1024:.0f} MB"
    assert bodies["megabytes_sent"] < 4 * 50  # the server shut the door early
    assert 413 in bodies["statuses"] or 0 in bodies["statuses"]
    assert header["status"] != 200
    _assert_door_kept_working(running, honest_door, time.time())


def test_deep_json_and_loose_types_are_400_not_500(running: attack.RunningHall) -> None:
    hall = running.hall
    deep = attack.deep_json(hall)["statuses"]
    assert deep[0] in (400, 413) and deep[1] == 400
    assert attack.loose_types(hall, running.absent[-1].attendee_id)["statuses"] == [400] * 6


def test_half_open_connections_are_closed_and_the_hall_keeps_going(
    running: attack.RunningHall, honest_door: attack.HonestDoor
) -> None:
    hall = running.hall
    results: dict[str, dict[str, Any]] = {}

    def hold(name: str, tls: bool, enough_at: int) -> None:
        results[name] = attack.slowloris(hall, 300, tls=tls, hold_s=12, enough_at=enough_at)

    threads = [  # each ends once the server holds no more than it may (12 s at most)
        threading.Thread(target=hold, args=("plain", False, 0)),
        threading.Thread(target=hold, args=("tls", True, TLS_HALF_OPEN_CAP)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    attack_end = time.time()
    plain, tls = results["plain"], results["tls"]
    assert plain["still_open"] == 0  # the request-head deadline (10 s) closed them
    assert tls["still_open"] <= TLS_HALF_OPEN_CAP  # TLS handshakes: capped per address
    assert plain["page_during"] == tls["page_during"] == 200  # another phone was served
    assert plain["page_after"] == 200
    _assert_door_kept_working(running, honest_door, attack_end)


def test_a_flood_of_bad_tokens_writes_a_few_lines_not_thousands(
    running: attack.RunningHall,
) -> None:
    hall = running.hall
    before = attack.log_bytes(hall.logs_dir)
    answered = attack.bad_tokens(hall, 2, 500, deadline_s=40)["answered"]
    # enough for the check to mean something: a line per request (50 bytes at least) would
    # write twice the 5 KB allowed. The server runs at nice 10: on a loaded laptop it answers
    # fewer in 40 s (645 of 1,000 at load 14), which is the films coming first, not a fault
    assert answered >= 200, f"only {answered} bad requests answered in 40 s"
    grown = attack.log_bytes(hall.logs_dir) - before
    assert grown < 5_000, f"the log grew {grown} bytes for {answered} bad requests"
    assert not attack.rotated(hall.logs_dir)


def test_an_upload_from_a_clock_ten_years_back_is_kept_at_the_time_received(
    running: attack.RunningHall,
) -> None:
    result = attack.old_offline_upload(running.hall, running.absent[-2].attendee_id)
    assert result["upload_status"] == 200 and '"clock_skew":true' in result["upload"]
    assert result["figures_s"] < 2 and result["buckets"] < 12 * 24


def test_typos_behind_one_address_do_not_lock_out_a_valid_voter(
    running: attack.RunningHall,
) -> None:
    result = attack.wrong_codes_then_valid(running.hall, running.vote_codes[0])
    assert result["status"] == 200 and '"accepted":true' in result["body"]


def test_a_cross_site_form_cannot_vote(running: attack.RunningHall) -> None:
    result = attack.cross_site_post(running.hall, running.vote_codes[1])
    assert result["status"] == 415 and not result["accepted"]


def test_another_stations_nonce_is_refused_and_the_refusal_is_on_record(
    running: attack.RunningHall,
) -> None:
    hall = running.hall
    nonce = secrets.token_hex(8)
    honest = StationFolder(running.door_dir).credentials().token
    first = attack.as_json(
        hall, "POST", f"{attack.API}/undo", {"nonce": nonce}, token=honest, source="127.0.0.1"
    )
    assert first.status == 200
    stolen = attack.as_json(hall, "POST", f"{attack.API}/undo", {"nonce": nonce}, token=hall.token)
    assert stolen.status == 409
    with connected(running.event_dir / "event.db") as conn:
        kinds = [row[0] for row in conn.execute("SELECT kind FROM journal")]
    assert "station_nonce_refused" in kinds


def test_the_night_leaves_no_tracebacks_and_private_files(running: attack.RunningHall) -> None:
    hall = running.hall
    assert attack.tracebacks(hall.logs_dir) == 0
    assert os.getpriority(os.PRIO_PROCESS, hall.pid) >= 10  # the films come first
    limits = Path(f"/proc/{hall.pid}/limits").read_text()
    assert re.search(r"Max open files\s+1024\s+1024", limits)  # raised to the hard limit
    for path in [running.event_dir / "event.db", *hall.logs_dir.glob("*.log*")]:
        assert path.stat().st_mode & 0o077 == 0, path


def test_out_of_file_descriptors_the_server_logs_one_line_and_recovers(
    tmp_path: Path,
) -> None:
    """A laptop allowed only 48 open files (hard limit): the caps shrink to fit, and whatever
    still runs out is logged once with a count, not a traceback per accept."""
    tight = attack.open_hall(tmp_path, admitted=2, absent=1, open_files=(48, 48), stations=False)
    hall = tight.hall
    try:
        held = []
        for port in (hall.vote_port, hall.station_port) * 40:
            try:
                held.append(socket.create_connection(("127.0.0.1", port), 2, (attack.ATTACKER, 0)))
            except OSError:
                break
        time.sleep(1.0)
        for sock in held:
            sock.close()
        deadline = time.monotonic() + 15
        answer = attack.Answer(0, "", 0)
        while answer.status != 200 and time.monotonic() < deadline:
            answer = attack.request(hall, "GET", "/state", station=False, source=attack.VISITOR)
        assert answer.status == 200  # serving again once the connections are gone
        text = attack.log_text(hall.logs_dir)
        assert text.count("accept failed") <= 2
        assert attack.tracebacks(hall.logs_dir) == 0
    finally:
        tight.server.kill()
