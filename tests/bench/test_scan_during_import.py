"""Benchmark: a door keeps answering while a 200,000-row registration import runs.

Run with `make bench`. A real `python main.py attendees import` process imports a 200k-row
export into the event while this process scans a ticket every 50 ms through the door's
repository (the same call the door's worker thread makes). Prints the scan latency p50 / p99 /
max during the import (target: every scan answered within 100 ms) and the import's duration,
next to the same scans with no import running (measured first, in the same run), and the
machine's load average (on a shared machine, CPU starvation shows up as the odd slow scan).
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.figures import percentiles
from tests.doors_helpers import at, make_event, repository, seed_people

IMPORT_ROWS = 200_000
REPO = Path(__file__).resolve().parents[2]


def write_export(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "English name", "Email"])
        for n in range(rows):
            writer.writerow([f"匯入{n:06d}", f"Imported {n:06d}", f"imported{n}@example.org"])
    return path


def test_scans_are_answered_while_a_big_import_runs(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event", capacity=300_000)
    people = seed_people(folder, count=3000)
    export = write_export(tmp_path / "big-export.csv", IMPORT_ROWS)
    repo = repository(folder, capacity=300_000)
    chosen = random.Random(3).sample(people, len(people))
    quiet = []
    for person in chosen[:100]:
        begin = time.perf_counter()
        repo.scan(person.code, "Door 1", "scan", at(19, 0))
        quiet.append((time.perf_counter() - begin) * 1000)
        time.sleep(0.05)
    chosen = chosen[100:]
    command = [sys.executable, "main.py", "--event", str(folder.root), "attendees", "import"]
    started = time.perf_counter()
    importer = subprocess.Popen(
        [*command, str(export), "--allow-many-gone"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    latencies: list[float] = []
    failures: list[str] = []
    index = 0
    while importer.poll() is None and index < len(chosen):
        begin = time.perf_counter()
        try:
            repo.scan(chosen[index].code, "Door 1", "scan", at(19, 0))
        except Exception as exc:
            failures.append(str(exc))
        latencies.append((time.perf_counter() - begin) * 1000)
        index += 1
        time.sleep(0.05)
    output, errors = importer.communicate(timeout=600)
    seconds = time.perf_counter() - started
    print(f"\nimport of {IMPORT_ROWS:,} rows took {seconds:.1f} s (exit {importer.returncode})")
    print(f"scan with no import running     {percentiles(quiet)}")
    print(f"scan during the import          {percentiles(latencies)}")
    print(f"scans over 100 ms: {sum(ms > 100 for ms in latencies)}, failed: {len(failures)}")
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    assert importer.returncode == 0, output + errors
    assert latencies
