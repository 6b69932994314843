"""The booth checklist on the console, through the real thing: the console on Xvfb with a
projector monitor, K pressed as a real X key (xdotool), the lines gathered off the GUI thread,
screenshots at 1366x768 and 1920x1080; the test tone heard on a real PulseAudio null sink
(parec) and the sound line turning green once the operator says it was heard; the run sheet
button writing its PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.console_settings import ConsoleSettings
from kiosk.media.test_tone import TONE_DBFS, TONE_HZ
from kiosk.store.console_settings import write_console_settings
from kiosk.store.event_folder import EventFolder
from tests.line_child import LineChild
from tests.sound_capture import (
    SINK,
    PulseServer,
    pulse_server,
    read_capture,
    record,
    requires_pulseaudio,
    tone_levels,
)
from tests.xvfb import Monitor, qt_env, requires_xvfb, screenshot, xvfb_display

XDOTOOL = shutil.which("xdotool")
CHILD = Path(__file__).with_name("console_child.py")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"

pytestmark = [
    requires_xvfb,
    requires_pulseaudio,
    pytest.mark.skipif(XDOTOOL is None, reason="xdotool is needed (make test installs it)"),
    pytest.mark.serial,  # the tone is heard in real time
]


class Console(LineChild):
    """The console child: its state as JSON, real keys through xdotool."""

    def state(self) -> dict[str, Any]:
        self.send("checklist")
        found: dict[str, Any] = json.loads(self.expect("CHECKLIST", 30).split(" ", 1)[1])
        return found

    def wait_for(self, what: str, test: Any, timeout_s: float = 90.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.state()
            if test(found):
                return found
            time.sleep(0.3)
        raise AssertionError(f"{what}: not within {timeout_s} s; last state {found}")

    def xdotool(self, *args: str) -> None:
        subprocess.run(
            [XDOTOOL or "xdotool", *args],
            env=qt_env(self.display),
            check=True,
            timeout=30,
            capture_output=True,
        )


@contextmanager
def console_on_xvfb(
    event: EventFolder, tmp_path: Path, pulse: PulseServer, console: Monitor
) -> Iterator[Console]:
    projector = Monitor("PROJECTOR", 1920, 1080, x=console.width)
    with (
        xvfb_display(console.width + 1920, 1080, monitors=[console, projector]) as display,
        (tmp_path / "console-stderr.txt").open("w") as errors,
    ):
        process = subprocess.Popen(
            [sys.executable, str(CHILD), str(event.root)],
            env=qt_env(display, KIOSK_VLC_VOUT="xcb_x11", **pulse.env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=REPO,
        )
        child = Console(process, display)
        child.start_reading()
        try:
            child.expect("READY", 120)
            deadline = time.monotonic() + 30
            while True:  # the projector window opens too: the keys must go to the console
                child.send("activate")
                if child.expect("ACTIVE").endswith("True") or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            yield child
        finally:
            child.close()


def gathered(state: dict[str, Any]) -> bool:
    return bool(state.get("visible") and state.get("lines") and not state.get("busy"))


def shoot(child: Console, tmp_path: Path, console: Monitor, name: str) -> Path:
    child.send("settle")
    child.expect("SETTLED")
    whole = screenshot(child.display, tmp_path / "root.png")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / name
    crop = f"{console.width}x{console.height}+0+0"
    subprocess.run(["convert", str(whole), "-crop", crop, "+repage", str(out)], check=True)
    return out


def lines_of(state: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {line["id"]: line for line in state["lines"]}


def test_checklist_on_the_laptop_screen_with_the_tone_heard(
    preflighted_demo: EventFolder, tmp_path: Path
) -> None:
    console = Monitor("CONSOLE", 1366, 768)
    write_console_settings(preflighted_demo.root, ConsoleSettings(audio_device=SINK))
    with (
        pulse_server(tmp_path) as pulse,
        console_on_xvfb(preflighted_demo, tmp_path, pulse, console) as child,
    ):
        child.xdotool("key", "k")
        state = child.wait_for("the checklist gathered", gathered)
        x, y, width, height = state["geometry"]
        assert x >= 0 and y >= 0 and x + width <= 1366 and y + height <= 768  # fits the laptop
        lines = lines_of(state)
        assert list(lines) == [
            "session",
            "projector",
            "audio",
            "inhibit",
            "power",
            "notifications",
            "disk",
            "films",
            "seal",
            "vote_key",
            "server",
            "clock",
        ]
        assert lines["projector"]["state"] == "green", lines["projector"]
        assert "PROJECTOR at 1920x1080" in lines["projector"]["detail_en"]
        assert lines["films"]["state"] == "green" and lines["seal"]["state"] == "green"
        assert lines["audio"]["state"] == "amber"  # there, not yet heard
        assert "projector=green" in "\n".join(state["log"])  # the checklist, in the log
        shoot(child, tmp_path, console, "checklist-1366x768.png")

        capture = tmp_path / "tone.wav"
        with record(pulse, capture):
            child.send("click tone")
            child.wait_for("the tone played", lambda s: s["asking"], 30)
        levels = tone_levels(read_capture(capture), [TONE_HZ])[:, 0]
        loud = levels > TONE_DBFS - 6
        assert loud.sum() * 0.05 >= 2.0, f"the tone was not heard: max {levels.max():.1f} dBFS"
        child.send("click heard")
        state = child.wait_for(
            "the sound line green",
            lambda s: gathered(s) and lines_of(s)["audio"]["state"] == "green",
        )
        assert "heard in the hall" in lines_of(state)["audio"]["detail_en"]
        shoot(child, tmp_path, console, "checklist-1366x768-tone-heard.png")

        child.send("click runsheet")
        sheet = child.wait_for(
            "the run sheet written", lambda s: any("Run sheet written" in x for x in s["log"])
        )
        written = next(x for x in sheet["log"] if "Run sheet written" in x)
        assert list(preflighted_demo.root.glob("run-sheet-*.pdf")), written


def test_checklist_on_a_full_hd_laptop(preflighted_demo: EventFolder, tmp_path: Path) -> None:
    console = Monitor("CONSOLE", 1920, 1080)
    with (
        pulse_server(tmp_path) as pulse,
        console_on_xvfb(preflighted_demo, tmp_path, pulse, console) as child,
    ):
        child.xdotool("key", "k")
        state = child.wait_for("the checklist gathered", gathered)
        x, y, width, height = state["geometry"]
        assert x + width <= 1920 and y + height <= 1080
        shoot(child, tmp_path, console, "checklist-1920x1080.png")
