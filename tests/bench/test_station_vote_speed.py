"""Benchmark: voting stations through the event server, over loopback (issue 14).

Run with `make bench`. A real event server process and 2 real voting-station processes cast
350 ballots each (700 admitted tickets), flat out: each ballot one HTTPS request (pinned TLS,
kept alive), decided on the server's database thread, sealed to the vote's public key and
committed (synchronous=FULL) with its nonce record before the answer. Prints cast -> answer
latency (p50 / p95 / p99 / max) and ballots per second; then checks that the tally opened with
the passphrase has all 700.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from kiosk.store.database import transaction
from tests.doors_helpers import seed_people
from tests.results_helpers import PASSPHRASE
from tests.station_helpers import ROOT, pair_station, read_results, run_cli, start_server
from tests.vote_helpers import VOTE_FILMS, make_voting_event, open_vote

CHILD = ROOT / "tests" / "integration" / "vote_station_child.py"
STATIONS = 2
BALLOTS = 350


def test_two_voting_stations_cast_700_ballots(tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event", admitted=0, absent=0)
    people_all = seed_people(voting.folder, count=STATIONS * BALLOTS)
    with transaction(voting.folder.open_db()) as conn:  # all admitted (as test_vote_load does)
        conn.executemany(
            "INSERT INTO checkins (attendee_id, code, station, method, at) "
            "VALUES (?, ?, 'Door 1', 'scan', '2026-12-05T11:00:00.000+00:00')",
            [(p.attendee_id, p.code) for p in people_all],
        )
    event_dir = voting.folder.root
    server = start_server(event_dir)
    try:
        assert run_cli("--event", str(event_dir), "vote", "open", "--minutes", "60").returncode == 0
        procs, outs = [], []
        for index in range(STATIONS):
            name = f"vote{index + 1}"
            pair_station(event_dir, f"Vote {index + 1}", tmp_path / name)
            people = people_all[index * BALLOTS : (index + 1) * BALLOTS]
            ballots_file = tmp_path / f"{name}.ballots"
            ballots_file.write_text(
                "".join(f"{p.code} {VOTE_FILMS[i % 3]}\n" for i, p in enumerate(people))
            )
            outs.append(tmp_path / f"{name}.jsonl")
            command = [sys.executable, str(CHILD), str(tmp_path / name), str(ballots_file)]
            procs.append(subprocess.Popen([*command, str(outs[-1]), "0", "120"], cwd=ROOT))
        started = time.monotonic()
        for proc in procs:
            assert proc.wait(timeout=600) == 0
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    rows = [row for out in outs for row in read_results(out)]
    assert len(rows) == STATIONS * BALLOTS and all(row["accepted"] for row in rows)
    samples = sorted(float(str(row["ms"])) for row in rows)
    p95 = samples[int(len(samples) * 0.95)]
    p99 = samples[int(len(samples) * 0.99)]
    print(
        f"\nvoting stations: {STATIONS} x {BALLOTS} ballots through the server: "
        f"p50 {statistics.median(samples):.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  "
        f"max {samples[-1]:.1f} ms;  {len(rows) / elapsed:.0f} ballots/s "
        f"(incl. process start-up, {elapsed:.1f} s)"
    )
    assert open_vote(voting.folder).count([PASSPHRASE]).ballots == STATIONS * BALLOTS
