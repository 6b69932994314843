"""Benchmark: how long the booth checklist takes to gather, line by line, and the run sheet.

Run with `make bench`. On the preflighted demo night (35 films): the median of 5 runs of each
checklist line (the console gathers them on a worker; the whole list should stay within a few
seconds so "Check again" feels immediate) and of writing the run sheet PDF.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.services.booth_checklist import booth_providers
from kiosk.services.open_event import OpenEvent
from kiosk.services.run_sheet import write_run_sheet_pdf
from kiosk.store.event_folder import EventFolder

RUNS = 5


def median_ms(work: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def test_checklist_and_run_sheet_speed(preflighted_demo: EventFolder, tmp_path: Path) -> None:
    total = 0.0
    event = OpenEvent.open(preflighted_demo)
    for provider in booth_providers(preflighted_demo, lambda: event):
        took = median_ms(provider.gather)
        total += took
        print(f"checklist line {provider.line_id:<10} {took:8.1f} ms (median of {RUNS})")
    print(f"checklist, all lines     {total:8.1f} ms")
    sheet = median_ms(lambda: write_run_sheet_pdf(preflighted_demo, tmp_path / "sheet.pdf"))
    print(f"run sheet PDF (35 films) {sheet:8.1f} ms (median of {RUNS})")
    assert (tmp_path / "sheet.pdf").stat().st_size > 0
