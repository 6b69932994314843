"""Benchmark: door stations on other laptops, over loopback (issue 13).

Run with `make bench`. A real event server process and 4 real station processes scan 700
different tickets each, all at once (every scan an admission: the heaviest path). Prints
scan -> verdict latency (p50 / p99 / max) online, through TLS, the server's single database
thread and a synchronous=FULL commit; then the same with the server SIGKILLed (offline: the
station's ticket list and its durable queue), and how long the reconciliation took.
Targets: p99 < 50 ms online, < 5 ms offline.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from pathlib import Path

from tests.doors_helpers import make_event, seed_people
from tests.station_helpers import pair_station, read_results, start_server, start_station

STATIONS = 4
SCANS = 700


def summary(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   p99 {p99:6.2f} ms   "
        f"max {ordered[-1]:7.2f} ms  (n={len(ordered)})"
    )


def run_round(
    tmp_path: Path, label: str, names: list[str], batches: list[list[str]], drain_s: float
) -> tuple[list[float], float]:
    start_at = time.time() + 4.0  # every station imported and connected before the start
    procs = []
    for name, codes in zip(names, batches, strict=True):
        out = tmp_path / f"{label}-{name}.jsonl"
        procs.append(start_station(tmp_path / name, codes, out, drain_s=drain_s, start_at=start_at))
    for proc in procs:
        proc.wait(timeout=600)
    elapsed = time.time() - start_at
    samples = [
        float(str(row["ms"]))
        for name in names
        for row in read_results(tmp_path / f"{label}-{name}.jsonl")
    ]
    return samples, elapsed


def fsync_ms(directory: Path, count: int = 200) -> list[float]:
    """The disk's own cost of one durable write (what synchronous=FULL waits for)."""
    path = directory / "fsync-probe"
    samples = []
    with path.open("wb") as handle:
        for _ in range(count):
            handle.write(b"x" * 256)
            handle.flush()
            begin = time.perf_counter()
            os.fsync(handle.fileno())
            samples.append((time.perf_counter() - begin) * 1000)
    return samples


def test_station_speed(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event", capacity=10_000)
    people = seed_people(folder, count=2 * STATIONS * SCANS)
    codes = [person.code for person in people]
    server = start_server(folder.root)
    names = [f"Door {n}" for n in range(1, STATIONS + 1)]
    for name in names:
        pair_station(folder.root, name, tmp_path / name)
    online_batches = [codes[i * SCANS : (i + 1) * SCANS] for i in range(STATIONS)]
    online, online_s = run_round(tmp_path, "online", names, online_batches, 120)
    server.kill()
    offset = STATIONS * SCANS
    offline_batches = [codes[offset + i * SCANS : offset + (i + 1) * SCANS] for i in range(4)]
    offline, offline_s = run_round(tmp_path, "offline", names, offline_batches, 0)
    server = start_server(folder.root, port=server.port)
    restarted = time.monotonic()
    drains = [start_station(tmp_path / n, [], tmp_path / f"drain-{n}.jsonl") for n in names]
    assert all(proc.wait(timeout=300) == 0 for proc in drains)
    reconciled = time.monotonic() - restarted
    server.stop()
    db = sqlite3.connect(folder.root / "event.db")
    count = db.execute("SELECT count(*) FROM checkins WHERE annulled_at IS NULL").fetchone()[0]
    print(f"\n{STATIONS} stations x {SCANS} scans at once, loopback, real processes")
    print(f"online  scan -> verdict   {summary(online)}   ({online_s:.1f} s for all)")
    print(f"offline scan -> verdict   {summary(offline)}   ({offline_s:.1f} s for all)")
    print(f"fsync on this disk (same run) {summary(fsync_ms(tmp_path))}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"uploaded {STATIONS * SCANS} offline admissions in {reconciled:.1f} s after restart")
    print(f"admissions in the event database: {count} (expected {2 * offset})")
    assert count == 2 * offset
