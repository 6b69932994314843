"""A child process driven over stdin/stdout lines, for the tests that press real X keys into a
window in another process: it prints what happened (``FOCUSED …``, ``VERDICT …``), the test
sends commands (``focus NAME``) and waits for a line."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class LineChild:
    """The child process, its X display, and the lines it printed so far."""

    process: subprocess.Popen[str]
    display: str
    lines: list[str] = field(default_factory=list)
    incoming: queue.Queue[str] = field(default_factory=queue.Queue)

    def start_reading(self) -> None:
        """Read the child's stdout on a thread, so that `expect` can time out."""

        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.incoming.put(line)

        threading.Thread(target=pump, daemon=True).start()

    def send(self, text: str) -> None:
        """One command line to the child."""
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def expect(self, prefix: str, timeout_s: float = 10.0) -> str:
        """The next line starting with ``prefix`` (stripped); AssertionError after the time."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.incoming.get(timeout=left)
            except queue.Empty:
                break
            self.lines.append(line)
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"no {prefix} line; got {self.lines[-10:]}")

    def focus(self, name: str) -> str:
        """Give the named field the keyboard focus; the child's FOCUSED line's widget name."""
        self.send(f"focus {name}")
        line = self.expect("FOCUSED")
        assert line.endswith("True"), line
        return line.split()[2]

    def close(self, timeout_s: float = 20.0) -> None:
        """End the child: close its stdin (it quits), kill it if it does not within the time."""
        if self.process.poll() is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def start_line_child(
    command: Sequence[str], env: dict[str, str], cwd: Path, display: str = ""
) -> LineChild:
    """Start `command` with its stdin and stdout as line pipes (stderr dropped) and read its
    lines; `display` is its X display ("" for a child without windows)."""
    process = subprocess.Popen(
        list(command),
        env=env,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    child = LineChild(process, display)
    child.start_reading()
    return child
