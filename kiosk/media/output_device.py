"""The audio device the show's sound goes to, how a libvlc player is sent to it, and how it is
silenced (`silence_player`).

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


def silence_player(player: Any) -> None:
    """Mute a libvlc player twice over (mute and volume 0): before it is stopped or reloaded,
    and wherever a player must make no sound.

    libvlc 3.0.24's stop flushes the film's PulseAudio stream, and its flush first uncorks a
    corked stream: a film paused (or at its end, `:play-and-pause`) with samples still queued
    plays them until the flush lands. Measured: 10 ms of the film cut away from at full level,
    0.34 s into the next one, in about one straight-cut run in ten; at every stop once the
    timing is forced (tests/pulse_faults.py). Mute and volume are the stream's own at the
    server, so a muted stream's leftovers are silent however the stop goes
    (docs/dev/testing.md, "The straight cut's burst"). A player without an audio output
    refuses both (libvlc 3 keeps no volume for it): logged, since its next sound would start
    at full level."""
    player.audio_set_mute(True)
    if player.audio_set_volume(0) != 0:
        log.warning("libvlc refused to silence a player (no audio output)")
