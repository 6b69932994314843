"""Real event servers and door stations as processes on 127.0.0.1, for the station tests.

Everything goes through the real command line (`serve`, `stations pair`, `join`) and real
processes; servers are killed with SIGKILL where a test says so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "main.py"
CHILD = Path(__file__).resolve().parent / "integration" / "station_child.py"


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """One CLI command as its own process."""
    return subprocess.run(
        [sys.executable, str(MAIN), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


@dataclass
class ServerProcess:
    """A running `serve` process."""

    proc: subprocess.Popen[str]
    port: int
    fingerprint: str
    vote_port: int = 0  # the phone vote page's real port (0: not served)

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug would."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (a clean stop)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    event_dir: Path,
    port: int = 0,
    timeout: float = 30,
    *,
    open_files: tuple[int, int] | None = None,
    extra_args: tuple[str, ...] = (),
) -> ServerProcess:
    """`serve --host 127.0.0.1 --port PORT`; returns once it listens (with the real port).

    ``open_files``: start it with this (soft, hard) RLIMIT_NOFILE, as a desktop session would."""
    limit = [] if open_files is None else ["prlimit", "--nofile={}:{}".format(*open_files), "--"]
    proc = subprocess.Popen(
        [
            *limit,
            sys.executable,
            str(MAIN),
            "--event",
            str(event_dir),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--vote-port",
            "0",  # tests never take the vote page's real port (8080)
            *extra_args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    real_port = vote_port = 0
    fingerprint = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"serve exited with {proc.wait()} before listening")
        if line.startswith("listening on port "):
            real_port = int(line.split()[-1])
        if line.startswith("vote page: "):
            vote_port = int(line.strip().rsplit(":", 1)[-1])
        if line.startswith("certificate SHA-256 "):
            fingerprint = line.split()[-1]
        if real_port and fingerprint:
            os.set_blocking(proc.stdout.fileno(), False)
            return ServerProcess(proc, real_port, fingerprint, vote_port)
    proc.kill()
    raise RuntimeError("serve did not start in time")


def pair_station(event_dir: Path, name: str, station_dir: Path) -> dict[str, object]:
    """`stations pair NAME --json` on the console side, then `join` on the door side."""
    paired = run_cli("--event", str(event_dir), "stations", "pair", name, "--json")
    assert paired.returncode == 0, paired.stderr
    data: dict[str, object] = json.loads(paired.stdout)
    joined = run_cli("--station-dir", str(station_dir), "join", str(data["payload"]))
    assert joined.returncode == 0, joined.stderr
    return data


def start_station(
    station_dir: Path,
    codes: list[str],
    out: Path,
    *,
    pause_ms: int = 0,
    drain_s: float = 60,
    start_at: float = 0.0,
    scan_timeout_s: float | None = None,
) -> subprocess.Popen[str]:
    """A door station process scanning ``codes`` in order (see station_child.py); a scan waits
    ``scan_timeout_s`` for the server (the door's own 1 s unless given)."""
    codes_file = out.with_suffix(".codes")
    codes_file.write_text("\n".join(codes) + "\n")
    return subprocess.Popen(
        [
            sys.executable,
            str(CHILD),
            str(station_dir),
            str(codes_file),
            str(out),
            str(pause_ms),
            str(drain_s),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ
        | {"STATION_START_AT": str(start_at)}
        | ({} if scan_timeout_s is None else {"STATION_SCAN_TIMEOUT_S": str(scan_timeout_s)}),
    )


def read_results(out: Path) -> list[dict[str, object]]:
    """The JSON lines a station child wrote, one per scan (only whole lines: the child may be
    writing the next one while a test polls)."""
    if not out.exists():
        return []
    text = out.read_text()
    whole = text[: text.rfind("\n") + 1]
    return [json.loads(line) for line in whole.splitlines() if line.strip()]
