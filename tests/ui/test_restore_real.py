"""Restore after SIGKILL, with the real things: real libvlc films, the real console under Xvfb
on a laptop monitor beside a projector monitor, real key events (xdotool), and the projector's
real pixels.

A console process plays the night and is killed with SIGKILL mid-film or mid-title-card; a new
console process opens the same event (what the supervisor does). Then, as the projectionist and
the hall would see it: the projector stays black until GO; the "restored" banner, the badge and
the run-order row agree (held, paused); the elapsed figures are the real ones, not 0:00; GO
clears the banner and puts the picture back; the end card has no banner.

The console child answers `facts` on its stdin with one JSON line of what its widgets show.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from kiosk.media.generate import ClipSpec
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache
from tests.xvfb import BOOTH_PROJECTOR as PROJECTOR
from tests.xvfb import (
    brightest_on,
    qt_env,
    requires_xvfb,
    screenshot,
    wait_for_input_focus,
)

pytestmark = [
    requires_xvfb,
    pytest.mark.slow,
    pytest.mark.vlc,
    pytest.mark.serial,  # the SIGKILL must land mid-film / mid-card; the clocks are real time
    pytest.mark.skipif(
        not (shutil.which("xdotool") and shutil.which("convert")),
        reason="needs xdotool and ImageMagick (make test installs them)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
FILM_S = 12.0

CHILD = textwrap.dedent(
    """
    import json, sys, threading
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from kiosk.store.event_folder import EventFolder
    from kiosk.ui.app import make_application, open_console

    app = make_application()
    folder = EventFolder(Path(sys.argv[1]))
    lock = folder.event_lock("the console")
    lock.acquire()
    window, _ = open_console(folder)
    window.showMaximized()
    window.activateWindow()
    commands = []

    def read_commands():
        for line in sys.stdin:
            commands.append(line.strip())
        commands.append("quit")

    def facts():
        panel = window.show_panel
        show = window.night.show
        snap = show.snapshot()
        model = panel.run_model
        row = model.row_of_cue(snap.cue.key)
        state = None if row is None else model.data(model.index(row, 4))
        return {
            "phase": snap.phase.value,
            "cue": snap.cue.key,
            "banner": panel.resume_banner.isVisible(),
            "badge": panel.phase_label.text().strip(),
            "row": state,
            "elapsed": panel.elapsed.text(),
            "film_elapsed_s": snap.film_elapsed_s,
            "show_elapsed_s": snap.show_elapsed_s,
            "clock": panel.show_clock.text(),
            "black": snap.black,
        }

    def poll():
        while commands:
            command = commands.pop(0)
            if command == "quit":  # not quit(): the close guard would ask during the show
                app.exit(0)
            elif command == "facts":
                print("FACTS " + json.dumps(facts()), flush=True)

    threading.Thread(target=read_commands, daemon=True).start()
    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(50)
    QTimer.singleShot(0, lambda: print("READY", flush=True))  # the event loop runs
    app.exec()
    window.night.close()
    """
)


def x(display: str, *command: str) -> str:
    result = subprocess.run(
        list(command),
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    return result.stdout


class Console:
    """One console process on the display, driven through stdin and real key events."""

    def __init__(self, display: str, event: EventFolder) -> None:
        self.display = display
        env = qt_env(display, KIOSK_VLC_AOUT="dummy", KIOSK_VLC_VOUT="xcb_x11")
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(event.root)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        self._read_until("READY", 90)

    def _read_until(self, prefix: str, timeout_s: float) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"the console ended (status {self.process.poll()})")
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix} line from the console")

    def facts(self) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write("facts\n")
        self.process.stdin.flush()
        facts: dict[str, Any] = json.loads(self._read_until("FACTS", 20).removeprefix("FACTS "))
        return facts

    def key(self, name: str) -> None:
        """One real key event (XTest) to the console window, which has the input focus first."""
        window = ""
        deadline = time.monotonic() + 30
        while not window and time.monotonic() < deadline:
            window = x(self.display, "xdotool", "search", "--onlyvisible", "--name", "— Console")
            time.sleep(0.1)
        assert window, "no console window"
        x(self.display, "xdotool", "windowactivate", "--sync", window.split()[0])
        wait_for_input_focus(self.display, window.split()[0])
        x(self.display, "xdotool", "key", name)

    def facts_once(self, test: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """The console's facts once `test` holds (polled, bounded)."""
        deadline = time.monotonic() + 20
        while not test(facts := self.facts()):
            assert time.monotonic() < deadline, (what, facts)
            time.sleep(0.1)
        return facts

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with suppress(BrokenPipeError, OSError):
                assert self.process.stdin is not None
                self.process.stdin.close()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def console(display: str, event: EventFolder) -> Iterator[Console]:
    started = Console(display, event)
    try:
        yield started
    finally:
        started.stop()


def projector_brightest(display: str, path: Path) -> int:
    """The brightest channel value (0-255) anywhere on the projector monitor."""
    return brightest_on(display, PROJECTOR, path)


def wait_lit(display: str, path: Path, timeout_s: float = 15.0) -> None:
    """Wait until the projector shows a picture again (brighter than 40 somewhere)."""
    deadline = time.monotonic() + timeout_s
    while projector_brightest(display, path) <= 40:
        assert time.monotonic() < deadline, "the picture never came back after GO"
        time.sleep(0.1)


def watch_projector(display: str, folder: Path, name: str, seconds: float) -> list[int]:
    values: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        values.append(projector_brightest(display, folder / f"{name}-{len(values):02d}.png"))
        time.sleep(0.3)
    return values


def clock_seconds(text: str) -> int:
    """`1:05` or `0:01:05` -> seconds."""
    parts = [int(p) for p in text.split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def show_elapsed_shown(facts: dict[str, Any]) -> int:
    match = re.search(r"elapsed <b>([0-9:]+)</b>", str(facts["clock"]))
    assert match, facts["clock"]
    return clock_seconds(match.group(1))


def film_position(event: EventFolder, film_id: str) -> float:
    entries = Journal(event.open_db()).entries("film_position", "film_started")
    return max(
        (float(e.data.get("position", 0.0)) for e in entries if e.subject == film_id), default=-1.0
    )


@pytest.fixture
def twelve_second_event(tmp_path: Path, film_cache: FilmCache) -> EventFolder:
    """Three 12-second films (the kill lands mid-film even under load) after 1 s title cards
    (a test that needs a longer card sets it)."""
    clip = film_cache.render(
        ClipSpec(("Twelve", "十二"), FILM_S, 320, 180), tmp_path / "twelve.mp4"
    )
    event = write_event(
        tmp_path / "event", [film_toml("L1", clip), film_toml("L2", clip), film_toml("L3", clip)]
    )
    set_title_card_seconds(event, 1)
    return event


def set_title_card_seconds(event: EventFolder, seconds: int) -> None:
    toml = event.root / "event.toml"
    text = re.sub(
        r"title_card_seconds = \d+", f"title_card_seconds = {seconds}", toml.read_text("utf-8")
    )
    toml.write_text(text, "utf-8")


def test_restore_mid_film_with_real_players(
    booth_display: str, twelve_second_event: EventFolder, tmp_path: Path
) -> None:
    display = booth_display
    first = Console(display, twelve_second_event)
    try:
        first.key("space")  # GO: the title card of film 1, then film 1 by itself
        deadline = time.monotonic() + 40
        while film_position(twelve_second_event, "L1") < 2.0:
            assert time.monotonic() < deadline, "film 1 never got 2 s in"
            time.sleep(0.2)
        before = first.facts()
        assert before["phase"] == "film" and before["cue"] == "film:L1", before
        assert projector_brightest(display, tmp_path / "before-kill.png") > 40
    finally:
        first.kill()
    killed_at = time.monotonic()
    position = film_position(twelve_second_event, "L1")
    screenshot(display, tmp_path / "after-kill.png")

    with console(display, twelve_second_event) as second:
        restarted_s = time.monotonic() - killed_at
        held = second.facts()
        shot = screenshot(display, tmp_path / "restored-console.png")
        assert shot.stat().st_size > 0
        # held paused where it was, and every part of the console says so
        assert held["cue"] == "film:L1" and held["phase"] == "paused", held
        assert held["banner"], held
        assert held["badge"].startswith("PAUSED"), held
        assert held["row"] == "⏸ paused", held  # the row says what the badge says
        # the film's elapsed is where it stopped, not 0:00
        assert held["elapsed"] != "0:00", held
        assert abs(clock_seconds(held["elapsed"]) - position) <= 1.5, (held, position)
        # the night's elapsed counts from the first GO, through the restart
        night_before = show_elapsed_shown(before)
        assert show_elapsed_shown(held) >= night_before + int(restarted_s) - 2, (before, held)
        # the projector is black until GO
        values = watch_projector(display, tmp_path, "held", 3.0)
        assert max(values) <= 8, f"the restored film must stay dark until GO: {values}"

        second.key("space")  # GO continues the film
        running = second.facts_once(lambda f: f["phase"] != "paused", "GO carried out")
        assert running["phase"] == "film" and not running["banner"], running
        assert running["row"] == "▶ playing", running
        assert clock_seconds(running["elapsed"]) >= clock_seconds(held["elapsed"]), running
        wait_lit(display, tmp_path / "after-go.png")

        end = running  # skip to the end of the night, one cue at a time
        for _ in range(12):
            if end["cue"] == "end":
                break
            second.key("n")
            skipped_from = str(end["cue"])

            def moved_on(facts: dict[str, Any], cue: str = skipped_from) -> bool:
                return bool(facts["cue"] != cue)

            end = second.facts_once(moved_on, "the skip")
        assert end["cue"] == "end", end
        assert not end["banner"], end
        screenshot(display, tmp_path / "end-card.png")


def test_restore_mid_title_card_keeps_the_projector_black(
    booth_display: str, twelve_second_event: EventFolder, tmp_path: Path
) -> None:
    display = booth_display
    # A long card, so the kill lands on it however loaded the machine (a 10 s card ended before
    # the kill in a loaded run: film 1 was playing). The test ends at the restored card's GO.
    set_title_card_seconds(twelve_second_event, 60)
    first = Console(display, twelve_second_event)
    try:
        first.key("space")  # GO: the 60 s title card of film 1
        during = first.facts_once(lambda f: f["cue"] != "holding", "GO carried out")
        assert during["cue"] == "card:L1", during
        assert projector_brightest(display, tmp_path / "card-before-kill.png") > 40
    finally:
        first.kill()

    with console(display, twelve_second_event) as second:
        held = second.facts()
        screenshot(display, tmp_path / "restored-card-console.png")
        assert held["cue"] == "card:L1", held
        assert held["banner"], held
        assert held["phase"] in ("paused", "black"), held
        assert held["badge"].startswith(("PAUSED", "BLACK")), held
        assert held["row"] in ("⏸ paused", "■ black"), held  # the row says what the badge says
        assert show_elapsed_shown(held) >= 1, held  # not 0:00: the night began before the kill
        values = watch_projector(display, tmp_path, "card-held", 3.0)
        assert max(values) <= 8, f"a restored title card must stay dark until GO: {values}"

        second.key("space")  # GO goes on to the film
        running = second.facts_once(lambda f: not f["banner"], "GO carried out")
        assert running["phase"] in ("card", "film"), running
        wait_lit(display, tmp_path / "card-after-go.png")
