"""The event server as a child process of the console (`python main.py serve`).

The server runs as its own process, so a problem in the console never takes the doors down
with it, nor the other way round. The console starts it when the operator asks (or when the
event has paired stations) and stops it when it closes, if it started it.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

from kiosk.services.child_process import niced

log = logging.getLogger(__name__)


class EventServerProcess:
    """The event server this console started for one event (at most one at a time)."""

    def __init__(self, event_root: Path) -> None:
        self._event_root = event_root
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The process id of the server started here while it runs (None otherwise)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def started_here(self) -> bool:
        """Whether this console started a server (it may have ended since)."""
        return self._process is not None

    def start(self, port: int | None = None) -> None:
        """Start `python main.py serve` for this event, unless the one started here runs."""
        if self._process is not None and self._process.poll() is None:
            return
        command = [sys.executable, "-m", "kiosk", "--event", str(self._event_root), "serve"]
        if port is not None:
            command += ["--port", str(port)]
        # at nice 10 from its first instruction, not only once its modules are loaded: the
        # operator may start it during the show
        self._process = subprocess.Popen(
            niced(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        log.info("started the event server (pid %d)", self._process.pid)

    def stop(self) -> None:
        """Stop the server started here (a server started elsewhere is left alone)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.info("stopped the event server (pid %d)", process.pid)


def port_answers(host: str, port: int) -> bool:
    """Whether something accepts a connection at host:port (0.2 s at most)."""
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False
