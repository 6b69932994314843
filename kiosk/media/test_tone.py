"""The test tone: a steady 1 kHz sine at -18 dBFS, played through libvlc like the films.

One tone for both places a projectionist tests the sound: the Outputs dialog's "Test tone"
(which output is which, before choosing one) and the booth checklist's sound line (the chosen
output heard in the hall). It goes out through the show's libvlc instance, on a player of its
own so it never touches the film players, to the device asked for. The WAV is synthesised with
the wave module into a temporary file the first time it is played.
"""

from __future__ import annotations

import logging
import math
import struct
import tempfile
import wave
from enum import Enum
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TONE_HZ = 1000.0  # the usual alignment tone
TONE_SECONDS = 3.0
TONE_DBFS = -18.0  # the usual alignment level: clearly heard, never a shock through an amplifier
SAMPLE_RATE = 48000
EDGE_S = 0.02  # fade in and out: no click


class ToneState(Enum):
    """Where the test tone stands."""

    IDLE = "idle"
    PLAYING = "playing"
    ENDED = "ended"
    FAILED = "failed"


def write_tone_wav(path: Path) -> Path:
    """Write the tone (16-bit stereo PCM, 20 ms fades) to `path`."""
    count = int(SAMPLE_RATE * TONE_SECONDS)
    edge = int(SAMPLE_RATE * EDGE_S)
    amplitude = 32767 * 10 ** (TONE_DBFS / 20)
    frames = bytearray()
    for n in range(count):
        envelope = min(1.0, n / edge, (count - 1 - n) / edge)
        value = round(amplitude * envelope * math.sin(2 * math.pi * TONE_HZ * n / SAMPLE_RATE))
        frames += struct.pack("<hh", value, value)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(frames))
    return path


class TonePlayer:
    """Plays the test tone on a libvlc instance to a chosen device; never raises (a sound test
    must not stop the console or the show). Poll `state()` (cheap) to know when it has played;
    `plays` counts the tones started (for tests and the log)."""

    def __init__(self, instance: Any) -> None:
        self._instance = instance
        self._player: Any = None
        self._path: Path | None = None
        self._failed = False
        self.device = ""  # the device of the last play ("" = the system's default)
        self.plays = 0

    def play(self, device: str | None) -> None:
        """Start the tone from the beginning on `device` (None or "": the default output)."""
        self.device = device or ""
        self.plays += 1
        self._failed = False
        try:
            if self._path is None:
                folder = Path(tempfile.mkdtemp(prefix="aiff-tone-"))
                self._path = write_tone_wav(folder / "tone-1khz.wav")
            # a fresh player every time: libvlc 3 forgets the chosen device when a player is
            # stopped and played again (the tone came out of the default sink)
            self.close()
            self._player = self._instance.media_player_new()
            self._player.set_media(self._instance.media_new(str(self._path)))
            if device:
                self._player.audio_output_device_set(None, device)
            self._player.audio_set_volume(100)
            if self._player.play() != 0:
                raise OSError("libvlc refused to play the tone")
            log.info("test tone playing on %s", device or "the default output")
        except Exception:
            log.warning("could not play the test tone on %s", device, exc_info=True)
            self._failed = True

    def state(self) -> ToneState:
        """Playing, ended, failed, or idle (never played)."""
        if self._failed:
            return ToneState.FAILED
        if self._player is None:
            return ToneState.IDLE
        import vlc

        state = self._player.get_state()
        if state == vlc.State.Error:
            return ToneState.FAILED
        if state == vlc.State.Ended:
            return ToneState.ENDED
        return ToneState.PLAYING  # opening, buffering, playing (or not yet past `stop`)

    def playing(self) -> bool:
        """True while a tone is being played."""
        return self.state() is ToneState.PLAYING

    def finished(self) -> bool:
        """True once the last tone started has played to its end (or failed)."""
        return self.plays > 0 and self.state() in (ToneState.ENDED, ToneState.FAILED)

    def close(self) -> None:
        """Stop and release the player."""
        if self._player is not None:
            try:
                self._player.stop()
                self._player.release()
            except Exception:
                log.debug("tone player release failed", exc_info=True)
            self._player = None
