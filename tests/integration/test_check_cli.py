"""`python main.py check --json` as a real process on the demo night: the lines, their order,
and each turning red when the thing it checks is broken for real (a film replaced, the vote key
gone, the real server killed where the stations were told it is, the projector unplugged,
the chosen sound output absent)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.booth_lines import judge_disk
from kiosk.core.console_settings import ConsoleSettings
from kiosk.store.console_settings import write_console_settings
from kiosk.store.event_folder import EventFolder
from tests.sound_capture import SINK, pulse_server, requires_pulseaudio
from tests.station_helpers import start_server
from tests.xvfb import Monitor, requires_xvfb, xvfb_display

# every test checks the preflighted demo night (its 35 films measured by ffmpeg once a run)
pytestmark = pytest.mark.slow

MAIN = Path(__file__).resolve().parents[2] / "main.py"
ORDER = [
    "session", "projector", "audio", "inhibit", "power", "notifications",
    "disk", "films", "seal", "vote_key", "server", "clock",
]  # fmt: skip


def check(folder: EventFolder, **env: str) -> tuple[int, dict[str, Any]]:
    """Run `check --json`; (exit status, {line id: line}) with the JSON's `ok` under "ok"."""
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "PULSE_SERVER")}
    result = subprocess.run(
        [sys.executable, str(MAIN), "--event", str(folder.root), "check", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**base, **env},
    )
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert [line["id"] for line in data["checks"]] == ORDER
    for line in data["checks"]:
        assert {"id", "state", "detail_en", "detail_zh", "fix"} <= set(line)
        assert line["state"] in ("green", "amber", "red")
        assert line["detail_zh"] and (line["state"] == "green") == (line["fix"] == "")
    reds = [line["id"] for line in data["checks"] if line["state"] == "red"]
    assert data["ok"] is (not reds) and result.returncode == (1 if reds else 0)
    return result.returncode, {"ok": data["ok"], **{line["id"]: line for line in data["checks"]}}


def disk_state(folder: EventFolder) -> str:
    """What the disk line must say about the machine's real free space now."""
    return judge_disk(shutil.disk_usage(folder.root).free, str(folder.root)).state.value


def test_event_lines_follow_the_real_event(preflighted_demo: EventFolder) -> None:
    # the disk line reads the machine's real free space: green here only while it has 2 GB
    # (a clean clone's run on a nearly full disk heard "amber", rightly)
    before = disk_state(preflighted_demo)
    _, lines = check(preflighted_demo)
    assert lines["disk"]["state"] in {before, disk_state(preflighted_demo)}, lines["disk"]
    for line_id in ("films", "seal", "vote_key"):
        assert lines[line_id]["state"] == "green", lines[line_id]
    assert lines["server"]["state"] == "amber"  # the server never ran for this event
    assert lines["projector"]["state"] == "amber"  # no display here: said so, not guessed

    server = start_server(preflighted_demo.root)  # the real `serve`, on 127.0.0.1
    try:
        _, lines = check(preflighted_demo)
        assert lines["server"]["state"] == "amber"  # both answer, but only on this laptop
        assert "only on this laptop" in lines["server"]["detail_en"]
        for port in (server.port, server.vote_port):
            assert f"127.0.0.1:{port}" in lines["server"]["detail_en"]
    finally:
        server.kill()  # SIGKILL: a crash, or the server closed by mistake
    port = server.port

    film = preflighted_demo.load_programme().films[3].file
    with film.open("ab") as handle:
        handle.write(b"\0" * 4096)  # re-exported after preflight
    (preflighted_demo.root / "vote-key.sealed").unlink()
    status, lines = check(preflighted_demo)
    assert status == 1 and lines["ok"] is False
    assert lines["server"]["state"] == "red" and f"127.0.0.1:{port}" in lines["server"]["detail_en"]
    assert (
        lines["films"]["state"] == "red"
        and "missing since preflight: F04" in lines["films"]["detail_en"]
    )
    assert lines["vote_key"]["state"] == "red" and "No vote key" in lines["vote_key"]["detail_en"]
    assert lines["seal"]["state"] == "green"


@requires_xvfb
def test_projector_line_reads_the_screens(preflighted_demo: EventFolder) -> None:
    monitors = [Monitor("CONSOLE", 1366, 768), Monitor("PROJECTOR", 1920, 1080, 1366)]
    with xvfb_display(3286, 1080, window_manager=False, monitors=monitors) as display:
        _, lines = check(preflighted_demo, DISPLAY=display)
        assert lines["projector"]["state"] == "green"
        assert "PROJECTOR at 1920x1080" in lines["projector"]["detail_en"]
        write_console_settings(preflighted_demo.root, ConsoleSettings(projector_screen="HDMI-9"))
        _, lines = check(preflighted_demo, DISPLAY=display)
        assert lines["projector"]["state"] == "red" and "HDMI-9" in lines["projector"]["detail_en"]
    with xvfb_display(1366, 768, window_manager=False) as display:
        write_console_settings(preflighted_demo.root, ConsoleSettings())
        _, lines = check(preflighted_demo, DISPLAY=display)
        assert lines["projector"]["state"] == "red"
        assert "Only one screen" in lines["projector"]["detail_en"]


@requires_pulseaudio
def test_audio_line_asks_the_sound_server(preflighted_demo: EventFolder, tmp_path: Path) -> None:
    with pulse_server(tmp_path) as pulse:
        write_console_settings(preflighted_demo.root, ConsoleSettings(audio_device=SINK))
        _, lines = check(preflighted_demo, **pulse.env)
        assert lines["audio"]["state"] == "amber", lines["audio"]  # there; tone on the console
        assert SINK in lines["audio"]["detail_en"]
        write_console_settings(preflighted_demo.root, ConsoleSettings(audio_device="sound-desk"))
        _, lines = check(preflighted_demo, **pulse.env)
        assert lines["audio"]["state"] == "red" and "sound-desk" in lines["audio"]["detail_en"]
    _, lines = check(preflighted_demo, XDG_RUNTIME_DIR=str(tmp_path / "nothing"))
    assert lines["audio"]["state"] == "red" and "No sound server" in lines["audio"]["detail_en"]
