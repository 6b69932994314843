"""The audio device the show's sound goes to, and how a libvlc player is sent to it.

The operator chooses one device in the Outputs dialog; the films, the room's music and the
reveal's sting all play on it. libvlc 3 keeps that choice per player and per audio output, not
per instance: a player made later, a player given a new audio output (after the sound server
or the device went), or a stopped player plays on the system's default device unless it is
given the choice again (measured with PulseAudio: docs/dev/playback-notes.md, "Sound").
Each owner of players keeps one `ChosenDevice` and gives it every player it makes or reopens.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)


class ChosenDevice:
    """The device chosen for the show's sound ("" until chosen: the system's default), and
    the one way it is applied to a libvlc media player."""

    def __init__(self) -> None:
        self.device_id = ""

    def choose(self, device_id: str, players: Iterable[Any]) -> None:
        """Remember `device_id` (one of libvlc's `audio_output_device_enum` ids) and send the
        `players` that exist now to it."""
        self.device_id = device_id
        for player in players:
            self.apply(player)

    def apply(self, player: Any) -> None:
        """Send `player`'s sound to the chosen device (nothing when none was chosen). Called
        for a new player, and for one whose audio output was made anew."""
        if self.device_id:
            player.audio_output_device_set(None, self.device_id)

    def reopen(self, player: Any, module: str) -> None:
        """Give `player` a new audio output of libvlc's `module` (e.g. "pulse"; "" keeps the
        output it has), then the chosen device again (a new output starts on the default)."""
        if module and player.audio_output_set(module) != 0:
            log.warning("libvlc refused a new audio output %r", module)
        self.apply(player)
