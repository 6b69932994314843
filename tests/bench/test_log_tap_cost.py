"""Benchmark: what listening to libvlc's log costs (the "No sound" alarm's tap).

Run with `make bench`. A film plays through a private PulseAudio server, which is then
SIGKILLed: libvlc then logs most (about 90 lines/s, each formatted and classified in Python on
libvlc's thread). Process CPU over 6 s of steady playback and 6 s after the server died, with
and without the tap, side by side in one run (median of 3 runs each).
"""

from __future__ import annotations

import os
import signal
import statistics
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from kiosk.media.generate import ClipSpec, render_clip
from kiosk.media.vlc_log import VlcLogTap
from tests.sound_capture import pulse_server, requires_pulseaudio

pytestmark = [requires_pulseaudio, pytest.mark.vlc]

WATCH_S = 6.0
RUNS = 3


def _cpu_percent(film: Path, folder: Path, with_tap: bool) -> tuple[float, float, int]:
    """(CPU % while playing, CPU % after the server died, lines the tap handed over)."""
    import vlc

    with pulse_server(folder) as pulse:
        saved = {key: os.environ.get(key) for key in pulse.env}
        os.environ.update(pulse.env)
        try:
            instance = vlc.Instance(["--quiet", "--vout=dummy", "--no-video-title-show"])
            tap = VlcLogTap(instance) if with_tap else None
            handed: list[object] = []
            if tap is not None:
                tap.audio.connect(lambda signal, _at: handed.append(signal))
            player = instance.media_player_new()
            player.set_media(instance.media_new_path(str(film)))
            player.play()
            time.sleep(2.0)
            started = time.process_time()
            time.sleep(WATCH_S)
            playing = 100 * (time.process_time() - started) / WATCH_S
            os.kill(pulse.pid, signal.SIGKILL)
            started = time.process_time()
            time.sleep(WATCH_S)
            dead = 100 * (time.process_time() - started) / WATCH_S
            QCoreApplication.processEvents()
            player.stop()
            player.release()
            if tap is not None:
                tap.close()
            instance.release()
            return playing, dead, len(handed)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def test_log_tap_cpu_cost(tmp_path: Path) -> None:
    QCoreApplication.instance() or QCoreApplication([])
    film = render_clip(ClipSpec(("Tap",), 20.0, 320, 180), tmp_path / "film.mp4")
    figures: dict[bool, list[tuple[float, float, int]]] = {True: [], False: []}
    for run in range(RUNS):
        for with_tap in (False, True):
            folder = tmp_path / f"pulse-{run}-{with_tap}"
            figures[with_tap].append(_cpu_percent(film, folder, with_tap))
    for with_tap, runs in figures.items():
        playing = statistics.median(r[0] for r in runs)
        dead = statistics.median(r[1] for r in runs)
        lines = statistics.median(r[2] for r in runs)
        print(
            f"\n{'with' if with_tap else 'without'} the log tap: process CPU {playing:.1f}% "
            f"playing, {dead:.1f}% after PulseAudio died"
            + (f" ({lines:.0f} lines handed to Qt)" if with_tap else "")
        )
