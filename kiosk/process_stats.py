"""A process's resident memory, open file descriptors and threads, read from /proc (Linux).

Used by the console's memory status line (its own process) and by the soak benchmark (the app
as a child process). Elsewhere than Linux there is no /proc: `read_process_stats` says None.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessStats:
    """One reading of a process."""

    rss_mb: float  # resident set size, MiB
    open_fds: int
    threads: int


def read_process_stats(pid: int | str = "self", proc: Path = PROC) -> ProcessStats | None:
    """Read `pid` (default: this process); None if /proc cannot tell (gone, not Linux)."""
    base = proc / str(pid)
    try:
        fields = dict(
            line.split(":", 1) for line in (base / "status").read_text().splitlines() if ":" in line
        )
        rss_kib = int(fields["VmRSS"].split()[0])
        threads = int(fields["Threads"])
        fds = len(os.listdir(base / "fd"))
    except (OSError, KeyError, ValueError, IndexError):
        return None
    return ProcessStats(rss_kib / 1024, fds, threads)
