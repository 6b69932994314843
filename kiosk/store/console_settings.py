"""The console's per-event choices (projector screen, audio device), kept in the event folder.

`console-settings.json` beside `event.toml`: plain JSON, written atomically (a temporary file
renamed over the old one), so a crash never leaves half a file. Unknown or broken content is
logged and ignored: the console then falls back to its defaults.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from kiosk.core.console_settings import ConsoleSettings

log = logging.getLogger(__name__)

FILE_NAME = "console-settings.json"


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def read_console_settings(root: Path) -> ConsoleSettings:
    """The stored choices of the event in `root` (defaults if none or unreadable)."""
    path = root / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ConsoleSettings()
    except (OSError, ValueError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return ConsoleSettings()
    if not isinstance(data, dict):
        return ConsoleSettings()
    return ConsoleSettings(
        projector_screen=_text_or_none(data.get("projector_screen")),
        audio_device=_text_or_none(data.get("audio_device")),
    )


def write_console_settings(root: Path, settings: ConsoleSettings) -> None:
    """Store the choices (atomically)."""
    path = root / FILE_NAME
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    temporary.replace(path)
