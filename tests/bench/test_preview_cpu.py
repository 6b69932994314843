"""Benchmark: what the console's live preview of the projector costs in CPU, on a card and while
a film plays.

The real console (1366x768 monitor) and stage (fullscreen on a 1920x1080 "PROJECTOR" monitor
of the same Xvfb, openbox) show the holding slide, then play a 1920x1080 25 fps film with the
real libvlc (xcb output, no sound). In each, the console's preview is switched on and off in
turn (off = hidden, as when another console tab is in front), ROUNDS windows of WINDOW_S
each ($PREVIEW_CPU_ROUNDS, default 4), and CPU time is measured over each window (see
preview_cpu_child): the whole process (libvlc's decoding swamps it: +-15 % from window to
window), the GUI thread, and the preview's snapshot threads. The preview's cost is the GUI
thread's median with it on minus off, plus the snapshots' median, in % of one core (target:
under ~5 %). Figures only, no asserts on timing (`make bench`).
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

import pytest

from kiosk.media.generate import ClipSpec, render_clip
from tests.conftest import film_toml, write_event
from tests.xvfb import Monitor, requires_xvfb, run_qt_script, xvfb_display

pytestmark = [requires_xvfb, pytest.mark.slow, pytest.mark.vlc, pytest.mark.ffmpeg]

SCRIPT = "from tests.bench.preview_cpu_child import main; main()"
ROUNDS = int(os.environ.get("PREVIEW_CPU_ROUNDS", "4"))  # windows of each kind, per scene
WINDOW_S = 5.0  # 4 x 5 s = 20 s with the preview on, 20 s off


def test_preview_cpu_while_a_film_plays(tmp_path: Path) -> None:
    seconds = 8 + 2 * ROUNDS * (WINDOW_S + 1) + 10  # start, film windows, margin
    film = render_clip(
        ClipSpec(("Preview", "預覽"), seconds, 1920, 1080, colour="0x305070"), tmp_path / "f.mp4"
    )
    event = write_event(tmp_path / "event", [film_toml("P1", film)])
    monitors = [Monitor("CONSOLE", 1366, 768), Monitor("PROJECTOR", 1920, 1080, 1366)]
    with xvfb_display(1366 + 1920, 1080, monitors=monitors) as display:
        result = run_qt_script(
            display,
            SCRIPT,
            str(event.root),
            str(ROUNDS),
            str(WINDOW_S),
            timeout_s=2 * seconds + 60,
            KIOSK_VLC_AOUT="dummy",
            KIOSK_VLC_VOUT="xcb_x11",
        )
    windows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(windows) == 4 * ROUNDS, result.stdout + result.stderr
    print()
    print("scene  preview  process %  gui %  snapshots %  pictures  snapshot ms")
    for w in windows:
        print(
            f"{w['scene']:>5}  {w['preview']:>7}  {w['process']:9.1f}  {w['gui']:5.1f}  "
            f"{w['snapshots']:11.1f}  {w['pictures']:>8}  {w['snapshot_ms']:11.0f}"
        )
    for scene in ("card", "film"):

        def median(mode: str, key: str, scene: str = scene) -> float:
            chosen = [w[key] for w in windows if w["preview"] == mode and w["scene"] == scene]
            return float(statistics.median(chosen))

        gui = median("on", "gui") - median("off", "gui")
        snapshots = median("on", "snapshots")
        print(
            f"{scene}: medians (% of a core) preview on / off: process "
            f"{median('on', 'process'):.1f} / {median('off', 'process'):.1f}, GUI thread "
            f"{median('on', 'gui'):.1f} / {median('off', 'gui'):.1f}, snapshots {snapshots:.1f}"
        )
        print(
            f"{scene}: the preview costs {gui + snapshots:.1f} % of a core (GUI {gui:.1f} + "
            f"snapshots {snapshots:.1f}; {ROUNDS} x {WINDOW_S:g} s each way; target under ~5 %)"
        )
