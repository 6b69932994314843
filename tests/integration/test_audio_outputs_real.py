"""The Outputs dialog through a real PulseAudio server (issue #23 item 1): libvlc's real device
list becomes friendly sink names with the one in use marked and selected, and "Test tone" plays
on the output selected while the system's default is another sink: PulseAudio itself shows the
tone's stream on the chosen sink, and `parec` on that sink's monitor hears it.

The dialog and libvlc run in a child process (`tone_child.py`), as the other listening tests do:
a parec started beside an in-process libvlc recorded nothing here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.media.test_tone import TONE_DBFS, TONE_HZ
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

pytestmark = [
    requires_pulseaudio,
    pytest.mark.vlc,
    pytest.mark.slow,
    pytest.mark.serial,  # a real-time capture: under other suites' load parec drops stretches
]
ROOT = Path(__file__).resolve().parents[2]
# parec beside libvlc sometimes records nothing, or silence, on a loaded machine (its stream
# connected, the tone's stream on the right sink): the tone is played again, at most this many
# times, until it is recorded; where the stream goes is checked on every try
TRIES = 5


def pactl(pulse: PulseServer, *args: str) -> str:
    return subprocess.run(
        ["pactl", *args],
        env={**os.environ, **pulse.env},
        check=True,
        timeout=10,
        capture_output=True,
        text=True,
    ).stdout


def sink_index(pulse: PulseServer, name: str) -> str:
    for line in pactl(pulse, "list", "short", "sinks").splitlines():
        fields = line.split("\t")
        if fields[1] == name:
            return fields[0]
    raise AssertionError(f"no sink {name}")


def wait_until_recording(pulse: PulseServer) -> None:
    """parec's stream is connected (on a loaded machine it can take over a second)."""
    deadline = time.monotonic() + 15
    while not pactl(pulse, "list", "short", "source-outputs").strip():
        assert time.monotonic() < deadline, "parec never connected"
        time.sleep(0.05)


@pytest.fixture
def two_sinks(tmp_path: Path) -> Iterator[PulseServer]:
    """The hall's output (`cap`, "Null Output", recorded) and another one, "Laptop_speakers",
    that is the system's default: a tone that ignored the choice would go there."""
    with pulse_server(tmp_path) as pulse:
        pactl(pulse, "load-module", "module-null-sink", "sink_name=desk",
              "sink_properties=device.description=Laptop_speakers")  # fmt: skip
        pactl(pulse, "set-default-sink", "desk")
        yield pulse


def test_real_sinks_by_name_and_the_tone_on_the_one_chosen(
    two_sinks: PulseServer, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.tone_child", SINK],
        env={**os.environ, **two_sinks.env, "QT_QPA_PLATFORM": "offscreen"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    child = LineChild(process, "")
    child.start_reading()
    levels = np.zeros(0)
    streams_on: set[str] = set()
    try:
        offered = json.loads(child.expect("OUTPUTS", 60).removeprefix("OUTPUTS "))
        names = {name for _, name, _ in offered["outputs"]}
        assert {"Null Output", "Laptop_speakers"} <= names, offered
        assert [device for device, _, in_use in offered["outputs"] if in_use] == [SINK]
        assert offered["selected"] == SINK and "in use" in offered["selected_text"], offered
        for attempt in range(1, TRIES + 1):
            capture = tmp_path / f"tone-{attempt}.wav"
            with record(two_sinks, capture):
                wait_until_recording(two_sinks)
                child.send("go")
                child.expect("PLAYING", 20)
                streams = {
                    line.split("\t")[1]
                    for line in pactl(two_sinks, "list", "short", "sink-inputs").splitlines()
                }
                streams_on |= streams
                child.expect("DONE", 20)
            levels = tone_levels(read_capture(capture), [TONE_HZ], window_s=0.05)[:, 0]
            if streams and levels.size and abs(float(levels.max()) - TONE_DBFS) < 3.0:
                break  # seen and recorded; else libvlc or parec dropped it: play it again
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
    assert streams_on == {sink_index(two_sinks, SINK)}, streams_on  # not the default sink
    heard = levels[levels > -40.0]
    print(f"\ntest tone on '{SINK}' (try {attempt}): {heard.size} windows of 50 ms heard, "
          f"peak {levels.max() if levels.size else float('nan'):.1f} dBFS")  # fmt: skip
    assert heard.size > 0, "the tone was not heard on the chosen sink"
    assert abs(float(heard.max()) - TONE_DBFS) < 3.0, heard  # -18 dBFS: heard, not a shock
