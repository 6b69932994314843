"""Timing faults of libvlc's PulseAudio output, injected into a player process on purpose.

    faults = build_pulse_faults(tmp_path)                 # compiles tests/pulse_faults.c
    env = {**env, **faults.env(drain_short_ms=100, flush_late_ms=60)}
    ... run the app with env ...
    faults.injected(stderr)                                 # {"drain-short": 3, "flush-late": 4}

What they reproduce (docs/dev/testing.md, "The straight cut's 10 ms burst"): libvlc 3.0.24
corks a film's stream at its end after sleeping for the latency it estimates, and a short
estimate leaves the film's last samples in the corked stream; stopping the player later
uncorks the stream before flushing it, and what the server plays in between is heard. On a
loaded machine both happen now and then (one run of the straight cut in about ten); with
`drain_short_ms` and `flush_late_ms` they happen at every film's end and every stop.

`pause_late_ms`: every pause a player is asked for reaches libvlc's input that much later (the
caller returns at once). Under load the priming pause lands late now and then, and the film
being primed plays on until it does (docs/dev/testing.md, "A film primed where one was
stopped"); here it lands late every time. Nothing else of libvlc or PulseAudio is changed:
the sound is real, heard through the real server.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE = Path(__file__).with_name("pulse_faults.c")
CC = shutil.which("cc") or shutil.which("gcc")

requires_cc = pytest.mark.skipif(
    CC is None, reason="needs a C compiler for tests/pulse_faults.c (make deps installs gcc)"
)

_INJECTED = re.compile(r"^PA-FAULT (\S+) ", re.MULTILINE)


@dataclass(frozen=True)
class PulseFaults:
    """The compiled fault library: the environment that injects its faults into a process."""

    library: Path

    def env(
        self,
        *,
        drain_short_ms: int = 0,
        flush_late_ms: int = 0,
        pause_late_ms: int = 0,
        trace: bool = False,
    ) -> dict[str, str]:
        """Variables for the player's process (LD_PRELOAD and the faults' sizes); `trace`
        reports the player's PulseAudio calls on stderr (lines "PA-TRACE <monotonic s> <call>")."""
        return {
            "PA_TRACE": "1" if trace else "0",
            "LD_PRELOAD": str(self.library),
            "PA_FAULT_DRAIN_SHORT_MS": str(drain_short_ms),
            "PA_FAULT_FLUSH_LATE_MS": str(flush_late_ms),
            "PA_FAULT_PAUSE_LATE_MS": str(pause_late_ms),
        }

    @staticmethod
    def injected(stderr: str) -> Counter[str]:
        """How many times each fault was injected, from the process's stderr."""
        return Counter(_INJECTED.findall(stderr))


def build_pulse_faults(folder: Path) -> PulseFaults:
    """Compile tests/pulse_faults.c into a shared library in `folder`."""
    assert CC is not None
    library = folder / "pulse_faults.so"
    subprocess.run(
        [CC, "-shared", "-fPIC", "-O2", "-Wall", "-o", str(library), str(SOURCE), "-ldl"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return PulseFaults(library)
