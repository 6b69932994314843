"""The console's remembered choices per event (the windows' way to them; see
kiosk.store.console_settings)."""

from __future__ import annotations

from kiosk.services.event import EventFolder
from kiosk.store.console_settings import (
    ConsoleSettings,
    read_console_settings,
    write_console_settings,
)

__all__ = ["ConsoleSettings", "load_console_settings", "save_console_settings"]


def load_console_settings(folder: EventFolder) -> ConsoleSettings:
    """The projector screen and audio device chosen for this event (defaults if none)."""
    return read_console_settings(folder.root)


def save_console_settings(folder: EventFolder, settings: ConsoleSettings) -> None:
    """Remember the choices for this event."""
    write_console_settings(folder.root, settings)
