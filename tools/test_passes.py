"""Run the suite's two passes as `make test` schedules them, and say what each cost.

    python -m tools.test_passes [--workers N] [--lanes L] [--schedule beside|after] [-- ARGS]

The parallel pass is every test not marked `serial`, on N pytest-xdist workers; the serial
pass is the real-time tests (`-m serial`) on L lanes (xdist workers; 1: no xdist). With
`--schedule beside` (the default) both start together: the parallel pass leaves a quarter of
the two cores idle and the real-time tests mostly wait, so side by side they finish in about
the time of the longer one (docs/dev/testing.md, "The schedule"). With `after`, the serial pass
starts once the parallel pass has passed (none if it failed), as `make test` used to.

Each pass writes to a file of its own; when a pass ends one line says so, and when both have
ended each pass's output is printed whole, one after the other, then one line with each pass's
wall time and exit status. ARGS (after `--`) go to both pytest commands. The exit status is
0 when both passed, else the first failed pass's.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPOSITORY = Path(__file__).resolve().parents[1]
SCHEDULES = ("beside", "after")
POLL_S = 0.2  # how often a run looks whether a pass has ended
STOP_GRACE_S = 30.0  # an interrupted pass's time to end by itself


@dataclass(frozen=True)
class Pass:
    """One pytest run of the suite: its name and its command."""

    name: str
    command: list[str]


@dataclass(frozen=True)
class PassResult:
    """How a pass ended: its exit status (None: not run) and wall time."""

    name: str
    status: int | None
    wall_s: float

    def describe(self) -> str:
        if self.status is None:
            return f"{self.name}: not run"
        verdict = "passed" if self.status == 0 else f"FAILED (exit {self.status})"
        return f"{self.name} {self.wall_s:.0f} s, {verdict}"


def xdist_args(workers: int) -> list[str]:
    """pytest-xdist on `workers` processes, a file per worker at a time (none for 1)."""
    return ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []


def parallel_pass(workers: int, extra: Sequence[str] = ()) -> Pass:
    """Every test that does not measure real time."""
    command = [sys.executable, "-m", "pytest", *xdist_args(workers), "-m", "not serial"]
    return Pass(f"parallel pass ({workers} workers)", [*command, *extra])


def serial_pass(lanes: int, extra: Sequence[str] = ()) -> Pass:
    """The real-time tests (marked `serial`), each lane with its own rigs."""
    command = [sys.executable, "-m", "pytest", *xdist_args(lanes), "-m", "serial"]
    return Pass(f"serial pass ({lanes} lane{'s' if lanes > 1 else ''})", [*command, *extra])


def suite_env() -> dict[str, str]:
    """The environment the passes run in: Qt without a display of its own."""
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


@dataclass
class Running:
    """A pass started, its output going to `output`."""

    suite_pass: Pass
    process: subprocess.Popen[bytes]
    output: IO[bytes]
    started: float


def start(suite_pass: Pass, folder: Path) -> Running:
    """Start `suite_pass` with its output (stdout and stderr) in a file of its own."""
    output = (folder / f"{suite_pass.name.split()[0]}.out").open("w+b")
    process = subprocess.Popen(
        suite_pass.command,
        cwd=REPOSITORY,
        env=suite_env(),
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    return Running(suite_pass, process, output, time.monotonic())


def finish(running: Running, started_at: float) -> PassResult:
    """Wait for a started pass; say when it ended."""
    return finish_all([running], started_at)[0]


def finish_all(runs: Sequence[Running], started_at: float) -> list[PassResult]:
    """Wait for all the started passes, each timed when it ended (whichever ends first), and
    say so as each one ends; the results in the order of `runs`."""
    results: dict[int, PassResult] = {}
    while len(results) < len(runs):
        for index, running in enumerate(runs):
            status = running.process.poll() if index not in results else None
            if status is None:
                continue
            ended = time.monotonic()
            results[index] = PassResult(running.suite_pass.name, status, ended - running.started)
            print(f"[{ended - started_at:4.0f} s] {results[index].describe()}", flush=True)
        if len(results) < len(runs):
            time.sleep(POLL_S)
    return [results[index] for index in range(len(runs))]


def stop_pass(process: subprocess.Popen[bytes]) -> None:
    """End a pass this run started: SIGINT (pytest takes it as Ctrl+C and tears its fixtures
    down, so their displays and sound servers go too), SIGKILL if it is still there after
    `STOP_GRACE_S`."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def print_output(running: Running) -> None:
    """The whole output of a pass, under a title."""
    print(f"\n======== {running.suite_pass.name}: its output ========", flush=True)
    running.output.seek(0)
    sys.stdout.buffer.write(running.output.read())
    sys.stdout.buffer.flush()


def run_passes(passes: Sequence[Pass], schedule: str) -> list[PassResult]:
    """Run the passes together (`beside`) or each once the one before passed (`after`);
    print each pass's output whole once all have ended."""
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, not {schedule!r}")
    started_at = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aiff-passes-") as temporary:
        folder = Path(temporary)
        print(f"{' and '.join(p.name for p in passes)}: {schedule} ...", flush=True)
        runs: list[Running] = []
        results: list[PassResult] = []
        try:
            if schedule == "beside":
                runs = [start(p, folder) for p in passes]
                results = finish_all(runs, started_at)
            else:
                for suite_pass in passes:
                    if results and results[-1].status != 0:
                        results.append(PassResult(suite_pass.name, None, 0.0))
                        continue
                    runs.append(start(suite_pass, folder))
                    results.append(finish(runs[-1], started_at))
        finally:
            for running in runs:
                if running.process.poll() is None:  # interrupted: end what this run started
                    stop_pass(running.process)
            for running in runs:
                print_output(running)
                running.output.close()
    return results


def exit_status(results: Sequence[PassResult]) -> int:
    """0 when every pass ran and passed, else the first failure's status."""
    return next((r.status for r in results if r.status), 0) or 0


def summary(results: Sequence[PassResult], schedule: str) -> str:
    """One line: each pass's wall time and verdict."""
    return f"test passes ({schedule}): " + "; ".join(r.describe() for r in results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="xdist workers, parallel pass")
    parser.add_argument("--lanes", type=int, default=2, help="xdist workers, serial pass")
    parser.add_argument("--schedule", choices=SCHEDULES, default="beside")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    passes = [
        parallel_pass(args.workers, args.pytest_args),
        serial_pass(args.lanes, args.pytest_args),
    ]
    results = run_passes(passes, args.schedule)
    print(summary(results, args.schedule), flush=True)
    return exit_status(results)


if __name__ == "__main__":
    sys.exit(main())
