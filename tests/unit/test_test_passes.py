"""The schedule of `make test`'s two passes (tools/test_passes.py), with small real processes in
place of pytest: started together or one after the other, each output printed whole and apart,
each exit status kept."""

from __future__ import annotations

import sys
import time

import pytest

from tools.test_passes import (
    Pass,
    exit_status,
    parallel_pass,
    run_passes,
    serial_pass,
    summary,
)


def child(name: str, code: str) -> Pass:
    return Pass(name, [sys.executable, "-c", code])


def talker(word: str, lines: int, status: int = 0, pause_s: float = 0.0) -> str:
    """A child printing `lines` numbered lines of `word` (pausing `pause_s` between them)."""
    return (
        "import sys, time\n"
        f"for i in range({lines}):\n"
        f"    print('{word}', i, flush=True)\n"
        f"    time.sleep({pause_s})\n"
        f"sys.exit({status})\n"
    )


def test_beside_starts_both_together_and_prints_each_output_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    passes = [
        child("first pass", talker("alpha", 5, pause_s=0.1)),
        child("second pass", talker("beta", 5, pause_s=0.1)),
    ]
    started = time.monotonic()
    results = run_passes(passes, "beside")
    took = time.monotonic() - started
    out = capsys.readouterr().out
    assert [r.status for r in results] == [0, 0]
    # together: both took about half a second, the whole run well under the sum of the two
    assert all(r.wall_s >= 0.4 for r in results)
    assert took < sum(r.wall_s for r in results)
    # each output whole and apart: all of alpha's lines, then all of beta's
    alpha = out.index("======== first pass: its output")
    beta = out.index("======== second pass: its output")
    assert alpha < beta
    assert [f"alpha {i}" in out[alpha:beta] for i in range(5)] == [True] * 5
    assert "beta" not in out[alpha:beta]
    assert [f"beta {i}" in out[beta:] for i in range(5)] == [True] * 5
    assert exit_status(results) == 0


def test_beside_times_each_pass_when_it_ends_whichever_ends_first() -> None:
    """The second pass ending first is timed then, not when the first pass has ended too."""
    results = run_passes(
        [child("long", talker("l", 1, pause_s=1.5)), child("short", talker("s", 1))], "beside"
    )
    long_s, short_s = (r.wall_s for r in results)
    assert long_s >= 1.5
    assert short_s < long_s - 0.8, (short_s, long_s)


def test_beside_keeps_both_exit_statuses_and_fails_with_the_first_failure() -> None:
    results = run_passes(
        [child("parallel", talker("p", 1, status=0)), child("serial", talker("s", 1, status=3))],
        "beside",
    )
    assert [r.status for r in results] == [0, 3]
    assert exit_status(results) == 3
    line = summary(results, "beside")
    assert "parallel" in line and "passed" in line and "serial" in line and "exit 3" in line


def test_after_skips_the_serial_pass_when_the_parallel_pass_failed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = run_passes(
        [child("parallel", talker("p", 1, status=1)), child("serial", talker("s", 1))], "after"
    )
    assert [r.status for r in results] == [1, None]
    assert exit_status(results) == 1
    assert "serial: not run" in summary(results, "after")
    assert "s 0" not in capsys.readouterr().out


def test_after_runs_them_one_after_the_other(capsys: pytest.CaptureFixture[str]) -> None:
    code = "import time; print('start', time.monotonic(), flush=True); time.sleep(0.3)"
    results = run_passes([child("one", code), child("two", code)], "after")
    assert [r.status for r in results] == [0, 0]
    starts = [
        float(line.split()[1])
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("start ")
    ]
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.3


def test_the_passes_are_the_suites_markers_on_their_workers() -> None:
    parallel = parallel_pass(2).command
    assert parallel[parallel.index("-m", 3) + 1] == "not serial"
    assert parallel[parallel.index("-n") + 1] == "2"
    serial = serial_pass(2, ["-x"]).command
    assert serial[-3:] == ["-m", "serial", "-x"]
    assert "--dist" in serial
    assert "-n" not in serial_pass(1).command  # one lane: no xdist at all
