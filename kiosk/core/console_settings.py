"""The console's per-event choices as plain data (the store keeps them in the event folder)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsoleSettings:
    """What the projectionist chose for this event (None: the default)."""

    projector_screen: str | None = None
    audio_device: str | None = None
