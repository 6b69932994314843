"""A short test tone on one audio output, so the projectionist hears which output is which
before choosing it (the Outputs dialog's "Test" button).

The tone goes out through the show's libvlc instance like the films (same output module), on a
player of its own so it never touches the film players. The WAV lives in ``assets/sounds/``;
if it is missing it is synthesised with the wave module.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import wave
from pathlib import Path
from typing import Any

from kiosk.media.sting import ensure_sound

log = logging.getLogger(__name__)

SAMPLE_RATE = 48000
TONE_HZ = 440.0
TONE_S = 1.0
TONE_DBFS = -18.0  # clearly heard, never a shock through a hall's amplifier
EDGE_S = 0.02  # fade in and out: no click
TONE_PATH = Path(__file__).resolve().parents[2] / "assets" / "sounds" / "test-tone.wav"


def render_tone_wav() -> bytes:
    """16-bit mono PCM WAV: one second of 440 Hz at -18 dBFS with 20 ms fades."""
    count = int(SAMPLE_RATE * TONE_S)
    edge = int(SAMPLE_RATE * EDGE_S)
    peak = 32767 * 10 ** (TONE_DBFS / 20)
    pcm = []
    for n in range(count):
        envelope = min(1.0, n / edge, (count - 1 - n) / edge)
        pcm.append(round(peak * envelope * math.sin(2 * math.pi * TONE_HZ * n / SAMPLE_RATE)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{count}h", *pcm))
    return buffer.getvalue()


class TonePlayer:
    """Plays the test tone on a chosen output device; never raises (a test must not stop a
    show). `plays` counts the tones started (for tests and the log)."""

    def __init__(self, instance: Any, path: Path | None = None) -> None:
        self._instance = instance
        self._path = path
        self._player: Any = None
        self.plays = 0

    def play(self, device: str | None) -> None:
        """Start the tone from the beginning on `device` (None or "": the default output)."""
        self.plays += 1
        try:
            # a fresh player each time: after stop() libvlc 3 forgets the device chosen and
            # the next tone went to the system's default (measured with two PulseAudio sinks)
            self.close()
            path = self._path or ensure_sound(TONE_PATH, render_tone_wav)
            self._player = self._instance.media_player_new()
            self._player.set_media(self._instance.media_new(str(path)))
            if device:
                self._player.audio_output_device_set(None, device)
            self._player.audio_set_volume(100)
            self._player.play()
            log.info("test tone on %s", device or "the default output")
        except Exception:
            log.warning("could not play the test tone on %s", device, exc_info=True)

    def playing(self) -> bool:
        """True while a tone is being played."""
        if self._player is None:
            return False
        import vlc

        return bool(self._player.get_state() == vlc.State.Playing)

    def finished(self) -> bool:
        """True once the last tone started has played to its end (or failed)."""
        if self._player is None:
            return self.plays > 0  # it could not even start
        import vlc

        return bool(self._player.get_state() in (vlc.State.Ended, vlc.State.Error))

    def close(self) -> None:
        """Stop and release the player."""
        if self._player is not None:
            try:
                self._player.stop()
                self._player.release()
            except Exception:
                log.debug("test tone player release failed", exc_info=True)
            self._player = None
