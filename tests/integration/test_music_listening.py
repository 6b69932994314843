"""Listen to the room's music: a night with doors, intermission and walk-out music, run in its
own process the way the console opens it (`tests/integration/music_child.py`: real stage
window under Xvfb, real libvlc), heard through a real PulseAudio server and recorded in real
time from its null sink with `parec`; killed with SIGKILL at the intermission and opened again.

Every sound has its own tone (doors 300 and 400 Hz, intermission 2200 Hz, walk-out 700 Hz, the films
1000 and 1500 Hz), so the capture says what was heard when:

* the doors music on the holding slide at the music's target (the films' -23 LUFS minus the
  plan's 8 LU), measured with ffmpeg's ebur128 within `LOUDNESS_TOLERANCE_LU`, its first track
  crossfading into the second (400 Hz) over the planned time, at the same loudness, no gap;
* after GO it fades and is silent within the fade time (+ `FADE_SLACK_S`), and before the first
  film's tone; the gap between the two is printed;
* never two sounds at once: no 50 ms window where a music tone and a film tone are both heard,
  unless a film's sound starts or stops inside it and the two meet in one 10 ms window only
  (one sound cut where the other begins: a sequence, not music under a film);
* the intermission music on the intermission slide, back after the crash and restore, and gone
  before the next film; the walk-out music on the End card;
* with PulseAudio killed under the walk-out music, the sound-loss alarm goes up, and the
  reconnect brings the music back when a server is there again.

One module-scoped night (about 30 s of real time) feeds every assertion: its capture ends once
the walk-out music is heard, and the sound-loss test then kills the sound server under that
same night, still on its End card. Figures are printed (pytest -s) for the report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kiosk.media.generate import ClipSpec
from kiosk.media.music_tracks import MusicSpec
from kiosk.services.preflight import run_preflight
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache
from tests.sound_capture import (
    RATE,
    FloatArray,
    PulseServer,
    loudness_lufs,
    off_tone_levels,
    pulse_server,
    read_capture,
    record,
    requires_pulseaudio,
    restart_pulse,
    show_priority,
    tone_levels,
    wait_until_heard,
)
from tests.xvfb import qt_env, requires_xvfb, xvfb_display

pytestmark = [
    requires_xvfb,
    requires_pulseaudio,
    pytest.mark.vlc,
    pytest.mark.slow,
    pytest.mark.serial,
]

ROOT = Path(__file__).resolve().parents[2]
FILMS_TARGET_LUFS = -23.0
OFFSET_LU = 8.0
MUSIC_TARGET_LUFS = FILMS_TARGET_LUFS - OFFSET_LU
FADE_S = 1.0
CARD_S = 2  # the music fades over 1 s of it: a clear gap before the film
FILM_S = 2.0  # a film here only has to be heard, after the music and before it
WINDOW_S = 0.05
FINE_WINDOW_S = 0.01  # every tone here is a multiple of 100 Hz: none leaks into another's bin
HEARD_DBFS = -50.0  # a tone at the music's -31 LUFS sits near -27 dBFS, a film's near -19
SILENT_DBFS = -70.0  # under this (or not standing out as a tone) a sound is gone
TONAL_DB = 15.0  # a tone this far above the spectrum beside it (not a click)
LOUDNESS_TOLERANCE_LU = 1.0
FADE_SLACK_S = 0.3  # the 50 ms windows at each end, parec's latency, the fade timer's steps
HOLD_S = 3.0  # how long each music slide is held for listening
WALK_OUT_S = 1.5  # the walk-out music heard this long (in 0.1 s windows) ends the capture

TONES = {"doors": 300, "doors2": 400, "intermission": 2200, "end": 700, "F1": 1000, "F2": 1500}
MUSIC = ("doors", "doors2", "intermission", "end")
LENGTHS = {"doors": 6.0, "end": 60.0}  # the first doors track ends while the slide is up: a
# crossfade; the walk-out music plays on through the sound-loss test
CROSSFADE_S = 2.0
FILMS = ("F1", "F2")


@pytest.fixture(scope="module")
def music_event(tmp_path_factory: pytest.TempPathFactory, film_cache: FilmCache) -> EventFolder:
    root = tmp_path_factory.mktemp("music-night")
    films = []
    for film_id in FILMS:
        spec = ClipSpec((film_id,), FILM_S, 320, 180, tone_hz=TONES[film_id])
        films.append(film_toml(film_id, film_cache.render(spec, root / "films" / f"{film_id}.mp4")))
    for name in MUSIC:
        # steady tones a few LU away from the target, so the gain has something to do
        track = MusicSpec((TONES[name],), LENGTHS.get(name, 20.0), volume_db=-24.0, edge_fade_s=0)
        film_cache.music(track, root / "event" / "music" / f"{name}.m4a")
    folder = write_event(root / "event", films, intermission_after="F1")
    event_toml = folder.root / "event.toml"
    event_toml.write_text(
        event_toml.read_text(encoding="utf-8").replace(
            "title_card_seconds = 3", f"title_card_seconds = {CARD_S}"
        ),
        encoding="utf-8",
    )
    with (folder.root / "programme.toml").open("a", encoding="utf-8") as programme:
        programme.write(
            "\n[music]\n"
            'doors = ["music/doors.m4a", "music/doors2.m4a"]\n'
            'intermission = ["music/intermission.m4a"]\n'
            'end = ["music/end.m4a"]\n'
            f"fade_seconds = {FADE_S}\n"
            f"crossfade_seconds = {CROSSFADE_S}\n"
            f"level_offset_lu = {OFFSET_LU}\n"
        )
    report = run_preflight(folder)
    measured = {c.file.name: (c.loudness_lufs, c.gain_db, c.ok) for c in report.music}
    print(f"\nmusic preflight (LUFS, gain dB, ok): {measured}")
    assert all(c.ok for c in report.music), measured
    return folder


class Night:
    """The night's process: started, driven by lines, killed."""

    def __init__(self, folder: EventFolder, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "tests.integration.music_child", str(folder.root)]
        self.process = subprocess.Popen(
            [*show_priority(), *command],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.opened = self.expect("READY", 90).split()[1]

    def expect(self, prefix: str, timeout_s: float = 20.0) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"the night's process ended ({self.process.poll()})")
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"no {prefix} line")

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def facts(self) -> dict[str, Any]:
        self.send("facts")
        found: dict[str, Any] = json.loads(self.expect("FACTS").removeprefix("FACTS "))
        return found

    def wait_for(self, timeout_s: float = 30.0, **wanted: object) -> dict[str, Any]:
        """Poll the facts until they match `wanted`."""
        deadline = time.monotonic() + timeout_s
        facts = self.facts()
        while any(facts.get(k) != v for k, v in wanted.items()):
            if time.monotonic() > deadline:
                raise AssertionError(f"waited for {wanted}, got {facts}")
            time.sleep(0.05)
            facts = self.facts()
        return facts

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def quit(self) -> None:
        with suppress(BrokenPipeError, OSError):
            self.send("quit")
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass(frozen=True)
class Run:
    """The capture and when (in its own seconds) the test did what; the night, still on its
    End card with the walk-out music playing, and its sound server."""

    wav: Path
    sound: FloatArray
    moments: dict[str, float]  # go_doors, killed, restarting, restored, go_intermission
    night: Night
    pulse: PulseServer


@pytest.fixture(scope="module")
def night_run(music_event: EventFolder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("music-capture")
    wav = folder / "capture.wav"
    moments: dict[str, float] = {}
    with pulse_server(folder) as pulse, xvfb_display(640, 360) as display:
        env = qt_env(display, KIOSK_VLC_VOUT="xcb_x11", **pulse.env)
        env.pop("KIOSK_VLC_AOUT", None)  # libvlc finds the PulseAudio server by itself
        started = time.monotonic()  # parec starts now: the capture's 0 s
        night: Night | None = None
        try:
            with record(pulse, wav):
                night = Night(music_event, env)
                assert night.opened == "fresh"
                night.wait_for(cue="holding", music="playing", moment="doors")
                night.wait_for(track="doors2")  # the first track crossfaded into the second
                time.sleep(HOLD_S)  # the doors slide, held for listening
                moments["go_doors"] = time.monotonic() - started
                night.send("go")
                night.wait_for(cue="intermission", music="playing", moment="intermission")
                time.sleep(HOLD_S)
                moments["killed"] = time.monotonic() - started
                night.kill()
                moments["restarting"] = time.monotonic() - started
                night = Night(music_event, env)
                moments["restored"] = time.monotonic() - started
                assert night.opened == "intermission"
                night.wait_for(music="playing", moment="intermission")
                time.sleep(HOLD_S)
                moments["go_intermission"] = time.monotonic() - started
                night.send("go")
                night.wait_for(cue="end", music="playing", moment="end")
                wait_until_heard(wav, TONES["end"], WALK_OUT_S, 20, HEARD_DBFS)
                leaving = time.monotonic() - started  # `record` stops parec 0.3 s from now
            sound = read_capture(wav)
            # parec's first sample comes a while after it starts (0.5-1.5 s under load):
            # anchor the capture's clock at its end instead, which is when parec was stopped
            capture_start = leaving + 0.3 - len(sound) / RATE
            print(
                f"\n  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the "
                f"capture began {capture_start:.2f} s after parec was started)"
            )
            # the night stays on its End card for the sound-loss test
            yield Run(wav, sound, {k: v - capture_start for k, v in moments.items()}, night, pulse)
        finally:
            if night is not None:
                night.quit()


@dataclass(frozen=True)
class Heard:
    """Per 50 ms window, whether each sound was heard (tonal, above the level)."""

    levels: FloatArray
    loud: dict[str, np.ndarray]  # at HEARD_DBFS
    faint: dict[str, np.ndarray]  # at SILENT_DBFS: anything of it at all
    fine: Heard | None = None  # the same in FINE_WINDOW_S windows

    def at_once(self, first: tuple[str, ...], second: tuple[str, ...]) -> np.ndarray:
        """Per window, whether something of `first` is heard while `second` is loud."""
        faint = np.logical_or.reduce([self.faint[n] for n in first])
        loud = np.logical_or.reduce([self.loud[n] for n in second])
        return np.asarray(faint & loud)

    def music_under_films(self) -> list[float]:
        """Where (seconds) music was heard under a film: a 50 ms window with both, and, where
        a film's sound starts or stops inside that window, two 10 ms windows in a row with both.
        A film's sound that stops where the music starts puts both in one 50 ms window (and
        in the one 10 ms window the cut falls in) without their ever sounding together:
        measured at load 12, a film's sound cut at 10.33 s, the intermission music from
        10.33 s. Inside a film the 50 ms windows judge alone (they hear faint music better)."""
        fine = self.fine
        assert fine is not None
        per = round(WINDOW_S / FINE_WINDOW_S)
        count = min(len(self.levels), len(fine.levels) // per)
        film = np.logical_or.reduce([fine.loud[f] for f in FILMS])[: count * per]
        film_whole = film.reshape(count, per).all(axis=1)
        both = fine.at_once(MUSIC, FILMS)[: count * per]
        in_a_row = both & (np.roll(both, 1) | np.roll(both, -1))
        sustained = in_a_row.reshape(count, per).any(axis=1)
        under = self.at_once(MUSIC, FILMS)[:count] & (film_whole | sustained)
        return [round(int(w) * WINDOW_S, 2) for w in np.flatnonzero(under)]

    def first(self, name: str, after_s: float = 0.0) -> float:
        start = int(after_s / WINDOW_S)
        found = np.flatnonzero(self.loud[name][start:])
        assert len(found), f"{name} never heard after {after_s:.2f} s"
        return (start + int(found[0])) * WINDOW_S

    def first_faint(self, name: str) -> float:
        found = np.flatnonzero(self.faint[name])
        assert len(found), f"{name} never heard"
        return int(found[0]) * WINDOW_S

    def last_faint(self, name: str, before_s: float) -> float:
        found = np.flatnonzero(self.faint[name][: int(before_s / WINDOW_S)])
        assert len(found), f"{name} never heard before {before_s:.2f} s"
        return (int(found[-1]) + 1) * WINDOW_S

    def fade_start(self, name: str, steady_from_s: float, gone_s: float) -> float:
        """Where the sound's level last left its steady level (1 dB under its median) before
        it was gone: the start of its fade, read from the capture alone."""
        column = list(TONES).index(name)
        level = self.levels[:, column]
        first, last = int(steady_from_s / WINDOW_S), int(gone_s / WINDOW_S)
        steady = float(np.median(level[first:last]))
        index = last - 1
        while index > first and level[index] < steady - 1.0:
            index -= 1
        return (index + 1) * WINDOW_S

    def heard_s(self, name: str, start_s: float, end_s: float) -> float:
        window = self.loud[name][int(start_s / WINDOW_S) : int(end_s / WINDOW_S)]
        return float(window.sum()) * WINDOW_S


def hear(sound: FloatArray) -> Heard:
    """Which sound was heard in each 50 ms window (tonal, above the level), and in each 10 ms
    window (above the level: a 10 ms window's bins are 100 Hz wide, too wide for the probes
    beside a tone, and every tone here is a multiple of 100 Hz, so none leaks into another)."""
    names = list(TONES)
    freqs = [TONES[n] for n in names]
    levels = tone_levels(sound, freqs, WINDOW_S)
    probes = off_tone_levels(sound, freqs, WINDOW_S)
    tonal = levels - probes >= TONAL_DB
    loud = {n: (levels[:, i] >= HEARD_DBFS) & tonal[:, i] for i, n in enumerate(names)}
    faint = {n: (levels[:, i] >= SILENT_DBFS) & tonal[:, i] for i, n in enumerate(names)}
    fine_levels = tone_levels(sound, freqs, FINE_WINDOW_S)
    fine = Heard(
        fine_levels,
        {n: fine_levels[:, i] >= HEARD_DBFS for i, n in enumerate(names)},
        {n: fine_levels[:, i] >= SILENT_DBFS for i, n in enumerate(names)},
    )
    return Heard(levels, loud, faint, fine)


@pytest.fixture(scope="module")
def heard(night_run: Run) -> Heard:
    return hear(night_run.sound)


def test_doors_music_at_its_loudness_crossfaded_then_faded_before_the_first_film(
    night_run: Run, heard: Heard
) -> None:
    go = night_run.moments["go_doors"]
    film = heard.first("F1")
    first_from, second_from = heard.first("doors"), heard.first_faint("doors2")
    first_gone = heard.last_faint("doors", film)
    lufs = loudness_lufs(night_run.wav, first_from + 0.5, second_from - 0.1)
    crossfade_lufs = loudness_lufs(night_run.wav, second_from, first_gone)
    both_music = heard.loud["doors"] | heard.loud["doors2"]
    span = both_music[int(first_from / WINDOW_S) : int(go / WINDOW_S)]
    gaps = np.flatnonzero(~span)
    gone = heard.last_faint("doors2", film)
    fade_from = heard.fade_start("doors2", first_gone, gone)
    lufs_second = loudness_lufs(night_run.wav, first_gone + 0.2, fade_from - 0.1)
    print(
        f"\n  doors music {lufs:.1f} LUFS, second track {lufs_second:.1f} LUFS (target "
        f"{MUSIC_TARGET_LUFS:g}); crossfade {first_gone - second_from:.2f} s (planned "
        f"{CROSSFADE_S:g} s) at {crossfade_lufs:.1f} LUFS; GO at {go:.2f} s; fade heard from "
        f"{fade_from:.2f} s to silence at {gone:.2f} s ({gone - fade_from:.2f} s, planned "
        f"{FADE_S:g} s; {gone - go:.2f} s after GO); first film's tone at {film:.2f} s: gap "
        f"{film - gone:.2f} s"
    )
    assert abs(lufs - MUSIC_TARGET_LUFS) <= LOUDNESS_TOLERANCE_LU
    assert abs(lufs_second - MUSIC_TARGET_LUFS) <= LOUDNESS_TOLERANCE_LU
    assert abs(crossfade_lufs - MUSIC_TARGET_LUFS) <= LOUDNESS_TOLERANCE_LU  # equal power
    assert abs((first_gone - second_from) - CROSSFADE_S) <= 0.5  # libvlc's time every ~0.3 s
    assert len(gaps) == 0, f"the doors music fell silent at {first_from + gaps[0] * WINDOW_S} s"
    assert gone - fade_from <= FADE_S + FADE_SLACK_S
    assert gone - go <= FADE_S + FADE_SLACK_S + 0.2  # + the key's way to the child
    assert film > gone


def test_never_music_and_film_at_once(heard: Heard) -> None:
    both = heard.music_under_films()
    assert not both, f"music under a film at {both[:10]} s"


def _tone(freq: int, dbfs: float, start_s: float, end_s: float, length_s: float) -> FloatArray:
    t = np.arange(int(length_s * RATE)) / RATE
    wave = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t) * ((t >= start_s) & (t < end_s))
    return np.column_stack([wave, wave])


FAINT_UNDER = [round(0.5 + 0.05 * i, 2) for i in range(10)]


@pytest.mark.parametrize(
    ("music_from_s", "music_dbfs", "under"),
    [(1.025, -34.0, []), (1.005, -34.0, [1.0]), (0.5, -65.0, FAINT_UNDER)],
    ids=["film-cut-into-music", "20-ms-under", "faint-under"],
)
def test_the_judge_hears_music_under_a_film_not_a_film_cut_into_music(
    music_from_s: float, music_dbfs: float, under: list[float]
) -> None:
    """The load-12 capture, rebuilt: a film's tone cut in the middle of a 50 ms window and the
    intermission music from there on is not music under a film; the music 20 ms before the
    cut is, and so is music at -65 dBFS under the film for half a second."""
    film = _tone(TONES["F1"], -23.0, 0.2, 1.025, 1.5)
    music = _tone(TONES["intermission"], music_dbfs, music_from_s, 1.5, 1.5)
    assert hear(film + music).music_under_films() == under


def test_intermission_music_heard_back_after_the_crash_and_gone_before_the_next_film(
    night_run: Run, heard: Heard
) -> None:
    moments = night_run.moments
    before = heard.heard_s("intermission", heard.first("intermission"), moments["killed"])
    after = heard.heard_s("intermission", moments["restored"], moments["go_intermission"])
    back = heard.first("intermission", moments["restored"])
    # after the first second: the music rises over FADE_IN_AFTER_FILM_S (1 s) after a film
    lufs = loudness_lufs(night_run.wav, back + 1.2, moments["go_intermission"] - 0.2)
    film = heard.first("F2", moments["go_intermission"])
    gone = heard.last_faint("intermission", film)
    fade_from = heard.fade_start("intermission", back, gone)
    print(
        f"\n  intermission music heard {before:.2f} s before the SIGKILL, back "
        f"{back - moments['restarting']:.2f} s after the restart began "
        f"({back - moments['restored']:+.2f} s from the night's READY), {after:.2f} s "
        f"until GO, at {lufs:.1f} LUFS; faded over {gone - fade_from:.2f} s, silent "
        f"{gone - moments['go_intermission']:.2f} s after GO, next film's tone "
        f"{film - gone:.2f} s later"
    )
    assert before >= HOLD_S - 0.5
    assert after >= HOLD_S - 0.5
    assert abs(lufs - MUSIC_TARGET_LUFS) <= LOUDNESS_TOLERANCE_LU
    assert gone - fade_from <= FADE_S + FADE_SLACK_S
    assert gone - moments["go_intermission"] <= FADE_S + FADE_SLACK_S + 0.2
    assert film > gone


def test_walk_out_music_on_the_end_card(night_run: Run, heard: Heard) -> None:
    film_end = heard.last_faint("F2", len(night_run.sound) / 48000)
    walk_out = heard.first("end", night_run.moments["go_intermission"])
    print(f"\n  walk-out music from {walk_out - film_end:.2f} s after the last film's sound")
    assert walk_out >= film_end
    assert heard.heard_s("end", walk_out, len(night_run.sound) / 48000) >= 1.0


def test_music_is_covered_by_the_sound_loss_alarm_and_comes_back(
    night_run: Run, music_event: EventFolder, tmp_path: Path
) -> None:
    """PulseAudio killed under the walk-out music of the night's End card (no film plays): the
    alarm is raised, and once a sound server is back the reconnect (which reopens the music's
    players too) brings the music back into the capture."""
    night = night_run.night
    night.wait_for(cue="end", music="playing", moment="end", sound_lost=False)
    journal = Journal(music_event.open_db())
    lost_before = len(list(journal.entries("audio_lost")))
    lost_at = time.monotonic()
    os.kill(night_run.pulse.pid, signal.SIGKILL)
    night.wait_for(timeout_s=10, sound_lost=True)
    alarm_s = time.monotonic() - lost_at
    again = restart_pulse(night_run.pulse)  # the same socket, a new server
    try:
        with record(again, tmp_path / "after.wav"):
            night.wait_for(timeout_s=20, sound_lost=False)
            back_s = time.monotonic() - lost_at
            wait_until_heard(tmp_path / "after.wav", TONES["end"], WALK_OUT_S, 20, HEARD_DBFS)
    finally:
        os.kill(again.pid, signal.SIGTERM)
    lost = [e.data for e in journal.entries("audio_lost")][lost_before:]
    after = read_capture(tmp_path / "after.wav")
    levels = tone_levels(after, [TONES["end"]], WINDOW_S)
    heard_s = float((levels.max(axis=1) >= HEARD_DBFS).sum()) * WINDOW_S
    reason = lost[0]["reason"] if lost else "not journalled"
    print(
        f"\n  alarm {alarm_s:.2f} s after PulseAudio was killed ({reason}); "
        f"sound back {back_s:.2f} s after; walk-out music heard {heard_s:.2f} s of the new capture"
    )
    # the first word comes from the music's own stream ("cannot write: Connection terminated")
    # or from the socket probe (every 2 s), whichever is first
    assert lost
    assert alarm_s < 2.5
    assert heard_s >= 1.0
