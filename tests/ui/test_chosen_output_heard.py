"""The films' sound, and the reveal's sting, go to the output the projectionist chose.

A private PulseAudio server has two null sinks: `cap`, the system's default (what a laptop's
own speakers would be), and `hall`, the hall's amplifier, chosen for this event in the
console's settings. The real console (`tests/ui/sound_console.py`) plays three short films in
a row under Xvfb, so each of its two players is used, emptied and used again (libvlc 3 keeps a
device chosen while a film's stream is open for that stream only: the players choose it again
before each film's `play()`). Then the night's sting (what the award reveal plays at each
presentation; its player is made at its first play, long after the device was chosen) is
played, and played again after the sound was reconnected (a new libvlc audio output, which
starts on the default device). `parec` records both sinks' monitors at once: every film must be
heard on `hall` at its level (ffmpeg ebur128), each sting's chord on `hall` too, and nothing at
all on the default sink.

A film primed into a player that was stopped must stay silent, and off the default sink, until
its cut: libvlc 3's stop destroys the player's audio output, and a film primed on a new one
played at full level until the priming pause (docs/dev/testing.md, "A film primed where one was
stopped"). The pause normally lands within a few ms, before the sound
starts; `test_a_primed_film_is_silent_until_its_cut_when_its_pause_is_late` makes every pause
land `PAUSE_LATE_MS` late (tests/pulse_faults.py), so each film primes on, playing, that long,
and judges 10 ms windows by tone: every film, the first one primed as the console opens
included, must be heard through its cut.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.console_settings import ConsoleSettings
from kiosk.media.generate import ClipSpec
from kiosk.media.sting import CHORD_S, ROLL_S
from kiosk.store.console_settings import write_console_settings
from kiosk.store.event_folder import EventFolder
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache
from tests.pulse_faults import build_pulse_faults, requires_cc
from tests.sound_capture import (
    RATE,
    SINK,
    FloatArray,
    PulseServer,
    film_runs,
    loudness_lufs,
    off_tone_levels,
    pactl,
    pulse_server,
    read_capture,
    record,
    requires_pulseaudio,
    tone_levels,
    wait_until_grown,
    wait_until_heard,
)
from tests.ui.sound_console import SoundConsole, sound_console
from tests.xvfb import Monitor, requires_xvfb, xvfb_display

pytestmark = [
    requires_xvfb,
    requires_pulseaudio,
    pytest.mark.vlc,
    pytest.mark.slow,
    pytest.mark.serial,  # a real-time capture
]

CONSOLE = Monitor("CONSOLE", 1366, 768)
PROJECTOR = Monitor("PROJECTOR", 640, 360, x=1366)
HALL = "hall"
TONES = {"F1": 500, "F2": 800, "F3": 1250}  # three films: each player used twice
FILM_S = 3.0
WINDOW_S = 0.05
HEARD_DBFS = -45.0  # a film's tone (about -22 LUFS) sits near -21 dBFS
SILENT_DBFS = -80.0  # nothing of any film on the default sink: not even a faint leak
STING_CHORD_HZ = (261.63, 392.0)  # the sting's chord (C4, G4): -19 and -21 dBFS in its WAV
STING_HEARD_DBFS = -30.0
AFTER_RECONNECT = "after a reconnect"  # a new audio output, as after the sound server went
STINGS = ("after the device was chosen", AFTER_RECONNECT)
# the late-pause night: tones far apart, for 10 ms windows (the tone's main lobe is ±200 Hz,
# its probes at ×1.5 and ÷1.5 clear of it and of the other films' tones)
PRIMED_TONES = {"P1": 800, "P2": 2000, "P3": 4000}
PRIMED_FILM_S = 2.0
PAUSE_LATE_MS = 500  # each film primes on, playing, this long (its start is lost, muted)
PRIMED_WINDOW_S = 0.01
PRIMED_PROBE_RATIO = 1.5
PRIMED_BRIDGE_S = 0.2
LEAK_DBFS = -60.0  # a window counts as the film heard before its cut (37 dB under its level)


@pytest.fixture
def two_sink_pulse(tmp_path: Path) -> Iterator[PulseServer]:
    """`cap` the system's default, `hall` the hall's amplifier (a second null sink)."""
    with pulse_server(tmp_path) as pulse:
        pactl(pulse, "load-module", "module-null-sink", f"sink_name={HALL}",
              "sink_properties=device.description=Hall_amplifier")  # fmt: skip
        pactl(pulse, "set-default-sink", SINK)
        yield pulse


def three_film_night(
    root: Path, film_cache: FilmCache, tones: dict[str, int] = TONES, seconds: float = FILM_S
) -> EventFolder:
    """Films of `seconds`, one per tone, 1 s title cards, the sound sent to `hall`."""
    tables = []
    for film_id, tone in tones.items():
        spec = ClipSpec((film_id,), seconds, 320, 180, tone_hz=tone)
        tables.append(
            film_toml(film_id, film_cache.render(spec, root / "films" / f"{film_id}.mp4"))
        )
    event = write_event(root / "event", tables)
    toml = event.root / "event.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "title_card_seconds = 3", "title_card_seconds = 1"
        ),
        encoding="utf-8",
    )
    write_console_settings(event.root, ConsoleSettings(audio_device=HALL))
    return event


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg (ebur128)")
def test_films_in_a_row_and_the_sting_are_heard_on_the_chosen_output_only(
    two_sink_pulse: PulseServer, tmp_path: Path, film_cache: FilmCache
) -> None:
    event = three_film_night(tmp_path, film_cache)
    hall_wav, default_wav = tmp_path / "hall.wav", tmp_path / "default.wav"
    with (
        xvfb_display(
            CONSOLE.width + PROJECTOR.width, 768, monitors=[CONSOLE, PROJECTOR]
        ) as display,
        sound_console(display, event, two_sink_pulse) as console,
    ):
        console.expect(r"^READY", 60)
        with (
            record(two_sink_pulse, hall_wav, sink=HALL),
            record(two_sink_pulse, default_wav, sink=SINK),
        ):
            console.command("go")
            for film_id in TONES:
                assert console.expect(r"^FILM (\S+)", 30).group(1) == film_id
            # the last film heard to its end on the hall's output (or the wait says why not)
            wait_until_heard(hall_wav, TONES["F3"], FILM_S - 0.5, 20, HEARD_DBFS)
            wait_until_grown(hall_wav, 1.0)  # the last film's end, before the sting
            starts = []  # where each capture stood as each sting was started
            for when in STINGS:
                if when == AFTER_RECONNECT:
                    console.command("reconnect")
                    console.expect(r"^RECONNECTED", 10)
                # the two parec did not start at the same instant: each capture's own length
                starts.append((len(read_capture(hall_wav)), len(read_capture(default_wav))))
                console.command("sting")
                console.expect(r"^STING", 10)
                wait_until_grown(hall_wav, ROLL_S + CHORD_S + 0.5)
    hall, default = read_capture(hall_wav), read_capture(default_wav)
    sting_problems = []
    for index, (when, (hall_at, default_at)) in enumerate(zip(STINGS, starts, strict=True)):
        hall_end, default_end = starts[index + 1] if index + 1 < len(starts) else (None, None)
        sting_problems += judge_sting(when, hall[hall_at:hall_end], default[default_at:default_end])
    hall, default = hall[: starts[0][0]], default[: starts[0][1]]
    tones = list(TONES.values())
    runs = film_runs(
        tone_levels(hall, tones, WINDOW_S),
        WINDOW_S,
        HEARD_DBFS,
        -60.0,
        off_tone=off_tone_levels(hall, tones, WINDOW_S),
    )
    on_default = tone_levels(default, tones, WINDOW_S).max(axis=0)
    default_lufs = loudness_lufs(default_wav, 0.0, len(default) / RATE)
    print(f"\n  (load average {os.getloadavg()[0]:.1f})")
    problems = []
    for (film_id, tone), run, leak in zip(TONES.items(), runs, on_default, strict=True):
        lufs = (
            loudness_lufs(hall_wav, run.start_s + 0.3, run.end_s - 0.3)
            if run.end_s - run.start_s > 1.0
            else float("-inf")
        )
        print(
            f"  {film_id} {tone:5d} Hz: heard {run.heard_s:.2f} s of {FILM_S:g} on '{HALL}' at "
            f"{lufs:.1f} LUFS; loudest on the default sink {leak:.0f} dBFS"
        )
        if run.heard_s < FILM_S - 0.5:
            problems.append(f"{film_id} heard {run.heard_s:.2f} s on the chosen output")
        if not -30.0 <= lufs <= -15.0:  # the film's own level, about -22 LUFS
            problems.append(f"{film_id} at {lufs:.1f} LUFS on the chosen output")
        if leak > SILENT_DBFS:
            problems.append(f"{film_id} heard on the default sink ({leak:.0f} dBFS)")
    print(f"  the default sink's capture during the films: {default_lufs:.1f} LUFS")
    if default_lufs > -60.0:  # ebur128 says -70.0 for pure silence
        problems.append(f"the default sink carried sound: {default_lufs:.1f} LUFS")
    assert not [*problems, *sting_problems], [*problems, *sting_problems]


def judge_sting(when: str, hall: FloatArray, default: FloatArray) -> list[str]:
    """What is wrong with one sting's part of both captures: its chord must be heard on the
    hall's output, and nothing of it on the default sink."""
    on_hall = tone_levels(hall, STING_CHORD_HZ, WINDOW_S).max(axis=0)
    on_default = tone_levels(default, STING_CHORD_HZ, WINDOW_S).max(axis=0)
    hall_dbfs, default_dbfs = on_hall.round().tolist(), on_default.round().tolist()
    print(
        f"  the sting {when}, its chord {STING_CHORD_HZ} Hz: loudest on '{HALL}' "
        f"{hall_dbfs} dBFS, on the default sink {default_dbfs} dBFS"
    )
    problems = []
    if on_hall.min() < STING_HEARD_DBFS:
        problems.append(f"the sting {when}: not heard on the chosen output ({hall_dbfs} dBFS)")
    if on_default.max() > SILENT_DBFS:
        problems.append(f"the sting {when}: heard on the default sink ({default_dbfs} dBFS)")
    return problems


def _night_heard(
    pulse: PulseServer,
    event: EventFolder,
    tones: dict[str, int],
    steady_s: float,
    hall_wav: Path,
    default_wav: Path,
    extra_env: dict[str, str] | None = None,
) -> str:
    """Run the event's films in a row on the real console, recording both sinks until the last
    film has been heard `steady_s` on `hall`; the console's stderr."""
    with (
        xvfb_display(
            CONSOLE.width + PROJECTOR.width, 768, monitors=[CONSOLE, PROJECTOR]
        ) as display,
        sound_console(display, event, pulse, extra_env) as console,
    ):
        console.expect(r"^READY", 60)
        # the captures attach to the sinks while the console primes its first film (clients
        # coming to the output as the night opens: with the first film's pause late they left
        # its sound behind its clock, and libvlc flushed it at the cut: docs/dev/testing.md,
        # "The first film's sound on a cold output")
        with record(pulse, hall_wav, sink=HALL), record(pulse, default_wav, sink=SINK):
            # and GO once it is primed, as on the night (the console opens long before GO)
            console.wait_until_primed()
            console.command("go")
            for film_id in tones:
                assert console.expect(r"^FILM (\S+)", 30).group(1) == film_id
            # the last film heard to its end on the hall's output (or the wait says why not)
            last_tone = list(tones.values())[-1]
            wait_until_heard(hall_wav, last_tone, steady_s, 20, HEARD_DBFS)
        return _stderr(console)


def _stderr(console: SoundConsole) -> str:
    """All the console child said on stderr so far (its log; the fault library's lines)."""
    said = console.stderr_tail(count=1_000_000)
    print(said[-3000:])
    return said


@requires_cc
@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg (ebur128)")
def test_a_primed_film_is_silent_until_its_cut_when_its_pause_is_late(
    two_sink_pulse: PulseServer, tmp_path: Path, film_cache: FilmCache
) -> None:
    event = three_film_night(tmp_path, film_cache, PRIMED_TONES, PRIMED_FILM_S)
    faults = build_pulse_faults(tmp_path)
    hall_wav, default_wav = tmp_path / "hall.wav", tmp_path / "default.wav"
    stderr = _night_heard(
        two_sink_pulse,
        event,
        PRIMED_TONES,
        PRIMED_FILM_S - PAUSE_LATE_MS / 1000 - 0.5,
        hall_wav,
        default_wav,
        faults.env(pause_late_ms=PAUSE_LATE_MS),
    )
    injected = faults.injected(stderr)
    print(f"\n  faults injected: {dict(injected)} (load average {os.getloadavg()[0]:.1f})")
    # every film's priming pause came late: a pass is not the fault missing
    assert injected["pause-late"] >= len(PRIMED_TONES), injected
    hall, default = read_capture(hall_wav), read_capture(default_wav)
    tones = list(PRIMED_TONES.values())
    runs = film_runs(
        tone_levels(hall, tones, PRIMED_WINDOW_S),
        PRIMED_WINDOW_S,
        HEARD_DBFS,
        LEAK_DBFS,
        bridge_s=PRIMED_BRIDGE_S,
        off_tone=off_tone_levels(hall, tones, PRIMED_WINDOW_S, ratio=PRIMED_PROBE_RATIO),
    )
    on_default = tone_levels(default, tones, PRIMED_WINDOW_S).max(axis=0)
    problems = []
    for (film_id, tone), run, leak in zip(PRIMED_TONES.items(), runs, on_default, strict=True):
        print(
            f"  {film_id} {tone:5d} Hz: heard {run.start_s:.2f}-{run.end_s:.2f} s "
            f"({run.heard_s:.2f} s) on '{HALL}', before its cut {run.early_s:.2f} s (loudest "
            f"{run.early_peak_dbfs:.0f} dBFS); loudest on the default sink {leak:.0f} dBFS"
        )
        # the first film too: primed as the console opens, on an output nothing had played on
        # (docs/dev/testing.md, "The first film's sound on a cold output")
        if run.heard_s < PRIMED_FILM_S - PAUSE_LATE_MS / 1000 - 0.5:
            problems.append(f"{film_id} heard {run.heard_s:.2f} s on the chosen output")
        if run.early_s > 0:
            problems.append(f"{film_id} heard {run.early_s:.2f} s before its cut")
        if leak > SILENT_DBFS:
            problems.append(f"{film_id} heard on the default sink ({leak:.0f} dBFS)")
    assert not problems, problems
