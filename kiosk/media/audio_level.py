"""How a film's gain in dB and the operator's master volume become libvlc settings.

Measured at the real audio output (PulseAudio null sink and ALSA, VLC 3.0.24; see
tests/integration/test_listening.py and docs/dev/playback-notes.md):

* `audio_set_volume(v)` is *cubic*: the output changes by 60·log10(v/100) dB (50 → −18 dB,
  171 → +14 dB, 200 → +18 dB). It is right for the operator's master fader (perceptual, like
  every desktop's) and wrong for a gain in dB taken as a linear percentage.
* The equalizer (`libvlc_audio_equalizer_set_preamp`, −20..+20 dB, all bands at 0 dB) is
  linear in dB but carries a fixed −12.04 dB (its input factor of 0.25; VLC's own "flat"
  preset sets the preamp to +12 dB to make up for it): preamp P plays at P − 12.04 dB.

So a film's gain G goes to the preamp as G + 12.04 dB while that stays within −20..+20 dB,
i.e. for G between −32.04 and +7.96 dB; the rest of G (only for very quiet or very loud
films) is folded into the volume through its cubic law, on top of the master volume. The
master volume alone never changes the preamp, so the operator's fader stays separate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EQUALIZER_OFFSET_DB = 20 * math.log10(0.25)  # -12.04 dB: what libvlc's equalizer takes away
PREAMP_MIN_DB = -20.0
PREAMP_MAX_DB = 20.0
MAX_VOLUME = 200  # libvlc's ceiling: +18 dB through the cubic law
VOLUME_DB_PER_DECADE = 60.0  # cubic: 20·log10(x³)


@dataclass(frozen=True)
class OutputLevel:
    """libvlc's settings for one film, and the gain they really give it."""

    preamp_db: float  # the equalizer preamp to set
    volume: int  # audio_set_volume: master volume times what the preamp could not carry
    gain_db: float  # the film's gain these settings give (the master volume not counted)
    asked_db: float  # the gain that was asked for

    @property
    def limited(self) -> bool:
        """True when libvlc cannot give the gain asked for (beyond about −80..+26 dB)."""
        return abs(self.gain_db - self.asked_db) > 0.05


def volume_db(volume: float) -> float:
    """The output change of a libvlc volume (cubic), in dB; -inf for 0."""
    return VOLUME_DB_PER_DECADE * math.log10(volume / 100) if volume > 0 else -math.inf


def master_db(master_percent: float) -> float:
    """What the operator's master volume (0-100 %) does to every film, in dB."""
    return volume_db(master_percent)


def output_level(gain_db: float, master_percent: float = 100.0) -> OutputLevel:
    """The preamp and volume that play a film at `gain_db` under the master volume.

    libvlc's volume is a whole number: where the volume has to carry part of the gain, it is
    rounded away from zero and the preamp takes back the difference, so the gain stays exact.
    """
    master = round(max(0.0, min(100.0, master_percent)))
    wanted = gain_db - EQUALIZER_OFFSET_DB  # the preamp that alone would give the gain
    preamp = max(PREAMP_MIN_DB, min(PREAMP_MAX_DB, wanted))
    if master == 0 or preamp == wanted:
        return OutputLevel(
            round(preamp, 2), master, round(preamp + EQUALIZER_OFFSET_DB, 2), gain_db
        )
    rest_db = wanted - preamp  # what the volume has to carry
    exact = master * 10 ** (rest_db / VOLUME_DB_PER_DECADE)
    volume = max(0, min(MAX_VOLUME, math.ceil(exact) if rest_db > 0 else math.floor(exact)))
    if volume == 0:
        return OutputLevel(round(preamp, 2), 0, -math.inf, gain_db)
    given_rest = volume_db(volume) - volume_db(master)
    preamp = max(PREAMP_MIN_DB, min(PREAMP_MAX_DB, wanted - given_rest))
    given = preamp + EQUALIZER_OFFSET_DB + given_rest
    return OutputLevel(round(preamp, 2), volume, round(given, 2), gain_db)
