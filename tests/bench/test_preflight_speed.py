"""Benchmark: preflight of the 35 demo films vs one plain `ffmpeg -af ebur128` pass.

Run with `make bench`. Prints medians of several alternating runs over the same files, and
their ratio (target: preflight costs at most 1.3x the plain loudness pass).
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from kiosk.services.demo import build_demo
from kiosk.services.preflight import PreflightRunner
from kiosk.store.event_folder import EventFolder

ROUNDS = 3


def plain_ebur128(files: list[Path]) -> None:
    for file in files:
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-hide_banner",
                "-nostats",
                "-i",
                str(file),
                "-af",
                "ebur128",
                "-f",
                "null",
                "-",
            ],
            capture_output=True,
            check=True,
        )


def test_preflight_against_plain_ebur128(tmp_path: Path) -> None:
    folder = EventFolder(tmp_path / "demo")
    build_demo(folder, film_seconds=20, attendees=0)
    config = folder.load_config()
    programme = folder.load_programme(config)
    files = [film.file for film in programme]
    runner = PreflightRunner(config, programme)
    plain, ours = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        plain_ebur128(files)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = runner.run()
        ours.append(time.perf_counter() - started)
        assert report.ok
    plain_median, ours_median = statistics.median(plain), statistics.median(ours)
    print(f"\n35 demo films x 20 s, {ROUNDS} alternating rounds, medians:")
    print(f"  plain ffmpeg -af ebur128 (sequential): {plain_median:6.2f} s  {plain}")
    print(f"  preflight ({runner.workers} workers, full check): {ours_median:6.2f} s  {ours}")
    print(f"  ratio preflight / plain: {ours_median / plain_median:.2f}x (target <= 1.3x)")
