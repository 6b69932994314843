"""The event server and door stations as real processes on 127.0.0.1.

A real `serve` process and real station processes (tests/integration/station_child.py) scan
the same codes; the server is SIGKILLed mid-scan and restarted; a station is cut off and
reconciles; forged, replayed and revoked-station requests are refused. Every admission a
station showed green is in the event database exactly once, or reported as a conflict.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.stations import PairingPayload
from kiosk.services.child_process import CHILD_NICE
from kiosk.services.event_server_process import EventServerProcess, port_answers
from kiosk.station.folder import StationFolder
from kiosk.station.link import (
    CertificateMismatchError,
    ServerLink,
    ServerRefusedError,
    ServerUnreachableError,
)
from kiosk.station.remote_doors import StationRevokedError
from kiosk.station.setup import open_remote_station
from kiosk.store.errors import StoreError
from tests.doors_helpers import make_event, seed_people
from tests.sqlite_helpers import connected
from tests.station_helpers import (
    pair_station,
    read_results,
    run_cli,
    start_server,
    start_station,
)
from tests.vote_server import free_port

pytestmark = pytest.mark.slow
# The refusal checks are about answers, not speed: the link waits as long as a loaded machine
# needs (the station's own 1 s scan budget is tested where speed is the point).
PATIENT_S = 10.0


def _active_checkins(event_dir: Path) -> list[tuple[int, str, str]]:
    with connected(event_dir / "event.db") as conn:
        return conn.execute(
            "SELECT attendee_id, station, at FROM checkins WHERE annulled_at IS NULL"
        ).fetchall()


def _conflicts(event_dir: Path) -> list[tuple[str, int, str, str, str]]:
    with connected(event_dir / "event.db") as conn:
        return conn.execute(
            "SELECT kind, attendee_id, first_station, second_station, second_at FROM door_conflicts"
        ).fetchall()


def _check_every_green_accounted(event_dir: Path, results: dict[str, list[dict[str, Any]]]) -> None:
    """Each green at a station is that station's admission in the DB, or a reported conflict."""
    checkins = _active_checkins(event_dir)
    per_attendee: dict[int, list[str]] = {}
    for attendee_id, station, _at in checkins:
        per_attendee.setdefault(attendee_id, []).append(station)
    assert all(len(stations) == 1 for stations in per_attendee.values())  # exactly once
    conflicts = {(c[1], c[3]) for c in _conflicts(event_dir) if c[0] == "double_admission"}
    greens = [
        (int(r["attendee_id"]), station)
        for station, rows in results.items()
        for r in rows
        if r["verdict"] == "admitted"
    ]
    for attendee_id, station in greens:
        in_db = per_attendee.get(attendee_id) == [station]
        assert in_db or (attendee_id, station) in conflicts, (attendee_id, station)
    # and the DB holds nothing no station showed green
    green_set = set(greens)
    for attendee_id, stations in per_attendee.items():
        assert (attendee_id, stations[0]) in green_set


@pytest.fixture
def seeded_event(tmp_path: Path) -> tuple[Path, list[str]]:
    folder = make_event(tmp_path / "event", capacity=1000)
    people = seed_people(folder, count=120)
    return folder.root, [person.code for person in people]


def test_four_stations_scan_the_same_codes(tmp_path: Path, seeded_event) -> None:
    event_dir, codes = seeded_event
    server = start_server(event_dir)
    try:
        names = [f"Door {n}" for n in range(1, 5)]
        for name in names:
            pair_station(event_dir, name, tmp_path / name)
        chosen = codes[:80]
        procs, outs = [], {}
        for index, name in enumerate(names):
            order = chosen[:]
            random.Random(index).shuffle(order)
            outs[name] = tmp_path / f"{name}.jsonl"
            # patient: this test is about the server admitting each person once, not speed
            # (a starved server at nice 10 can take over the door's 1 s: then a door decides
            # offline, as it should, and this test would judge the offline path instead)
            procs.append(start_station(tmp_path / name, order, outs[name], scan_timeout_s=10))
        for proc in procs:
            assert proc.wait(timeout=180) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        server.stop()
    results = {name: read_results(out) for name, out in outs.items()}
    assert all(len(rows) == 80 for rows in results.values())
    assert not any(r["offline"] for rows in results.values() for r in rows)
    greens = [r for rows in results.values() for r in rows if r["verdict"] == "admitted"]
    assert len(greens) == 80  # each of the 80 people got exactly one green, somewhere
    assert len({r["attendee_id"] for r in greens}) == 80
    assert len(_active_checkins(event_dir)) == 80
    assert _conflicts(event_dir) == []
    _check_every_green_accounted(event_dir, results)
    for rows in results.values():
        ambers = [r for r in rows if r["verdict"] == "already_checked_in"]
        assert all(
            r["admitted_station"] in {"Door 1", "Door 2", "Door 3", "Door 4"} for r in ambers
        )


def test_server_killed_mid_scan_and_restarted(tmp_path: Path, seeded_event) -> None:
    event_dir, codes = seeded_event
    server = start_server(event_dir)
    port = server.port
    names = [f"Door {n}" for n in range(1, 5)]
    for name in names:
        pair_station(event_dir, name, tmp_path / name)
    procs, outs = [], {}
    for index, name in enumerate(names):
        order = codes[:]  # all four scan all 120, in different orders, slowly enough to overlap
        random.Random(100 + index).shuffle(order)
        outs[name] = tmp_path / f"{name}.jsonl"
        procs.append(start_station(tmp_path / name, order, outs[name], pause_ms=40, drain_s=60))
    deadline = time.monotonic() + 60
    while sum(len(read_results(out)) for out in outs.values()) < 60:
        assert time.monotonic() < deadline, "the stations did not start scanning"
        time.sleep(0.05)
    server.kill()  # SIGKILL mid-scan
    killed_at = sum(len(read_results(out)) for out in outs.values())
    deadline = time.monotonic() + 60
    while not any(row["offline"] for out in outs.values() for row in read_results(out)):
        assert time.monotonic() < deadline, "no station admitted anyone offline"
        time.sleep(0.05)  # the server stays down until a door has admitted someone offline
    server = start_server(event_dir, port=port)
    try:
        for proc in procs:
            assert proc.wait(timeout=240) == 0, proc.stderr.read() if proc.stderr else ""
        back = run_cli("--station-dir", str(tmp_path / "Door 1"), "checkin", codes[0], "--json")
        rescan = json.loads(back.stdout)
        assert rescan["offline"] is False and rescan["verdict"] == "already_checked_in"
    finally:
        server.stop()
    results = {name: read_results(out) for name, out in outs.items()}
    assert all(len(rows) == 120 for rows in results.values())
    offline = [r for rows in results.values() for r in rows if r["offline"]]
    assert offline, "no scan happened while the server was down"
    conflicts = _conflicts(event_dir)
    print(f"killed after {killed_at} scans; {len(offline)} offline; {len(conflicts)} conflicts")
    assert 0 < killed_at < 480
    _check_every_green_accounted(event_dir, results)
    # nothing lost: every queued offline check-in was confirmed by the server
    for name in names:
        summary = json.loads((tmp_path / f"{name}.jsonl.summary").read_text())
        assert summary == {"pending": 0}
    admitted = {a for a, _s, _t in _active_checkins(event_dir)}
    assert admitted == set(range(1, 121))  # everyone scanned is in, once


def test_cut_off_station_admits_offline_and_reconciles(tmp_path: Path, seeded_event) -> None:
    event_dir, codes = seeded_event
    server = start_server(event_dir)
    port = server.port
    pair_station(event_dir, "Door 1", tmp_path / "d1")
    online = run_cli("--station-dir", str(tmp_path / "d1"), "checkin", codes[0], "--json")
    assert json.loads(online.stdout)["offline"] is False
    # the server builds its ticket list at most once a second (LIST_CACHE_AGE) and serves a
    # younger one again: wait until the list says codes[0] is in before Door 2 joins
    link = ServerLink.for_station(StationFolder(tmp_path / "d1").credentials(), timeout=PATIENT_S)
    deadline = time.monotonic() + 30
    while not any(t["admitted_station"] == "Door 1" for t in link.tickets()["tickets"]):
        assert time.monotonic() < deadline, "the server's ticket list never showed the admission"
        time.sleep(0.1)
    link.close()
    pair_station(event_dir, "Door 2", tmp_path / "d2")  # its list knows codes[0] is in
    server.stop()  # the Wi-Fi drops: neither door reaches the server

    def scan(station: str, code: str) -> dict[str, Any]:
        done = run_cli("--station-dir", str(tmp_path / station), "checkin", code, "--json")
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    first = scan("d1", codes[1])
    second = scan("d2", codes[1])  # the same ticket at the other door, while apart
    third = scan("d1", codes[2])
    again = scan("d1", codes[2])  # the same door knows its own offline admission
    already = scan("d2", codes[0])  # known from the list: admitted online before the cut
    assert [first["verdict"], second["verdict"], third["verdict"]] == ["admitted"] * 3
    assert all(r["offline"] for r in (first, second, third, again, already))
    assert again["verdict"] == "already_checked_in"
    assert already["verdict"] == "already_checked_in" and already["admitted_station"] == "Door 1"

    server = start_server(event_dir, port=port)
    try:
        back1 = scan("d1", codes[3])  # uploads its queue first, then scans online
        back2 = scan("d2", codes[4])
    finally:
        server.stop()
    assert back1["offline"] is False and back2["offline"] is False
    checkins = _active_checkins(event_dir)
    assert sorted(a for a, _s, _t in checkins) == [1, 2, 3, 4, 5]
    conflicts = _conflicts(event_dir)
    assert len(conflicts) == 1
    kind, attendee_id, first_station, second_station, second_at = conflicts[0]
    assert (kind, attendee_id) == ("double_admission", 2)
    assert {first_station, second_station} == {"Door 1", "Door 2"}
    assert second_at in {first["at"], second["at"]}
    report = run_cli("--event", str(event_dir), "stations", "conflicts", "--json")
    listed = json.loads(report.stdout)["conflicts"]
    assert listed[0]["name"] == "測試000001" and listed[0]["kind"] == "double_admission"
    with connected(event_dir / "event.db") as conn:
        kinds = [row[0] for row in conn.execute("SELECT kind FROM journal")]
    assert "checkin_conflict" in kinds


@pytest.mark.logs_errors  # the station logs the certificate that does not match its pin
def test_forged_replayed_and_revoked_requests_are_refused(tmp_path: Path, seeded_event) -> None:
    event_dir, codes = seeded_event
    server = start_server(event_dir)
    try:
        pair_station(event_dir, "Door 1", tmp_path / "d1")
        data = pair_station(event_dir, "Door 2", tmp_path / "d2")
        payload = PairingPayload.parse(str(data["payload"]))
        creds1 = StationFolder(tmp_path / "d1").credentials()
        creds2 = StationFolder(tmp_path / "d2").credentials()

        # the pairing code was used by `join`: replaying it is refused
        replay = run_cli("--station-dir", str(tmp_path / "d3"), "join", str(data["payload"]))
        assert replay.returncode == 1 and "used already" in replay.stderr

        # forged: no token, a made-up token
        for token in (None, "x" * 43):
            link = ServerLink(
                "127.0.0.1", server.port, server.fingerprint, token, timeout=PATIENT_S
            )
            with pytest.raises(ServerRefusedError) as refused:
                link.checkin("nonce-forged-0001", codes[0], "scan")
            assert refused.value.status == 401
            link.close()

        # a station token reaches no console action: those routes do not exist
        link1 = ServerLink.for_station(creds1, timeout=PATIENT_S)
        for path in ("/stations", "/import", "/results", "/tickets/issue", "/revoke", "/console"):
            with pytest.raises(ServerRefusedError) as missing:
                link1.request("POST", path, {"nonce": "nonce-console-01"})
            assert missing.value.status in (404, 405)

        # replayed check-in: same nonce, same answer, one admission
        answer = link1.checkin("nonce-replay-0001", codes[5], "scan")
        replayed = link1.checkin("nonce-replay-0001", codes[5], "scan")
        assert answer["verdict"] == replayed["verdict"] == "admitted"
        assert answer["replayed"] is False and replayed["replayed"] is True
        assert replayed["checkin_id"] == answer["checkin_id"]
        # another station replaying that nonce is refused
        link2 = ServerLink.for_station(creds2, timeout=PATIENT_S)
        with pytest.raises(ServerRefusedError) as stolen:
            link2.checkin("nonce-replay-0001", codes[6], "scan")
        assert stolen.value.status == 409
        assert [a for a, _s, _t in _active_checkins(event_dir)] == [6]

        # a wrong certificate pin: nothing is sent, the pairing token stays unused
        fresh = run_cli("--event", str(event_dir), "stations", "pair", "Door 9", "--json")
        good = PairingPayload.parse(json.loads(fresh.stdout)["payload"])
        forged = PairingPayload(good.host, good.port, good.token, "0" * 64)
        bad_join = run_cli("--station-dir", str(tmp_path / "d9"), "join", forged.to_text())
        assert bad_join.returncode == 1 and "different certificate" in bad_join.stderr
        ok_join = run_cli("--station-dir", str(tmp_path / "d9"), "join", good.to_text())
        assert ok_join.returncode == 0, ok_join.stderr
        pinned = ServerLink(
            "127.0.0.1", server.port, payload.fingerprint[::-1], creds1.token, timeout=PATIENT_S
        )
        with pytest.raises(CertificateMismatchError):
            pinned.hello()

        # revoke: the very next request is refused, and the station does not admit offline
        station2 = open_remote_station(StationFolder(tmp_path / "d2"))
        assert link2.hello()["station"] == "Door 2"
        revoked = run_cli("--event", str(event_dir), "stations", "revoke", "Door 2")
        assert revoked.returncode == 0, revoked.stderr
        with pytest.raises(ServerRefusedError) as gone:
            link2.hello()
        assert gone.value.status == 401
        with pytest.raises(StationRevokedError):
            station2.doors.scan(codes[7], "Door 2", "scan", _now())
        with pytest.raises(StationRevokedError):
            station2.doors.scan(codes[8], "Door 2", "scan", _now())
        assert station2.doors.store.pending_count() == 0
        station2.close()
        listing = json.loads(
            run_cli("--event", str(event_dir), "stations", "list", "--json").stdout
        )
        states = {s["name"]: s["active"] for s in listing["stations"]}
        assert states == {"Door 1": True, "Door 2": False, "Door 9": True}
        link1.close()
        link2.close()
    finally:
        server.stop()
    with connected(event_dir / "event.db") as conn:
        digests = [row[0] for row in conn.execute("SELECT token_hash FROM stations")]
    assert creds1.token not in digests  # tokens are stored hashed only


def test_station_folder_holds_no_signing_key(tmp_path: Path, seeded_event) -> None:
    event_dir, _codes = seeded_event
    server = start_server(event_dir)
    try:
        pair_station(event_dir, "Door 1", tmp_path / "d1")
    finally:
        server.stop()
    key = (event_dir / "secret.key").read_text().strip()
    for path in (tmp_path / "d1").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert key.encode() not in content and bytes.fromhex(key) not in content
    with connected(tmp_path / "d1" / "station.db") as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(tickets)")]
        stored = " ".join(str(v) for row in conn.execute("SELECT * FROM tickets") for v in row)
    assert "code" not in columns and "AIFF-" not in stored  # digests only


def test_unreachable_server_is_reported_not_hung(tmp_path: Path) -> None:
    link = ServerLink("127.0.0.1", 18599, "0" * 64, "token", timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ServerUnreachableError):
        link.hello()
    assert time.monotonic() - started < 2


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def test_offline_undo_walk_in_and_hand_admission(tmp_path: Path, seeded_event) -> None:
    event_dir, codes = seeded_event
    server = start_server(event_dir)
    pair_station(event_dir, "Door 1", tmp_path / "d1")
    server.kill()
    station = open_remote_station(StationFolder(tmp_path / "d1"))
    doors = station.doors
    try:
        first = doors.scan(codes[10], "Door 1", "scan", _now())
        assert first.offline and first.verdict.value == "admitted"
        undone = doors.undo_last("Door 1", _now())
        assert undone is not None and undone.code == codes[10]
        again = doors.scan(codes[10], "Door 1", "scan", _now())  # undone: may come in again
        assert again.verdict.value == "admitted"
        (hit,) = doors.search("Tester 000011")
        by_hand = doors.admit_manually(hit.attendee_id, "Door 1", _now())
        assert by_hand.offline and by_hand.verdict.value == "admitted"
        with pytest.raises(StoreError, match="Walk-ins need the server"):
            doors.walk_in("新來的", "New Comer", None, "Door 1", _now())
        server = start_server(event_dir, port=doors.credentials.port)
        assert station.sync.sync_once()
        assert doors.store.pending_count() == 0
        walk_in = doors.walk_in("新來的", "New Comer", None, "Door 1", _now())
        assert walk_in.verdict.value == "admitted" and not walk_in.offline
        assert walk_in.code is not None and walk_in.code.startswith("AIFF-")
    finally:
        station.close()
        server.stop()
    with connected(event_dir / "event.db") as conn:
        rows = conn.execute(
            "SELECT attendee_id, method, annulled_at IS NOT NULL FROM checkins ORDER BY id"
        ).fetchall()
    assert rows == [(11, "scan", 1), (11, "scan", 0), (12, "manual", 0), (121, "walk-in", 0)]


def test_back_online_with_a_queue_left_the_station_never_asks_about_its_own_admissions(
    tmp_path: Path, seeded_event
) -> None:
    """The sync goes online once the queue that waited is uploaded; a ticket admitted offline
    since then is decided from the queue until it is uploaded, never admitted twice online."""
    event_dir, codes = seeded_event
    server = start_server(event_dir)
    try:
        pair_station(event_dir, "Door 1", tmp_path / "d1")
        station = open_remote_station(StationFolder(tmp_path / "d1"))
        doors = station.doors
        try:
            doors.set_online(False, "a scan timed out")
            first = doors.scan(codes[20], "Door 1", "scan", _now())
            assert first.offline and first.verdict.value == "admitted"
            doors.set_online(True)  # the sync's round ended while this one was queued
            again = doors.scan(codes[20], "Door 1", "scan", _now())  # the ticket passed back
            (hit,) = doors.search("Tester 000020")  # codes[20]'s holder
            by_hand = doors.admit_manually(hit.attendee_id, "Door 1", _now())
            other = doors.scan(codes[21], "Door 1", "scan", _now())
            assert again.verdict.value == by_hand.verdict.value == "already_checked_in"
            assert other.verdict.value == "admitted" and not other.offline  # the server's
            assert [row[0] for row in _active_checkins(event_dir)] == [22]  # 21: not yet
            assert station.sync.sync_once()
            assert doors.store.pending_count() == 0
        finally:
            station.close()
    finally:
        server.stop()
    assert sorted(row[0] for row in _active_checkins(event_dir)) == [21, 22]
    assert _conflicts(event_dir) == []


def test_the_server_the_console_starts_runs_low_from_its_first_instruction(
    seeded_event: tuple[Path, list[str]],
) -> None:
    """The Stations tab may start the server during the show: its start (the interpreter, the
    web stack) never runs at the show's priority."""
    event_dir, _codes = seeded_event
    port = free_port()
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    server = EventServerProcess(event_dir)
    server.start(port)
    seen: list[tuple[str, int]] = []  # (program, niceness) while it starts
    try:
        pid = server.pid
        assert pid is not None
        deadline = time.monotonic() + 60
        while not port_answers("127.0.0.1", port):
            assert time.monotonic() < deadline and server.pid is not None, "no server"
            # the same pid is first this test's fork (before its exec: our own command line),
            # then `nice`, then the server: only the server's own program counts
            with contextlib.suppress(OSError):
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                niceness = os.getpriority(os.PRIO_PROCESS, pid)
                program = "server" if argv[1:3] == [b"-m", b"kiosk"] else argv[0].decode()
                seen.append((program, niceness))
        seen.append(("server", os.getpriority(os.PRIO_PROCESS, pid)))
    finally:
        server.stop()
    started = [niceness for program, niceness in seen if program == "server"]
    assert started and set(started) == {min(19, ours + CHILD_NICE)}, seen
