"""Benchmark: the hostile hall at full size (issue 21), while an honest door station scans.

Run with `make bench` (or this file alone with `-s`). A real `serve` on 127.0.0.1, started with
the open-files limit of a Debian desktop session (soft 256, hard 1024), is attacked one attack
after the other, bounded, as tests/hostile_hall.py describes: a harvest with a stolen station
token, 300 half-open connections (plain and TLS), 4 x 200 MB bodies, a 16 MB header, 100k-deep
JSON, loose types, 2 x 2000 bad-token requests, an offline upload from a clock ten years back,
25 wrong codes then a valid one from one address, a cross-site form POST. Meanwhile a real door
station process scans a ticket every 20 ms through the server.

Prints: the server's idle and peak RSS, the station's scan p50/p99/max during the attack, what
each attack got, tracebacks in the log, log growth and whether kiosk.log was rotated, codes
leaked. The goals (issue 21): peak <= idle + 50 MB, scan p99 <= 50 ms, the valid voter
accepted, 0 tracebacks, 0 codes leaked.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from pathlib import Path

from kiosk.core.admissions import from_iso
from tests import hostile_hall as attack
from tests.station_helpers import read_results, start_station

SCANS = 6000
QUIET_S = 8.0


def test_hostile_hall_full_size(tmp_path: Path) -> None:
    running = attack.open_hall(tmp_path, admitted=60, absent=40, open_files=(256, 1024))
    hall = running.hall
    try:
        time.sleep(1.0)
        idle_rss, _ = attack.rss_kib(hall.pid)
        log_before = attack.log_bytes(hall.logs_dir)
        codes = [person.code for person in running.admitted[:30]]
        out = tmp_path / "door.jsonl"
        door = start_station(running.door_dir, (codes * (SCANS // len(codes) + 1))[:SCANS], out,
                             pause_ms=20)  # fmt: skip
        deadline = time.monotonic() + 60
        while not read_results(out) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(QUIET_S)  # the door alone first: its scan times with nobody attacking
        attack_started = dt.datetime.now(dt.UTC)
        results: dict[str, object] = {}
        absent_ids = [person.attendee_id for person in running.absent[:30]]
        results["harvest"] = attack.harvest(hall, absent_ids)
        results["slowloris plain"] = attack.slowloris(hall, 300, tls=False, hold_s=12)
        results["slowloris tls"] = attack.slowloris(hall, 300, tls=True, hold_s=12)
        results["bodies 4x200MB"] = attack.big_bodies(hall, 4, 200)
        results["header 16MB"] = attack.huge_header(hall, 16)
        results["deep json"] = attack.deep_json(hall)
        results["loose types"] = attack.loose_types(hall, running.absent[-1].attendee_id)
        results["bad tokens 2x2000"] = attack.bad_tokens(hall, 2, 2000)
        results["clock 10 years"] = attack.old_offline_upload(hall, running.absent[-2].attendee_id)
        results["25 wrong then valid"] = attack.wrong_codes_then_valid(hall, running.vote_codes[0])
        results["cross-site post"] = attack.cross_site_post(hall, running.vote_codes[1])
        _, peak_rss = attack.rss_kib(hall.pid)
        door.send_signal(signal.SIGKILL)
        door.wait(timeout=10)
    finally:
        running.server.kill()
    rows = read_results(out)
    quiet = [float(str(r["ms"])) for r in rows if from_iso(str(r["at"])) < attack_started]
    scans = [float(str(r["ms"])) for r in rows if from_iso(str(r["at"])) >= attack_started]
    offline = sum(1 for r in rows if r.get("offline"))
    log_growth = attack.log_bytes(hall.logs_dir) - log_before
    p50, p99, worst = attack.percentiles(scans)
    quiet_p50, quiet_p99, _ = attack.percentiles(quiet)
    print("\nhostile hall (full size), load", os.getloadavg())
    for name, value in results.items():
        print(f"  {name}: {value}")
    print(
        f"  server RSS idle {idle_rss / 1024:.0f} MB, peak {peak_rss / 1024:.0f} MB "
        f"(+{(peak_rss - idle_rss) / 1024:.0f} MB)\n"
        f"  door scans before the attack: {len(quiet)}, p50 {quiet_p50:.1f} ms, "
        f"p99 {quiet_p99:.1f} ms\n"
        f"  door scans during the attack: {len(scans)}, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {worst:.1f} ms; offline: {offline}\n"
        f"  log: +{log_growth / 1e6:.2f} MB, rotated: {attack.rotated(hall.logs_dir)}, "
        f"tracebacks: {attack.tracebacks(hall.logs_dir)}, "
        f"codes in the log: {hall.leaked(attack.log_text(hall.logs_dir))}"
    )
