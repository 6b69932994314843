"""Keeps the show's sound output warm for the films: a libvlc player plays silence on the chosen
device when the console opens, after the device changes and after the output is reopened, then
rests paused with its sound stream still open.

Why (PulseAudio, measured: docs/dev/testing.md, "The first film's sound on a cold output"): an
output nothing is playing on renders up to its whole buffer ahead (about 2 s). The night's
first film is primed on such an output as the console opens; when its priming pause lands late,
libvlc starts its sound there, and when the sink's timing changes meanwhile (in the test: clients
attaching to its monitor) the stream falls a quarter second or more behind the film's clock; at
the cut libvlc finds it "way too late" and throws away everything it had queued: the opening film
was heard 0.02-0.22 s, then nothing. With something already playing on the output it was heard.
Priming starts once the output has played for `WARM_S` (`cold_for_s`, used by `FilmPlayers`), and
the open stream keeps the output at the films' latency after.

The silence is written once (`ensure_silence`, the wave module) and played muted at volume 0
(a player that never played holds both), so nothing can be heard whatever the file holds.
"""

from __future__ import annotations

import io
import logging
import time
import wave
from pathlib import Path
from typing import Any

from kiosk.media.output_device import ChosenDevice, silence_player
from kiosk.media.sting import ensure_sound

log = logging.getLogger(__name__)

SILENCE_RATE = 22050
HOLD_S = 8.0  # the silence played; the player then rests paused, its stream open
# PulseAudio's largest sink latency by default (the null sink's block, the ALSA sink's
# timer-scheduled buffer) is 2 s: an output played on this long has rendered past it
WARM_S = 2.5
SILENCE_PATH = Path(__file__).resolve().parents[2] / "assets" / "sounds" / "hold-silence.wav"


def render_silence_wav(seconds: float = HOLD_S) -> bytes:
    """16-bit mono PCM WAV of digital silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SILENCE_RATE)
        out.writeframes(bytes(2 * round(SILENCE_RATE * seconds)))
    return buffer.getvalue()


def ensure_silence(path: Path = SILENCE_PATH) -> Path:
    """The silence's WAV file, written first if missing."""
    return ensure_sound(path, render_silence_wav)


class OutputHold:
    """One silent libvlc player on the show's instance that warms the chosen output (`warm`)
    and says how long it still needs (`cold_for_s`). Never raises: a sound must not stop a
    show (a refusal is logged, and priming then waits no longer than `WARM_S`)."""

    def __init__(self, instance: Any, device: ChosenDevice, path: Path | None = None) -> None:
        self._instance = instance
        self._device = device
        self._path = path or ensure_silence()
        self._player: Any = instance.media_player_new()
        self._warm_at = 0.0
        self.warm()

    def warm(self, module: str = "") -> None:
        """Play the silence again on the chosen device (a new output of libvlc's `module` when
        one is named): the output is warm `WARM_S` from now."""
        self._warm_at = time.monotonic() + WARM_S
        try:
            # `set_media` ends the stream it had, so the device chosen now holds for the next
            # (libvlc 3 moves an open stream, and the player's next stream then opens on the
            # system's default: docs/dev/playback-notes.md, "Sound")
            media = self._instance.media_new_path(str(self._path))
            media.add_option(":no-video")
            media.add_option(":play-and-pause")  # at its end the stream stays open
            media.add_option(":file-caching=0")  # silence to play at once, not a second later
            self._player.set_media(media)
            media.release()
            self._device.reopen(self._player, module)
            silence_player(self._player)
            if self._player.play() != 0:
                log.warning("libvlc could not play the output hold's silence")
        except Exception:
            log.warning("could not warm the sound output", exc_info=True)

    def cold_for_s(self) -> float:
        """How long the output may still be cold (0: warm)."""
        return max(0.0, self._warm_at - time.monotonic())

    def close(self) -> None:
        """Stop and release the player."""
        try:
            self._player.stop()
            self._player.release()
        except Exception:
            log.debug("output hold release failed", exc_info=True)
