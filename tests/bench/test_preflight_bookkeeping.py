"""Benchmark: what the console still does on its GUI thread with preflight results, on a
35-film night.

The Programme tab's bookkeeping after a preflight or an F6 re-check (`ConsoleWindow.load_checks`:
the stored results read, the programme and run-order models told, the media look started, the
summary line) and the players' gain lookup at each priming and volume change
(`FilmMedia.known_gain_db`, beside the `gain_db` that looks at the file each time). Each is
timed on the GUI thread of the real console (`open_console`, offscreen), many calls, and
printed as median and max in milliseconds (`make bench`; figures only).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.media.generate import ClipSpec
from kiosk.services.preflight import run_preflight
from kiosk.ui.app import make_application, open_console
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache

pytestmark = [pytest.mark.vlc, pytest.mark.ffmpeg, pytest.mark.slow]

FILMS = 35
CALLS = 200


def timed_ms(work: Callable[[], object], calls: int) -> list[float]:
    """Each call's duration in milliseconds."""
    spent = []
    for _ in range(calls):
        started = time.perf_counter()
        work()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def test_preflight_bookkeeping_on_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, film_cache: FilmCache
) -> None:
    clip = film_cache.render(ClipSpec(("Bench",), 1.0, 160, 90), tmp_path / "films" / "f.mp4")
    ids = [f"F{n:02d}" for n in range(1, FILMS + 1)]
    event = write_event(tmp_path / "event", [film_toml(film_id, clip) for film_id in ids])
    report = run_preflight(event)
    assert len(report.checks) == FILMS
    make_application()
    window, _reporter = open_console(event)
    qtbot.addWidget(window)
    media = window.media
    assert media is not None
    media.gain_db(ids[0])  # looked at once
    figures = {
        "load_checks (Programme tab after preflight / F6)": timed_ms(window.load_checks, 50),
        "known_gain_db (players, each priming / volume)": timed_ms(
            lambda: media.known_gain_db(ids[0]), CALLS
        ),
        "gain_db (a stat each call, as before)": timed_ms(lambda: media.gain_db(ids[0]), CALLS),
    }
    print(f"\nGUI-thread bookkeeping, {FILMS} films, offscreen console (ms):")
    for name, spent in figures.items():
        print(
            f"  {name:<52} median {statistics.median(spent):7.3f}  max {max(spent):7.3f}"
            f"  ({len(spent)} calls)"
        )
    assert window.tasks.wait(20)  # the media looks load_checks started, before closing
    window.close()
