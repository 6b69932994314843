"""The reveal's sting plays at the show's volume (issue 22): `StingPlayer` (real libvlc, in
`tests/integration/sting_child.py`) heard through a real PulseAudio null sink with `parec`.

Before the fix the sting was `stop()`ped before each play, which throws libvlc 3's audio
output away: the volume set next was refused, and the sting played at full level whatever the
show's volume, muted (0) included. Here a steady tone stands in for the sting and is played at
100, 0 (the show muted) and 50 %, each play `HOLD_S` of capture long (the next play starts it
again from the beginning): the capture must hold exactly two runs of it, the second
`VOLUME_50_DB` under the first (libvlc's volume is cubic: 50 % is -18 dB), with the silence
of the muted play between them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from kiosk.media.music_tracks import MusicSpec
from tests.film_cache import FilmCache
from tests.line_child import start_line_child
from tests.sound_capture import (
    off_tone_levels,
    pulse_server,
    read_capture,
    record,
    requires_pulseaudio,
    show_priority,
    tone_levels,
    wait_until_grown,
)

pytestmark = [requires_pulseaudio, pytest.mark.vlc, pytest.mark.slow, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]
TONE_HZ = 700
SOUND_S = 3.0  # longer than a play lasts: a short file's end can cut its sound short in libvlc
SOUND_DBFS = -18.0
WINDOW_S = 0.05
HEARD_DBFS = -70.0
TONAL_DB = 15.0  # a tone this far above the spectrum beside it (not the click of a cut)
RUN_S = 0.2  # a run of the tone at least this long is one play heard
VOLUMES = (100, 0, 50)
VOLUME_50_DB = -18.06  # 60 * log10(0.5)
TOLERANCE_DB = 1.5
HOLD_S = 1.0  # the capture grows this much during each play


def test_the_sting_plays_at_the_volume_it_is_given(film_cache: FilmCache, tmp_path: Path) -> None:
    sound = film_cache.music(
        MusicSpec((TONE_HZ,), SOUND_S, volume_db=SOUND_DBFS, edge_fade_s=0), tmp_path / "s.m4a"
    )
    wav = tmp_path / "capture.wav"
    with pulse_server(tmp_path) as pulse:
        env = {**os.environ, **pulse.env}
        env.pop("KIOSK_VLC_AOUT", None)  # libvlc finds the PulseAudio server by itself
        with record(pulse, wav):
            command = [sys.executable, "-m", "tests.integration.sting_child", str(sound)]
            child = start_line_child([*show_priority(), *command], env, ROOT)
            try:
                child.expect("READY", 60)
                for volume in VOLUMES:
                    child.send(f"play {volume}")
                    child.expect(f"PLAYED {volume}", 20)
                    wait_until_grown(wav, HOLD_S)
            finally:
                child.close()
    capture = read_capture(wav)
    levels = tone_levels(capture, [TONE_HZ], WINDOW_S)[:, 0]
    probes = off_tone_levels(capture, [TONE_HZ], WINDOW_S)[:, 0]
    heard = np.flatnonzero((levels >= HEARD_DBFS) & (levels - probes >= TONAL_DB))
    runs = np.split(heard, np.flatnonzero(np.diff(heard) > 1) + 1) if len(heard) else []
    runs = [run for run in runs if len(run) * WINDOW_S >= RUN_S]
    medians = [float(np.median(levels[run])) for run in runs]
    seconds = [round(len(run) * WINDOW_S, 2) for run in runs]
    print(f"\n  runs of the tone: median dBFS {[round(m, 1) for m in medians]}, seconds {seconds}")
    assert len(runs) == 2, f"played at 100, 0 and 50 %: heard {len(runs)} times, {medians}"
    assert medians[0] >= SOUND_DBFS - 6  # at 100 %: the file's level (-3 dB in the capture)
    assert abs(medians[1] - medians[0] - VOLUME_50_DB) <= TOLERANCE_DB
