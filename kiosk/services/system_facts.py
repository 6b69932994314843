"""Facts about this laptop that the booth checklist reads from system tools.

Each reader runs one short command (bounded by a timeout) and returns what it found, or None
when the tool is missing or cannot answer here — never raises for that. They block, so the
console calls them from a worker thread, never from the GUI thread.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence

from kiosk.core.booth_lines import Monitor, OutputModes, parse_monitors, parse_output_modes

log = logging.getLogger(__name__)

TOOL_TIMEOUT_S = 5.0


def _run(command: Sequence[str], env: Mapping[str, str] | None = None) -> str | None:
    """The command's standard output, or None if it is missing, fails or takes too long."""
    tool = shutil.which(command[0])
    if tool is None:
        log.info("%s is not installed", command[0])
        return None
    try:
        result = subprocess.run(
            [tool, *command[1:]],
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_S,
            check=False,
            env=dict(env) if env is not None else None,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("%s did not answer: %s", command[0], exc)
        return None
    if result.returncode != 0:
        log.info("%s failed: %s", " ".join(command), result.stderr.strip()[:200])
        return None
    return result.stdout


def display_monitors() -> tuple[list[Monitor], list[OutputModes]] | None:
    """The X server's monitors and each output's modes (None: no X display to ask).

    Qt names its screens after these monitors, so the projector chosen with O is found here
    under the same name."""
    if not os.environ.get("DISPLAY"):
        return None
    listed = _run(["xrandr", "--listmonitors"])
    if listed is None:
        return None
    modes = _run(["xrandr", "--query"]) or ""
    return parse_monitors(listed), parse_output_modes(modes)


def sound_outputs() -> list[str] | None:
    """The sound server's output (sink) names, which are libvlc's PulseAudio device ids; None
    when no sound server answers (or `pactl` is not installed)."""
    listed = _run(["pactl", "list", "short", "sinks"])
    if listed is None:
        return None
    return [row.split("\t")[1] for row in listed.splitlines() if row.count("\t") >= 1]


def clock_synchronised() -> bool | None:
    """Whether systemd says the clock is NTP-synchronised (None: timedatectl cannot tell)."""
    answer = _run(["timedatectl", "show", "--property=NTPSynchronized", "--value"])
    if answer is None:
        return None
    value = answer.strip().lower()
    return True if value == "yes" else False if value == "no" else None
