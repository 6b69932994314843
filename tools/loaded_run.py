"""Run what `make test` runs (both test passes) with the machine made busy, and say what it cost.

    python -m tools.loaded_run [--busy N] [--workers W] [--lanes L] [--schedule S]
                               [--serial-only] [--busy-for S] [-- PYTEST ARGS...]

starts N busy-loop processes (each one spins a core; they stop by themselves after `--busy-for`
seconds and are killed when the run ends, whatever happens), runs the suite's passes as
`make test` does (`tools/test_passes.py`: the parallel pass on W workers and the real-time
tests, `-m serial`, on L lanes, side by side or one after the other), and prints one line:
pass or fail, each pass's wall time, the CPU the whole pytest tree used (its children's
rusage: every display, sound server and app process the tests started and waited for), the
share of the machine's cores that was busy (from `/proc/stat`), and the load average.
`--serial-only` runs the serial pass alone (with PYTEST ARGS: some of its files, say).
`--busy 0` measures at idle. The exit status is 0 when every pass passed.
`make test-loaded` runs it with two busy loops (docs/dev/testing.md, "Lanes").
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.test_passes import (
    SCHEDULES,
    exit_status,
    parallel_pass,
    run_passes,
    serial_pass,
    summary,
)

BUSY_LOOP = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"


@dataclass(frozen=True)
class CpuTimes:
    """The machine's CPU counters (`/proc/stat`, first line) in clock ticks."""

    busy: int
    total: int

    @classmethod
    def now(cls) -> CpuTimes:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return cls(busy=sum(fields) - idle, total=sum(fields))

    def busy_share_since(self, earlier: CpuTimes) -> float:
        """The share of all cores' time that was busy between `earlier` and this reading."""
        total = self.total - earlier.total
        return (self.busy - earlier.busy) / total if total else 0.0


def start_busy_loops(count: int, seconds: float) -> list[subprocess.Popen[bytes]]:
    """`count` processes spinning a core each, for at most `seconds`."""
    code = BUSY_LOOP.format(seconds=seconds)
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(count)]


def stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """Kill the busy loops this run started (by their own ids) and reap them."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
    for process in processes:
        process.wait(timeout=10)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--busy", type=int, default=2, help="busy-loop processes (0: idle run)")
    parser.add_argument("--workers", type=int, default=2, help="xdist workers, parallel pass")
    parser.add_argument("--lanes", type=int, default=2, help="xdist workers, serial pass")
    parser.add_argument("--schedule", choices=SCHEDULES, default="beside")
    parser.add_argument("--serial-only", action="store_true", help="the serial pass alone")
    parser.add_argument(
        "--busy-for", type=float, default=3600, help="the busy loops end by themselves after this"
    )
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    passes = [serial_pass(args.lanes, args.pytest_args)]
    if not args.serial_only:
        passes.insert(0, parallel_pass(args.workers, args.pytest_args))
    loops = start_busy_loops(args.busy, args.busy_for)
    try:
        cpu_before = CpuTimes.now()
        started = time.monotonic()
        results = run_passes(passes, args.schedule)
        wall = time.monotonic() - started
        share = CpuTimes.now().busy_share_since(cpu_before)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # before the loops are reaped
    finally:
        stop(loops)
    status = exit_status(results)
    tree_cpu = usage.ru_utime + usage.ru_stime
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(
        f"loaded run: {'passed' if status == 0 else 'FAILED'}; {args.busy} busy loop(s); "
        f"{summary(results, args.schedule if len(passes) > 1 else 'alone')}; wall {wall:.0f} s; "
        f"pytest tree CPU {tree_cpu:.0f} s ({tree_cpu / wall:.2f} cores); machine busy "
        f"{share:.0%} of {os.cpu_count()} cores; load average {load}"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
