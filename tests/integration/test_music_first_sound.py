"""The music's first sound is at its fade's level (issue 22): the room's music players
(`MusicPlayers`, real libvlc, in `tests/integration/music_start_child.py`) heard through a real
PulseAudio null sink and recorded with `parec`, judged in 10 ms windows.

Measured before the fix: every track started at libvlc's full volume for 30-40 ms and only
then dropped to its fade's first step (-30 dBFS, then -54, then the rise), because the players
were `stop()`ped between tracks and libvlc 3's stop throws the audio output away: the level set
before `play` was refused. With the Qt thread late by 300 ms (a loaded machine) the full-level
start lasted 300 ms. So three starts, each a steady tone of its own from its first sample:

* `first`: a deck's first track, fading in over 1 s;
* `again`: the same deck's next track after the first was stopped (the intermission music
  after the doors music), with the fade's first step held back 300 ms;
* `beside`: the other deck's first track while `again` plays (a crossfade's new track), its
  first step held back 300 ms as well.

For each, every 10 ms window from the play on is no louder than the fade allows at that time
(`TIME_SLACK_S` and `LEVEL_SLACK_DB` of slack for the two clocks), and the sound never drops
while it fades in (a start above the fade's level drops to it at the fade's first step).
The child's clock is mapped onto the capture's at the moment `first` is stopped: its tone's
last loud window (a click where another track starts can touch every tone's bin faintly).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kiosk.media.music_tracks import MusicSpec
from tests.film_cache import FilmCache
from tests.line_child import LineChild, start_line_child
from tests.sound_capture import (
    RATE,
    FloatArray,
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
TONES = {"first": 2200, "again": 1000, "beside": 3000}  # multiples of 100 Hz, far apart
TRACK_S = 5.0
TRACK_DBFS = -24.0  # the tone's peak; the players add 0 dB
FADE_IN_S = 1.0
LATE_STEP_MS = 300  # the Qt thread busy this long after `play`: the fade's first step late
WINDOW_S = 0.01
HEARD_DBFS = -70.0  # a window at or above this holds the track's tone
LOUD_DBFS = TRACK_DBFS - 16  # the stopped track's last window this loud anchors the clocks
TIME_SLACK_S = 0.05  # a window may be as loud as the fade is this much later ...
LEVEL_SLACK_DB = 2.0  # ... and this much louder
DROP_DB = 3.0  # while it fades in, no window this far under the loudest one before it ...
DROP_FROM_DBFS = -60.0  # ... once one this loud was heard (a faint click is not a start)
HOLD_S = 0.4  # each track heard this long after its fade-in (its full level: from 0.1 s on)
GAP_S = 0.2  # the capture grows this much between a stop and the next play


@dataclass(frozen=True)
class Capture:
    """Per 10 ms window, each tone's level (dBFS); when each track was played (capture
    seconds)."""

    levels: dict[str, FloatArray]
    played: dict[str, float]
    stopped: dict[str, float]


def fade_db(elapsed_s: float) -> float:
    """The fade-in's level `elapsed_s` after the play, in dB under the track's full level
    (the players' equal-power rise: a quarter sine in amplitude)."""
    share = min(1.0, max(0.0, elapsed_s / FADE_IN_S))
    return 20 * math.log10(math.sin(math.pi / 2 * share)) if share > 0 else -math.inf


def full_db(levels: FloatArray, played_s: float, until_s: float) -> float:
    """The track's level once faded in: the median of its windows from the fade's end."""
    steady = levels[round((played_s + FADE_IN_S + 0.1) / WINDOW_S) : round(until_s / WINDOW_S)]
    assert len(steady) >= 10, f"only {len(steady)} windows at full level"
    return float(np.median(steady))


def above_the_fade(levels: FloatArray, played_s: float, full: float) -> list[str]:
    """The windows of the fade-in louder than the fade allows then."""
    found = []
    first, last = round(played_s / WINDOW_S), round((played_s + FADE_IN_S) / WINDOW_S)
    for index in range(max(0, first), min(len(levels), last)):
        if levels[index] < HEARD_DBFS:
            continue
        elapsed = (index + 1) * WINDOW_S - played_s + TIME_SLACK_S
        allowed = full + fade_db(elapsed) + LEVEL_SLACK_DB
        if levels[index] > allowed:
            found.append(f"{elapsed - TIME_SLACK_S:.2f} s: {levels[index]:.1f} > {allowed:.1f}")
    return found


def drops(levels: FloatArray, played_s: float) -> list[str]:
    """The windows of the fade-in `DROP_DB` under the loudest window before them."""
    found = []
    first, last = round(played_s / WINDOW_S), round((played_s + FADE_IN_S) / WINDOW_S)
    loudest = -math.inf
    for index in range(max(0, first), min(len(levels), last)):
        if loudest >= DROP_FROM_DBFS and levels[index] < loudest - DROP_DB:
            found.append(f"{(index + 1) * WINDOW_S - played_s:.2f} s: {levels[index]:.1f} "
                         f"after {loudest:.1f}")  # fmt: skip
        loudest = max(loudest, float(levels[index]))
    return found


@pytest.fixture(scope="module")
def tracks(film_cache: FilmCache, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("music-first-sound")
    return {
        name: film_cache.music(
            MusicSpec((hz,), TRACK_S, volume_db=TRACK_DBFS, edge_fade_s=0), root / f"{name}.m4a"
        )
        for name, hz in TONES.items()
    }


def _faded_in(child: LineChild, deck: int, wav: Path, timeout_s: float = 20.0) -> None:
    """Poll the deck's amplitude until its fade-in is over, then the capture until it has
    grown by `HOLD_S` (parec records in real time): the track heard at its full level."""
    deadline = time.monotonic() + timeout_s
    while True:
        child.send(f"level {deck}")
        if float(child.expect(f"LEVEL {deck}").split()[2]) >= 1.0:
            break
        assert time.monotonic() < deadline, f"deck {deck} never faded in"
        time.sleep(0.05)
    wait_until_grown(wav, HOLD_S)


@pytest.fixture(scope="module")
def first_sounds(
    tracks: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Capture]:
    folder = tmp_path_factory.mktemp("music-first-sound-capture")
    wav = folder / "capture.wav"
    played: dict[str, float] = {}  # the child's clock
    stopped: dict[str, float] = {}
    with pulse_server(folder) as pulse:
        env = {**os.environ, **pulse.env}
        env.pop("KIOSK_VLC_AOUT", None)  # libvlc finds the PulseAudio server by itself
        with record(pulse, wav):
            command = [sys.executable, "-m", "tests.integration.music_start_child"]
            child = start_line_child([*show_priority(), *command], env, ROOT)
            try:
                child.expect("READY", 60)
                for name, deck, late_ms in (("first", 0, 0), ("again", 0, LATE_STEP_MS)):
                    child.send(f"play {deck} {tracks[name]} {FADE_IN_S} {late_ms}")
                    played[name] = float(child.expect(f"PLAYED {deck}", 20).split()[2])
                    _faded_in(child, deck, wav)
                    if name == "first":
                        child.send(f"stop {deck}")
                        stopped[name] = float(child.expect(f"STOPPED {deck}").split()[2])
                        wait_until_grown(wav, GAP_S)  # the stop's click well before the next start
                child.send(f"play 1 {tracks['beside']} {FADE_IN_S} {LATE_STEP_MS}")
                played["beside"] = float(child.expect("PLAYED 1", 20).split()[2])
                _faded_in(child, 1, wav)
                quitting = time.monotonic()  # the same clock as the child's
                stopped.update(again=quitting, beside=quitting)  # the players close at quit
            finally:
                child.close()
    sound = read_capture(wav)
    levels = tone_levels(sound, list(TONES.values()), WINDOW_S)
    by_name = {name: levels[:, column] for column, name in enumerate(TONES)}
    gone = np.flatnonzero(by_name["first"] >= LOUD_DBFS)  # not a click of another start
    assert len(gone), "the first track was never heard"
    offset = (int(gone[-1]) + 1) * WINDOW_S - stopped["first"]  # child clock -> capture
    print(f"\n  capture {len(sound) / RATE:.2f} s; load {os.getloadavg()[0]:.1f}")
    yield Capture(
        by_name,
        {name: at + offset for name, at in played.items()},
        {name: at + offset for name, at in stopped.items()},
    )


@pytest.mark.parametrize("name", list(TONES))
def test_a_track_is_first_heard_at_its_fade_level(first_sounds: Capture, name: str) -> None:
    levels = first_sounds.levels[name]
    played = first_sounds.played[name]
    full = full_db(levels, played, first_sounds.stopped[name])
    heard = np.flatnonzero(levels[round(played / WINDOW_S) :] >= HEARD_DBFS)
    assert len(heard), f"{name} never heard"
    start = round(played / WINDOW_S) + int(heard[0])
    print(
        f"\n  {name}: first heard {(start + 1) * WINDOW_S - played:.2f} s after the play; "
        f"10 ms windows from there (dBFS): "
        + " ".join(f"{v:.0f}" for v in levels[start : start + 8])
        + f"; full {full:.1f}"
    )
    loud = above_the_fade(levels, played, full)
    assert not loud, f"{name} louder than its fade at {loud[:5]}"
    dropped = drops(levels, played)
    assert not dropped, f"{name} dropped while fading in at {dropped[:5]}"
