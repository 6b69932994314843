"""The vote page as a real process on 127.0.0.1 (`main.py vote serve`), for the browser test and
the load benchmark; killed with SIGKILL."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.store.event_folder import EventFolder

MAIN = Path(__file__).resolve().parents[1] / "main.py"
LISTENING = re.compile(r"listening on port (\d+)$")


def free_port() -> int:
    """A port the system says is free now (bound to port 0 and let go): for a server whose
    command cannot take `--port 0` itself (the console's OSC port), or to hold one taken."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def vote_server(folder: EventFolder, timeout_s: float = 20.0) -> Iterator[str]:
    """Run `main.py vote serve --port 0` (the server takes any free port and prints which: two
    lanes or two checkouts never race for one); yields its base URL; SIGKILL at the end."""
    process = subprocess.Popen(
        [sys.executable, str(MAIN), "--event", str(folder.root), "vote", "serve",
         "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        port = _port_it_listens_on(process, timeout_s)
        url = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(url + "/state", timeout=timeout_s) as response:
            assert response.status == 200, response.status
        yield url
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def _port_it_listens_on(process: subprocess.Popen[str], timeout_s: float) -> int:
    """The port from the server's `listening on port N` line (read on a thread: bounded)."""
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            found.put(line.strip())
        found.put("")  # the server ended

    threading.Thread(target=read, name="vote-server-stdout", daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = found.get(timeout=left)
        except queue.Empty:
            break
        if match := LISTENING.match(line):
            return int(match.group(1))
        if not line and process.poll() is not None:
            break
    process.kill()
    error = process.stderr.read() if process.stderr else ""
    raise RuntimeError(f"the vote server did not start: {error}")
