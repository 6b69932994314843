"""Listen to the show: films at very different loudness, played back to back by `rehearse` in a
real process (Xvfb, libvlc drawing into the stage), heard through a real PulseAudio server and
recorded in real time from its null sink with `parec`.

Every film carries its own tone, so the capture says which film was heard when. For each film:

* loudness of its stretch in the capture (ffmpeg ebur128) at the target, -23 LUFS, within
  `LOUDNESS_TOLERANCE_LU`;
* heard for its whole length: its run of heard windows is at most `LOST_S` shorter than the
  file, with no silence inside longer than `GAP_S`;
* nothing of it before its cut: no window above `LEAK_DBFS` before its run (the priming player
  stays silent).

The player, PulseAudio and parec run with the priority a show machine gives its show
(`show_priority`: nice -10, PulseAudio real-time as on a desktop): the development machine
runs other engineers' suites at the same time (load average 8-11 on 2 cores), and without it a
film's sound broke up into 0.3 s dropouts and stopped 1.5 s early in one run of four.

Tolerances:
* 1 LU: the issue's figure. The tone is steady, so the measurement itself is exact to ±0.1 LU
  (AAC coding and K-weighting of a pure tone); what can move it is a gain wrongly applied.
* `LOST_S` 0.3 s: a 50 ms window straddles each end of a run (up to 0.1 s) and the clock cut
  is ordered 25 ms before a film's end. Measured here at load averages 7-13 on 2 cores, 3 runs
  of both rehearsals (24 films): 21 lost 0-0.05 s, 3 lost 0.2-0.3 s of their *start* (the
  film starts on time, its first quarter second is gone): under that load libvlc plays a
  primed film, muted, that long before it reports its first picture and the priming pause
  lands. Before the pause had a thread of its own (`_Pauser`), 3 of 8 films in a run at the
  same load lost 0.25 s. A remedy that does not wait for the first-picture event is still to
  find.
* `GAP_S` 0.1 s: an underrun under load is a click of one or two 50 ms windows; anything longer
  is silence the audience would hear.
* `LEAK_DBFS` -60 dBFS (37 dB under the films' level) for a window to count as the film heard
  before its cut, when its tone stands 15 dB above the spectrum beside it (the click of another
  film starting or stopping is broadband and is not counted), the window straddling the cut
  excepted.

The plain-ALSA rehearsal (levels only: its file device is not paced) plays on a copy of the
event while the PulseAudio straight cut is recorded, both at the show's priority: measured
at load averages 12-17 on 2 cores, 3 runs, the PulseAudio figures stayed within the
tolerances above (lost 0-0.25 s of a start, no gap, -23.0/-23.1 LUFS) and the module took
55-68 s instead of 76 s at load 1-7.

The film cut away from must never be heard again: libvlc's stop uncorks the film's stream
before flushing it, and what a short drain left in it was heard (10 ms, 0.34 s into the next
film, one straight cut in ten). `test_the_film_cut_away_from_is_never_heard_again` forces both
timings at every stop (tests/pulse_faults.py) and judges 10 ms windows by tone
(docs/dev/testing.md, "The straight cut's burst").

Figures of each run are printed (pytest -s) for the report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kiosk.media.generate import ClipSpec
from kiosk.services.preflight import run_preflight
from kiosk.store.event_folder import EventFolder
from tests.conftest import SHORT_HOLDS, film_toml, write_event
from tests.film_cache import FilmCache
from tests.pulse_faults import build_pulse_faults, requires_cc
from tests.sound_capture import (
    CaptureClock,
    FilmRun,
    PulseServer,
    alsa_file_config,
    alsa_sound,
    film_runs,
    loudness_lufs,
    off_tone_levels,
    pulse_server,
    read_capture,
    record,
    requires_pulseaudio,
    show_priority,
    tone_levels,
    write_wav,
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
TARGET_LUFS = -23.0
FILM_S = 3.0  # 2.4 s of steady tone to measure (ebur128 gates 0.4 s blocks); paid 12 times
WINDOW_S = 0.05
LOUDNESS_TOLERANCE_LU = 1.0
LOST_S = 0.3
GAP_S = 0.1
HEARD_DBFS = -45.0  # a tone at -23 LUFS sits near -22 dBFS
LEAK_DBFS = -60.0


@dataclass(frozen=True)
class ListeningFilm:
    """One generated film: its tone, and how loud its file is (before the show's gain)."""

    film_id: str
    tone_hz: int
    volume_db: float  # relative to ffmpeg's sine (-21.7 LUFS at 500 Hz in stereo)
    surround: bool = False


FILMS = (
    ListeningFilm("QUIET", 500, -18.0),  # about -40 LUFS
    ListeningFilm("LOUD", 800, 14.0),  # about -8 LUFS
    ListeningFilm("NORMAL", 1250, -1.0),  # about -23 LUFS
    ListeningFilm("SURROUND", 1700, -6.0, surround=True),  # 5.1, about -26 LUFS once downmixed
)


def _tone_event(
    root: Path, films: tuple[ListeningFilm, ...], seconds: float, film_cache: FilmCache
) -> EventFolder:
    """An event folder in `root` whose programme is `films`, each `seconds` long."""
    tables = []
    for film in films:
        spec = ClipSpec(
            (film.film_id,),
            seconds,
            320,
            180,
            tone_hz=film.tone_hz,
            volume_db=film.volume_db,
            surround=film.surround,
        )
        path = film_cache.render(spec, root / "films" / f"{film.film_id}.mp4")
        tables.append(film_toml(film.film_id, path))
    return write_event(root / "event", tables)


@pytest.fixture(scope="module")
def loud_and_quiet_event(
    tmp_path_factory: pytest.TempPathFactory, film_cache: FilmCache
) -> EventFolder:
    folder = _tone_event(tmp_path_factory.mktemp("listening"), FILMS, FILM_S, film_cache)
    event_toml = folder.root / "event.toml"
    event_toml.write_text(
        event_toml.read_text(encoding="utf-8").replace(
            "title_card_seconds = 3", "title_card_seconds = 1"
        ),
        encoding="utf-8",
    )
    report = run_preflight(folder)
    measured = {c.film_id: (c.loudness_lufs, c.gain_db, c.gain_limited_by) for c in report.checks}
    print(f"\npreflight (LUFS, gain dB, limited by): {measured}")
    assert all(c.gain_limited_by is None for c in report.checks), measured
    return folder


@pytest.fixture(scope="module")
def listening_display() -> Iterator[str]:
    """One Xvfb for the module's rehearsals: each takes its windows with it when it ends."""
    with xvfb_display(640, 360) as display:
        yield display


@pytest.fixture(scope="module")
def listening_pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """One PulseAudio server for the module's rehearsals: each is recorded into a file of its
    own, and a rehearsal's streams end with its process."""
    with pulse_server(tmp_path_factory.mktemp("listening-pulse")) as pulse:
        yield pulse


def _rehearsal_command(folder: Path, *options: str) -> list[str]:
    """`rehearse --exit-at-end` on the event folder, with the show's priority."""
    main = [sys.executable, str(ROOT / "main.py"), "--event", str(folder)]
    return [*show_priority(), *main, "rehearse", "--exit-at-end", *SHORT_HOLDS, *options]


def _rehearsal(folder: EventFolder, env: dict[str, str], *options: str) -> str:
    """Run `rehearse --exit-at-end` on the event with the show's priority; its stderr."""
    result = subprocess.run(
        _rehearsal_command(folder.root, *options),
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def _rehearse(
    folder: EventFolder,
    display: str,
    pulse: PulseServer,
    capture: Path,
    *options: str,
    extra_env: dict[str, str] | None = None,
) -> str:
    """Run `rehearse` on the event under Xvfb, recording the PulseAudio sink; its stderr."""
    env = qt_env(display, KIOSK_VLC_VOUT="xcb_x11", **pulse.env, **(extra_env or {}))
    env.pop("KIOSK_VLC_AOUT", None)  # libvlc finds the PulseAudio server by itself
    with record(pulse, capture):
        return _rehearsal(folder, env, *options)


def _measure(capture: Path) -> dict[str, tuple[FilmRun, float]]:
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    sound = read_capture(capture)
    tones = [f.tone_hz for f in FILMS]
    levels = tone_levels(sound, tones, WINDOW_S)
    probes = off_tone_levels(sound, tones, WINDOW_S)
    runs = film_runs(levels, WINDOW_S, HEARD_DBFS, LEAK_DBFS, bridge_s=0.5, off_tone=probes)
    out = {}
    for film, run in zip(FILMS, runs, strict=True):
        inner = (run.start_s + 0.3, run.end_s - 0.3)
        lufs = loudness_lufs(capture, *inner) if inner[1] - inner[0] > 1 else float("-inf")
        out[film.film_id] = (run, lufs)
        print(
            f"  {film.film_id:9s} {film.tone_hz:5d} Hz  heard {run.heard_s:5.2f} s of {FILM_S:g}"
            f" ({100 * run.heard_s / FILM_S:5.1f} %), longest gap {run.longest_gap_s:.2f} s, "
            f"{lufs:6.1f} LUFS at the output, before its cut: {run.early_s:.2f} s "
            f"(loudest {run.early_peak_dbfs:.0f} dBFS)"
        )
    return out


def _assert_heard_right(figures: dict[str, tuple[FilmRun, float]]) -> None:
    problems = []
    for film_id, (run, lufs) in figures.items():
        if abs(lufs - TARGET_LUFS) > LOUDNESS_TOLERANCE_LU:
            problems.append(f"{film_id} at {lufs:.1f} LUFS, not {TARGET_LUFS:g} ±1")
        if run.heard_s < FILM_S - LOST_S:
            problems.append(f"{film_id} heard {run.heard_s:.2f} s of {FILM_S:g}")
        if run.longest_gap_s > GAP_S:
            problems.append(f"{film_id} fell silent for {run.longest_gap_s:.2f} s")
        if run.early_s > 0:
            problems.append(f"{film_id} heard {run.early_s:.2f} s before its cut")
    starts = [figures[f.film_id][0].start_s for f in FILMS]
    if starts != sorted(starts):
        problems.append(f"films heard out of order: {starts}")
    assert not problems, problems


def test_every_film_heard_whole_at_the_target_with_title_cards(
    loud_and_quiet_event: EventFolder,
    listening_display: str,
    listening_pulse: PulseServer,
    tmp_path: Path,
) -> None:
    capture = tmp_path / "with-cards.wav"
    _rehearse(loud_and_quiet_event, listening_display, listening_pulse, capture)
    print("\nrehearse with title cards, PulseAudio null sink, parec:")
    _assert_heard_right(_measure(capture))


@dataclass(frozen=True)
class StraightCuts:
    """Two `rehearse --straight-cut` run side by side: one heard through PulseAudio (its
    capture), one on a copy of the event through plain ALSA (the streams it wrote)."""

    capture: Path
    alsa_streams: Path


@pytest.fixture(scope="module")
def straight_cuts(
    loud_and_quiet_event: EventFolder,
    listening_display: str,
    listening_pulse: PulseServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> StraightCuts:
    """The PulseAudio rehearsal's capture and journal serve both the listening test and the
    gain test (a second run showed nothing new). The ALSA rehearsal, whose file device is not
    paced and is checked for levels only, plays at the same time on a copy of the event (a
    rehearsal holds its event's lock): the module's real time is one rehearsal shorter."""
    base = tmp_path_factory.mktemp("straight")
    alsa_event = base / "alsa-event"
    shutil.copytree(loud_and_quiet_event.root, alsa_event)
    home, streams = base / "home", base / "alsa"
    home.mkdir()
    alsa_file_config(home, streams)
    env = qt_env(listening_display, KIOSK_VLC_VOUT="xcb_x11", KIOSK_VLC_AOUT="alsa", HOME=str(home))
    with (base / "alsa-rehearsal.txt").open("w+", encoding="utf-8") as said:
        alsa = subprocess.Popen(
            _rehearsal_command(alsa_event, "--straight-cut"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=said,
            text=True,
        )
        try:
            capture = base / "straight.wav"
            _rehearse(
                loud_and_quiet_event, listening_display, listening_pulse, capture, "--straight-cut"
            )
            code = alsa.wait(180)
        finally:
            if alsa.poll() is None:
                alsa.kill()
                alsa.wait(10)
        said.seek(0)
        assert code == 0, said.read()[-3000:]
    return StraightCuts(capture, streams)


def test_every_film_heard_whole_at_the_target_cut_straight(straight_cuts: StraightCuts) -> None:
    print("\nrehearse --straight-cut, PulseAudio null sink, parec:")
    _assert_heard_right(_measure(straight_cuts.capture))


def test_the_journal_states_the_gain_each_film_played_at(
    loud_and_quiet_event: EventFolder, straight_cuts: StraightCuts
) -> None:
    db = loud_and_quiet_event.open_db()
    stored = {r["film_id"]: r["gain_db"] for r in db["film_checks"].rows}
    played = {}
    for row in db.query("SELECT data FROM journal WHERE kind = 'film_gain'"):
        data = json.loads(row["data"])
        played[data["film"]] = data
    assert set(played) == set(stored)
    for film_id, data in played.items():
        assert data["gain_db"] == pytest.approx(stored[film_id], abs=0.05)
        assert data["file"] == "same" and data["limited"] is False


def test_every_film_at_the_target_through_plain_alsa(
    straight_cuts: StraightCuts, tmp_path: Path
) -> None:
    """Plain ALSA (no sound server): libvlc's ALSA output into alsa-lib's `file` device.

    That device is not paced in real time, so this checks levels (and how much of each film's
    sound was written), not timing."""
    sound = alsa_sound(straight_cuts.alsa_streams)
    levels = tone_levels(sound, [f.tone_hz for f in FILMS], WINDOW_S)
    size = round(WINDOW_S * 48000)
    owner = levels.argmax(axis=1)
    loud = levels.max(axis=1) >= HEARD_DBFS
    print("\nrehearse --straight-cut, plain ALSA (file device, levels only):")
    problems = []
    for column, film in enumerate(FILMS):
        mine = np.flatnonzero((owner == column) & loud)
        if len(mine) < 20:
            problems.append(f"{film.film_id}: {len(mine) * WINDOW_S:.2f} s of sound")
            continue
        frames = sound[: len(levels) * size].reshape(len(levels), size, 2)[mine].reshape(-1, 2)
        wav = write_wav(frames, tmp_path / f"{film.film_id}.wav")
        lufs = loudness_lufs(wav, 0.0, len(frames) / 48000)
        seconds = len(mine) * WINDOW_S
        print(f"  {film.film_id:9s} {lufs:6.1f} LUFS, {seconds:5.2f} s of its sound written")
        if abs(lufs - TARGET_LUFS) > LOUDNESS_TOLERANCE_LU:
            problems.append(f"{film.film_id} at {lufs:.1f} LUFS through ALSA")
        if seconds < FILM_S - LOST_S:
            problems.append(f"{film.film_id}: only {seconds:.2f} s of its sound reached ALSA")
    assert not problems, problems


# The straight cut's burst (docs/dev/testing.md): libvlc's stop uncorks the stream of the film
# cut away from before flushing it, and what is left in it is heard. Three short films; every
# film's end leaves DRAIN_SHORT_MS of it in its corked stream and every stop's flush reaches
# the server FLUSH_LATE_MS after that uncork (tests/pulse_faults.py): what a loaded machine
# does about once in ten runs, here at each of the three stops. Judged in 10 ms windows by tone.
CUT_AWAY_FILMS = (
    ListeningFilm("FIRST", 800, -1.0),
    ListeningFilm("SECOND", 2000, -1.0),
    ListeningFilm("THIRD", 4000, -1.0),
)
CUT_AWAY_FILM_S = 2.0
BURST_WINDOW_S = 0.01
BURST_PROBE_RATIO = 1.5  # outside a tone's ±200 Hz main lobe in 10 ms windows, and the others'
BURST_BRIDGE_S = 0.2  # a film's stop comes STOP_DELAY_MS (0.3 s) after its cut
DRAIN_SHORT_MS = 100
FLUSH_LATE_MS = 60
TRACE_LINE = re.compile(r"^PA-TRACE (?P<monotonic>[\d.]+) (?P<call>.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def cut_away_event(tmp_path_factory: pytest.TempPathFactory, film_cache: FilmCache) -> EventFolder:
    root = tmp_path_factory.mktemp("cut-away")
    folder = _tone_event(root, CUT_AWAY_FILMS, CUT_AWAY_FILM_S, film_cache)
    run_preflight(folder)
    return folder


@requires_cc
def test_the_film_cut_away_from_is_never_heard_again(
    cut_away_event: EventFolder,
    listening_display: str,
    listening_pulse: PulseServer,
    tmp_path: Path,
) -> None:
    faults = build_pulse_faults(tmp_path)
    capture = tmp_path / "cut-away.wav"
    env = qt_env(
        listening_display,
        KIOSK_VLC_VOUT="xcb_x11",
        **listening_pulse.env,
        **faults.env(drain_short_ms=DRAIN_SHORT_MS, flush_late_ms=FLUSH_LATE_MS, trace=True),
    )
    env.pop("KIOSK_VLC_AOUT", None)
    with record(listening_pulse, capture):
        clock = CaptureClock.now(capture)
        stderr = _rehearsal(cut_away_event, env, "--straight-cut")
    injected = faults.injected(stderr)
    print(f"\nfaults injected: {dict(injected)}")
    # every film's end and every stop met the faults: a pass is not the faults missing
    assert injected["drain-short"] >= len(CUT_AWAY_FILMS), injected
    assert injected["flush-late"] >= len(CUT_AWAY_FILMS), injected
    sound = read_capture(capture)
    tones = [f.tone_hz for f in CUT_AWAY_FILMS]
    levels = tone_levels(sound, tones, BURST_WINDOW_S)
    off_tone = off_tone_levels(sound, tones, BURST_WINDOW_S, ratio=BURST_PROBE_RATIO)
    runs = film_runs(
        levels, BURST_WINDOW_S, HEARD_DBFS, LEAK_DBFS, bridge_s=BURST_BRIDGE_S, off_tone=off_tone
    )
    heard_again = {}
    for film, run in zip(CUT_AWAY_FILMS, runs, strict=True):
        print(
            f"  {film.film_id:6s} {film.tone_hz:5d} Hz  heard {run.start_s:.2f}-{run.end_s:.2f} s,"
            f" again at {list(run.late_at_s)}"
        )
        assert run.heard_s > CUT_AWAY_FILM_S / 2, f"{film.film_id} heard {run.heard_s:.2f} s"
        if run.late_at_s:
            heard_again[film.film_id] = (run.end_s, run.late_at_s)
    if heard_again:
        print(_what_was_heard_when(heard_again, levels, off_tone, clock, capture, stderr))
    assert not heard_again, f"heard after its cut (cut at, heard again at): {heard_again}"


def _what_was_heard_when(
    heard_again: dict[str, tuple[float, tuple[float, ...]]],
    levels: np.ndarray,
    off_tone: np.ndarray,
    clock: CaptureClock,
    capture: Path,
    stderr: str,
) -> str:
    """A failure's evidence: each tone's level (and its probes') window by window from just
    before the film's run ended to just after it was heard again, with the player's PulseAudio
    calls (tests/pulse_faults.c's trace) at their places in the capture."""
    lines = [f"capture kept at {capture}"]
    for film_id, (end_s, late_at_s) in heard_again.items():
        first = max(0, round((end_s - 0.1) / BURST_WINDOW_S))
        last = min(len(levels), round((late_at_s[-1] + 0.1) / BURST_WINDOW_S))
        lines.append(
            f"{film_id}: window s, then tone/probe dBFS of "
            + ", ".join(f.film_id for f in CUT_AWAY_FILMS)
        )
        for index in range(first, last):
            cells = "  ".join(
                f"{levels[index, c]:6.1f}/{off_tone[index, c]:6.1f}"
                for c in range(len(CUT_AWAY_FILMS))
            )
            lines.append(f"  {index * BURST_WINDOW_S:6.2f}  {cells}")
        for trace in TRACE_LINE.finditer(stderr):
            at_s = clock.capture_s(capture, float(trace["monotonic"]))
            if end_s - 1.5 <= at_s <= late_at_s[-1] + 0.5 and not trace["call"].startswith("write"):
                lines.append(f"  call at {at_s:6.3f} s: {trace['call']}")
    return "\n".join(lines)
