"""The reveal's sting: a drum roll into a bright chord, played through libvlc like the films.

The sound goes out through the same libvlc instance as the films, at the show's master volume,
on the audio device the operator chose for the films (the projector gives it to the sting too:
a libvlc player does not take another player's device). The WAV lives in ``assets/sounds/``; if it
is missing it is synthesised with the wave module (no sound library needed).
"""

from __future__ import annotations

import io
import logging
import math
import random
import struct
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.media.output_device import ChosenDevice

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050
STING_PATH = Path(__file__).resolve().parents[2] / "assets" / "sounds" / "sting.wav"
ROLL_S = 1.9  # the drum roll before the chord
CHORD_S = 2.6  # the chord's ring-out
_CHORD_HZ = (130.81, 261.63, 329.63, 392.00, 523.25)  # C major, with the octave below


def render_sting_wav() -> bytes:
    """16-bit mono PCM WAV: a crescendo timpani roll, then a C-major hit with a cymbal wash."""
    rng = random.Random(2026)  # the same sound every time
    roll_n = int(SAMPLE_RATE * ROLL_S)
    chord_n = int(SAMPLE_RATE * CHORD_S)
    samples = [0.0] * (roll_n + chord_n)
    strike_every = int(SAMPLE_RATE * 0.052)
    for n in range(roll_n):
        t = n / SAMPLE_RATE
        since = (n % strike_every) / SAMPLE_RATE
        crescendo = 0.15 + 0.85 * (n / roll_n) ** 1.6
        hit = math.exp(-since * 38)
        drum = 0.7 * math.sin(2 * math.pi * 73.4 * t) + 0.3 * math.sin(2 * math.pi * 110 * t)
        noise = rng.uniform(-1, 1) * 0.25
        samples[n] = crescendo * hit * (drum + noise) * 0.55
    previous = 0.0
    for n in range(chord_n):
        t = n / SAMPLE_RATE
        attack = min(1.0, t / 0.012)
        decay = math.exp(-t * 1.5)
        tone = 0.0
        for index, frequency in enumerate(_CHORD_HZ):
            for harmonic in (1, 2, 3):
                weight = (0.9 if index else 0.6) / harmonic**1.4
                tone += weight * math.sin(2 * math.pi * frequency * harmonic * t + index)
        # a cymbal: bright noise (first difference of white noise) that dies away
        white = rng.uniform(-1, 1)
        cymbal = (white - previous) * 0.35 * math.exp(-t * 2.2)
        previous = white
        samples[roll_n + n] = attack * (decay * tone / 7.0 + cymbal)
    peak = max(abs(s) for s in samples) or 1.0
    fade = int(SAMPLE_RATE * 0.3)
    pcm = []
    for n, value in enumerate(samples):
        tail = min(1.0, (len(samples) - n) / fade)
        pcm.append(round(32767 * 0.89 * tail * value / peak))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{len(pcm)}h", *pcm))
    return buffer.getvalue()


def ensure_sound(path: Path, render: Callable[[], bytes]) -> Path:
    """A generated sound's WAV file, written first if missing (to a temp dir if `path` is
    read-only)."""
    if path.is_file():
        return path
    data = render()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path
    except OSError as exc:
        fallback = Path(tempfile.mkdtemp(prefix="aiff-sound-")) / path.name
        log.warning("cannot write %s (%s); using %s", path, exc, fallback)
        fallback.write_bytes(data)
        return fallback


def ensure_sting(path: Path = STING_PATH) -> Path:
    """The sting's WAV file, written first if missing."""
    return ensure_sound(path, render_sting_wav)


class StingPlayer:
    """Plays the sting on the show's libvlc instance; never raises (a sound must not stop a show).

    `volume_percent` is read at each play, so it follows the show's master volume and mute;
    the audio device chosen with `set_audio_device` is kept and given to the player when it is
    made (at the first play) and after `reopen_audio`.
    """

    def __init__(self, instance: Any, path: Path | None = None) -> None:
        self._instance = instance
        self._path = path
        self._player: Any = None
        self._device = ChosenDevice()
        self.plays = 0  # how many times the sting was started (for tests and the log)

    def play(self, volume_percent: float = 100.0) -> None:
        """Start the sting from the beginning at `volume_percent` (0: silent, still counted)."""
        self.plays += 1
        try:
            if self._player is None:
                self._path = self._path or ensure_sting()
                self._player = self._instance.media_player_new()
                self._device.apply(self._player)
            # from the start with `set_media`, never `stop()`: libvlc 3's stop throws the
            # player's audio output away, the volume set next is refused, and the sting
            # played at full level whatever the show's volume, muted included
            # (docs/dev/playback-notes.md, "Sound")
            media = self._instance.media_new(str(self._path))
            self._player.set_media(media)
            media.release()
            if self._player.audio_set_volume(max(0, min(100, round(volume_percent)))) != 0:
                log.warning("libvlc refused the sting's volume (%.0f %%)", volume_percent)
            self._player.play()
        except Exception:  # a broken sound card or a missing file: log it, the reveal goes on
            log.warning("could not play the sting", exc_info=True)

    def set_audio_device(self, device_id: str) -> None:
        """Play the sting on `device_id` (the films' device; one of libvlc's
        `audio_output_device_enum` ids), from the next play on."""
        players = [] if self._player is None else [self._player]
        try:
            self._device.choose(device_id, players)
        except Exception:
            log.warning("could not send the sting to %s", device_id, exc_info=True)

    def reopen_audio(self, module: str) -> None:
        """A new audio output for the sting (after the sound server or device went), on the
        chosen device: the next `play` starts on it (see `FilmPlayers.reopen_audio`)."""
        if self._player is not None and module:
            try:
                self._device.reopen(self._player, module)
            except Exception:
                log.warning("could not give the sting a new audio output", exc_info=True)

    def close(self) -> None:
        """Stop and release the player."""
        if self._player is not None:
            try:
                self._player.stop()
                self._player.release()
            except Exception:
                log.debug("sting player release failed", exc_info=True)
            self._player = None
