"""Verdict sounds: short tones made with the wave module, played with QSoundEffect.

Each verdict class has its own sound, so an usher looking at the queue still hears the answer:
a rising chime (welcome), two mid beeps (already in), a low buzz (refused), three falling tones
(full house). The WAV files live in ``assets/sounds/``; missing ones are generated on start.
Without an audio output (a test run, a laptop with no sound card) sounds are off, with one log
line, and nothing else changes.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.core.checkin import Verdict

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050
ASSET_SOUNDS_DIR = Path(__file__).resolve().parents[3] / "assets" / "sounds"


@dataclass(frozen=True)
class ToneSpec:
    """A short sequence of notes: (frequency Hz, seconds) pairs, a gap, a waveform, a volume."""

    notes: tuple[tuple[float, float], ...]
    gap_s: float = 0.03
    square: bool = False
    volume: float = 0.6


SOUNDS: dict[str, ToneSpec] = {
    "admitted": ToneSpec(((880.0, 0.09), (1318.5, 0.16))),
    "already": ToneSpec(((659.3, 0.12), (659.3, 0.12)), gap_s=0.08, volume=0.7),
    "refused": ToneSpec(((196.0, 0.42),), square=True, volume=0.45),
    "full": ToneSpec(((523.3, 0.13), (392.0, 0.13), (261.6, 0.22)), square=True, volume=0.4),
}


def sound_for(verdict: Verdict) -> str:
    """The sound name for a verdict."""
    if verdict is Verdict.ADMITTED:
        return "admitted"
    if verdict is Verdict.ALREADY_CHECKED_IN:
        return "already"
    if verdict is Verdict.CAPACITY_REACHED:
        return "full"
    return "refused"


def render_wav(spec: ToneSpec) -> bytes:
    """16-bit mono PCM WAV bytes for a tone sequence, with 5 ms fades against clicks."""
    samples: list[int] = []
    fade = int(SAMPLE_RATE * 0.005)
    for index, (frequency, seconds) in enumerate(spec.notes):
        count = int(SAMPLE_RATE * seconds)
        for n in range(count):
            phase = math.sin(2 * math.pi * frequency * n / SAMPLE_RATE)
            value = (1.0 if phase >= 0 else -1.0) * 0.6 if spec.square else phase
            envelope = min(1.0, n / fade, (count - n) / fade)
            samples.append(round(32767 * spec.volume * envelope * value))
        if index < len(spec.notes) - 1:
            samples.extend([0] * int(SAMPLE_RATE * spec.gap_s))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def ensure_sound_files(folder: Path | None = None) -> dict[str, Path]:
    """The WAV file of every sound, writing missing ones (into a temporary folder if needed)."""
    folder = folder or ASSET_SOUNDS_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = {name: folder / f"{name}.wav" for name in SOUNDS}
        for name, path in paths.items():
            if not path.is_file():
                path.write_bytes(render_wav(SOUNDS[name]))
    except OSError as exc:
        fallback = Path(tempfile.mkdtemp(prefix="aiff-sounds-"))
        log.warning("cannot write sounds to %s (%s); using %s", folder, exc, fallback)
        return ensure_sound_files(fallback)
    return paths


class SoundBoard(QObject):
    """Plays the verdict sounds; silent (with a log line) when there is no audio output."""

    def __init__(
        self, folder: Path | None = None, *, enabled: bool = True, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._effects: dict[str, QSoundEffect] = {}
        self.played: list[str] = []  # every sound asked for, also when silent (for tests)
        if not enabled:
            log.info("verdict sounds are switched off")
            return
        if not QMediaDevices.audioOutputs():
            log.info("no audio output found: verdict sounds are off")
            return
        for name, path in ensure_sound_files(folder).items():
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(1.0)
            self._effects[name] = effect

    def play(self, verdict: Verdict) -> None:
        """The sound of a verdict (never raises: a broken speaker must not stop the doors)."""
        name = sound_for(verdict)
        self.played.append(name)
        effect = self._effects.get(name)
        if effect is None:
            return
        try:
            effect.stop()
            effect.play()
        except RuntimeError:
            log.warning("could not play the %s sound", name, exc_info=True)
