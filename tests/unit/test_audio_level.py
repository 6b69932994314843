"""The mapping from a film's gain and the master volume to libvlc's preamp and volume.

The laws themselves (cubic volume, the equalizer's -12.04 dB) are measured at the real output
by tests/integration/test_listening.py; this checks the arithmetic built on them.
"""

from __future__ import annotations

import math

import pytest

from kiosk.media.audio_level import EQUALIZER_OFFSET_DB, master_db, output_level, volume_db


def test_volume_is_cubic() -> None:
    assert volume_db(50) == pytest.approx(-18.06, abs=0.01)
    assert volume_db(200) == pytest.approx(18.06, abs=0.01)
    assert volume_db(0) == -math.inf
    assert master_db(100) == 0


@pytest.mark.parametrize("gain", [-32.0, -18.6, -3.0, 0.0, 1.2, 7.9])
def test_gains_in_the_preamp_range_use_the_preamp_alone(gain: float) -> None:
    level = output_level(gain, 100)
    assert level.volume == 100
    assert level.preamp_db == pytest.approx(gain - EQUALIZER_OFFSET_DB, abs=0.01)
    assert level.gain_db == pytest.approx(gain, abs=0.01) and not level.limited


def test_the_master_volume_never_moves_the_preamp() -> None:
    assert output_level(-6, 40).preamp_db == output_level(-6, 100).preamp_db
    assert output_level(-6, 40).volume == 40


@pytest.mark.parametrize(("gain", "master"), [(22.0, 100), (14.0, 60), (-40.0, 100)])
def test_gains_beyond_the_preamp_go_through_the_volume_by_its_cubic_law(
    gain: float, master: float
) -> None:
    level = output_level(gain, master)
    assert abs(level.preamp_db) > 19.5  # the preamp at its end, the volume carries the rest
    assert level.gain_db == pytest.approx(gain, abs=0.1)
    assert not level.limited


def test_a_gain_libvlc_cannot_give_is_said_to_be_limited() -> None:
    level = output_level(30.0, 100)  # +7.96 by the preamp, at most +18.06 by the volume
    assert level.volume == 200
    assert level.gain_db == pytest.approx(26.02, abs=0.05) and level.limited


def test_silence_at_master_zero() -> None:
    assert output_level(3.0, 0).volume == 0
