"""The vote page as a real process on 127.0.0.1 (`main.py vote serve`), for the browser test and
the load benchmark; killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.store.event_folder import EventFolder

MAIN = Path(__file__).resolve().parents[1] / "main.py"
PORTS = range(18600, 18700)


def _my_ports() -> range:
    """This process's share of PORTS: under pytest-xdist each worker (gw0, gw1, ...) probes 20
    ports of its own, so two workers never both find a port free and start a server on it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        first = PORTS.start + int(worker[2:]) % 5 * 20
        return range(first, first + 20)
    return PORTS


def free_port() -> int:
    """A free port of the range the tests may use (18600-18699)."""
    for port in _my_ports():
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18600-18699")


@contextmanager
def vote_server(folder: EventFolder, timeout_s: float = 20.0) -> Iterator[str]:
    """Run `main.py vote serve` on a free port; yields its base URL; SIGKILL at the end."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(MAIN), "--event", str(folder.root), "vote", "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "KIOSK_VOTE_URL": f"http://127.0.0.1:{port}/"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(url + "/state", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"the vote server did not start: {error}")
            time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
