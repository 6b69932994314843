"""What every command module shares: progress on stderr, errors, JSON output, the event folder.

Command modules import from here, never from the package root, so the CLI has no import cycle.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, NoReturn

import click

from kiosk.store.event_folder import EventFolder


class ProgressLine:
    """A one-line progress bar on stderr (redrawn in place on a terminal, sparse otherwise)."""

    def __init__(self, label: str, *, enabled: bool = True) -> None:
        self.label = label
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self._last_reported = -1

    def __call__(self, done: int, total: int, item: str) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        elapsed = time.monotonic() - self.started
        line = (
            f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"{item:<8} {elapsed:5.1f}s"
        )
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if done == total else ""))
        elif done == total or done * 10 // total != self._last_reported:
            self._last_reported = done * 10 // total
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error for the operator and exit."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def folder_of(ctx: click.Context) -> EventFolder:
    """The event folder chosen by the global `--event` option."""
    folder: EventFolder = ctx.obj["folder"]
    return folder


def emit_json(data: Any) -> None:
    """Print one JSON object on stdout (CJK kept readable)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
