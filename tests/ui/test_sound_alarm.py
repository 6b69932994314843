"""The "No sound" alarm against the real thing: PulseAudio dies (or its sink goes) mid-film.

The real console and night (`open_console`) run in a child process on an Xvfb screen split
into a 1366x768 console monitor and a projector monitor, with real libvlc playing a real film
(a steady tone, a green picture) through a private PulseAudio server with a null sink, recorded
in real time with `parec`. Mid-film the test SIGKILLs the sound server (or unloads its sink)
and measures, on the shared monotonic clock, how long until the console's banner is up; it
checks the log panel says it, and that the projector's pixels still show the film (nothing red
of the banner on it). Then it brings the sound back (a new server / the sink again) and checks
that the banner goes down and that the film's tone is really heard again in the capture.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from kiosk.media.generate import ClipSpec
from kiosk.store.event_folder import EventFolder
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache
from tests.process_lines import pump_lines
from tests.sound_capture import (
    RATE,
    SINK,
    PulseServer,
    pulse_server,
    read_capture,
    record,
    requires_pulseaudio,
    restart_pulse,
    tone_levels,
)
from tests.xvfb import Monitor, qt_env, requires_xvfb, screenshot, xvfb_display

pytestmark = [
    requires_xvfb,
    requires_pulseaudio,
    pytest.mark.vlc,
    pytest.mark.slow,
    pytest.mark.serial,  # measures real time (the alarm's latency, the sound heard)
    pytest.mark.skipif(not shutil.which("convert"), reason="needs ImageMagick's convert"),
]

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = Monitor("CONSOLE", 1366, 768)
PROJECTOR = Monitor("PROJECTOR", 1280, 720, x=1366)
TONE_HZ = 500
NEXT_TONE_HZ = 800
FILM_GREEN = "0x1f9a3c"  # the film's picture: (31, 154, 60)
ALARM_WITHIN_S = 2.0  # the banner is up this soon after the sound goes (measured: ~0.3 s)
BACK_WITHIN_S = 8.0  # ... and down this soon after the sound server is back (2 s retries)
HEARD_DBFS = -45.0

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from kiosk.store.event_folder import EventFolder
    from kiosk.ui.app import make_application, open_console

    app = make_application()
    window, _ = open_console(EventFolder(Path(sys.argv[1])), screen_name="PROJECTOR")
    window.showMaximized()
    night = window.night

    def say(*parts):
        print(*parts, flush=True)

    def lost(device, reason):
        say("BANNER_UP", time.monotonic(), window.sound_banner.isVisible(), json.dumps(
            {"headline": window.sound_banner.headline.text(), "title": window.windowTitle()}))
        say("LOGPANEL", json.dumps(window.log_view.toPlainText()))

    def back(device, seconds):
        say("BANNER_DOWN", time.monotonic(), window.sound_banner.isVisible(), seconds)
        say("LOGPANEL", json.dumps(window.log_view.toPlainText()))

    night.sound.lost.connect(lost)  # after the banner's own connection: it is up by now
    night.sound.back.connect(back)
    night.projector.players.film_started.connect(lambda f: say("FILM", f, time.monotonic()))
    import queue, threading
    from PySide6.QtCore import QTimer
    commands = queue.SimpleQueue()  # lines from the test: "go"; end of input: quit

    def read_commands():
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("quit")

    def obey():
        while not commands.empty():
            command = commands.get()
            if command in ("go", "skip"):
                window.keys.press(command)  # as the operator's Space / N
            elif command == "quit":
                app.quit()

    threading.Thread(target=read_commands, daemon=True).start()
    poll = QTimer()
    poll.timeout.connect(obey)
    poll.start(50)
    say("READY")
    app.exec()
    """
)


@pytest.fixture
def long_film_event(tmp_path: Path, film_cache: FilmCache) -> EventFolder:
    spec = ClipSpec(("Sound check", "聲音測試"), 40.0, 320, 180, colour=FILM_GREEN, tone_hz=TONE_HZ)
    film = film_cache.render(spec, tmp_path / "films" / "tone.mp4")
    # the next film, primed (paused on its first frame) while the sound is lost
    spec = ClipSpec(("Next", "下一部"), 20.0, 320, 180, colour=FILM_GREEN, tone_hz=NEXT_TONE_HZ)
    after = film_cache.render(spec, tmp_path / "films" / "next.mp4")
    return write_event(tmp_path / "event", [film_toml("A1", film), film_toml("A2", after)])


def pactl(server: PulseServer, *args: str) -> str:
    result = subprocess.run(
        ["pactl", *args],
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    return result.stdout


def projector_colour(display: str, path: Path) -> tuple[int, int, int]:
    """The mean colour of the projector monitor (a screenshot saved at `path`)."""
    screenshot(display, path)
    crop = f"{PROJECTOR.width}x{PROJECTOR.height}+{PROJECTOR.x}+{PROJECTOR.y}"
    mean = "%[fx:int(255*r)],%[fx:int(255*g)],%[fx:int(255*b)]"
    result = subprocess.run(
        [
            "convert",
            str(path),
            "-crop",
            crop,
            "+repage",
            "-scale",
            "1x1!",
            "-format",
            mean,
            "info:",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    red, green, blue = (int(v) for v in result.stdout.strip().split(","))
    return red, green, blue


def crop_console(shot: Path, out: Path) -> Path:
    crop = f"{CONSOLE.width}x{CONSOLE.height}+0+0"
    subprocess.run(["convert", str(shot), "-crop", crop, "+repage", str(out)], check=True)
    return out


@contextmanager
def console_child(
    display: str, event: EventFolder, pulse: PulseServer
) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str]]]:
    env = qt_env(display, KIOSK_VLC_VOUT="xcb_x11", **pulse.env)
    env.pop("KIOSK_VLC_AOUT", None)
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(event.root)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    lines: queue.Queue[str] = queue.Queue()
    errors: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None and process.stderr is not None
    threading.Thread(target=pump_lines, args=(process.stdout, lines), daemon=True).start()
    threading.Thread(target=pump_lines, args=(process.stderr, errors), daemon=True).start()
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            with suppress(BrokenPipeError):
                assert process.stdin is not None
                process.stdin.close()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        tail = []
        while not errors.empty():
            tail.append(errors.get())
        print("child stderr (last lines):\n" + "".join(tail[-80:]))


def wait_for(
    lines: queue.Queue[str], pattern: str, timeout_s: float, seen: list[str]
) -> re.Match[str]:
    """The first line from the child matching `pattern`; every line read goes into `seen`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(f"{time.monotonic():.3f} {line.strip()[:150]}")
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} within {timeout_s} s")


def command(child: subprocess.Popen[str], line: str) -> None:
    """Tell the console child to do something (see CHILD)."""
    assert child.stdin is not None
    child.stdin.write(line + "\n")
    child.stdin.flush()


def is_film_green(colour: tuple[int, int, int]) -> bool:
    red, green, blue = colour
    return green > 90 and green > red + 50 and green > blue + 40


@pytest.mark.parametrize("failure", ["kill", "unload", "suspend"])
def test_sound_lost_mid_film_raises_the_banner_and_clears_when_sound_is_back(
    long_film_event: EventFolder, tmp_path: Path, failure: str
) -> None:
    width = CONSOLE.width + PROJECTOR.width
    seen: list[str] = []
    with (
        xvfb_display(width, 768, monitors=[CONSOLE, PROJECTOR]) as display,
        pulse_server(tmp_path / "pulse") as pulse,
        console_child(display, long_film_event, pulse) as (child, lines),
    ):
        wait_for(lines, r"^READY", 60, seen)
        command(child, "go")
        with record(pulse, tmp_path / "before.wav"):
            wait_for(lines, r"^FILM A1", 30, seen)
            time.sleep(3.0)  # the film plays, heard
        before = projector_colour(display, tmp_path / "before.png")
        assert is_film_green(before), f"the film should be on the projector: {before}"

        # the sound goes
        if failure == "kill":
            lost_at = time.monotonic()
            os.kill(pulse.pid, signal.SIGKILL)
        elif failure == "suspend":
            lost_at = time.monotonic()
            pactl(pulse, "suspend-sink", SINK, "1")
        else:
            module = next(
                line.split()[0]
                for line in pactl(pulse, "list", "short", "modules").splitlines()
                if "module-null-sink" in line
            )
            lost_at = time.monotonic()
            pactl(pulse, "unload-module", module)
        up = wait_for(lines, r"^BANNER_UP (\S+) (\S+) (.*)$", 10, seen)
        latency = float(up.group(1)) - lost_at
        print(f"\n{failure}: banner up {latency * 1000:.0f} ms after the sound went")
        assert up.group(2) == "True"
        facts = json.loads(up.group(3))
        assert "No sound — audio output lost: " in facts["headline"], facts
        assert "cap" in facts["headline"], facts  # the device, by name
        assert facts["title"].startswith("NO SOUND"), facts
        panel = json.loads(wait_for(lines, r"^LOGPANEL (.*)$", 5, seen).group(1))
        assert "NO SOUND · 沒有聲音 — audio output lost" in panel, panel[-600:]
        assert latency <= ALARM_WITHIN_S
        time.sleep(0.6)
        shot = screenshot(display, tmp_path / "screen-sound-lost.png")
        crop_console(shot, tmp_path / "console-sound-lost-1366x768.png")
        during = projector_colour(display, tmp_path / "projector-sound-lost.png")
        assert is_film_green(during), f"the projector must show only the film: {during}"
        assert max(abs(a - b) for a, b in zip(before, during, strict=True)) <= 12, (
            before,
            during,
        )

        # the sound comes back: the app reconnects by itself
        server = pulse
        if failure == "kill":
            time.sleep(1.0)
            server = restart_pulse(pulse)
        elif failure == "suspend":
            pactl(pulse, "suspend-sink", SINK, "0")
        else:
            pactl(pulse, "load-module", "module-null-sink", f"sink_name={SINK}", f"rate={RATE}")
            pactl(pulse, "set-default-sink", SINK)
        restored_at = time.monotonic()
        try:
            with record(server, tmp_path / "after.wav"):
                down = wait_for(lines, r"^BANNER_DOWN (\S+) (\S+) (\S+)", BACK_WITHIN_S + 2, seen)
                panel = json.loads(wait_for(lines, r"^LOGPANEL (.*)$", 5, seen).group(1))
                time.sleep(4.0)  # listen to the film after the banner went down
            # and the next film, which was primed on the lost output
            command(child, "skip")  # its title card, then the film
            with record(server, tmp_path / "next.wav"):
                wait_for(lines, r"^FILM A2", 30, seen)
                time.sleep(5.0)
        finally:
            if server is not pulse:  # the restarted server is ours to stop
                with suppress(ProcessLookupError):
                    os.kill(server.pid, signal.SIGTERM)
        recovery = float(down.group(1)) - restored_at
        print(f"{failure}: banner down {recovery:.1f} s after the sound server was back")
        print("what the child said (monotonic clock):\n" + "\n".join(seen))
        assert down.group(2) == "False"
        assert recovery <= BACK_WITHIN_S
        assert "Sound is back · 聲音已恢復" in panel, panel[-600:]
        assert is_film_green(projector_colour(display, tmp_path / "projector-after.png"))

    heard_before = tone_levels(read_capture(tmp_path / "before.wav"), [TONE_HZ], 0.1)[:, 0]
    heard_after = tone_levels(read_capture(tmp_path / "after.wav"), [TONE_HZ], 0.1)[:, 0]
    print(
        f"{failure}: tone heard in {100 * (heard_before[-20:] >= HEARD_DBFS).mean():.0f}% of the "
        f"last 2 s before the loss, {100 * (heard_after[-20:] >= HEARD_DBFS).mean():.0f}% of "
        "the last 2 s after the banner went down"
    )
    print("after, dBFS per 0.1 s:", " ".join(f"{v:.0f}" for v in heard_after))
    assert (heard_before[-20:] >= HEARD_DBFS).mean() > 0.9, "the film was heard before"
    assert (heard_after[-20:] >= HEARD_DBFS).mean() > 0.9, "the film must be heard again"
    heard_next = (
        tone_levels(read_capture(tmp_path / "next.wav"), [NEXT_TONE_HZ], 0.1)[:, 0] >= HEARD_DBFS
    )
    assert heard_next.any(), "the next film must be heard"
    next_film = heard_next[int(heard_next.argmax()) :]
    print(
        f"{failure}: the next film heard in {100 * next_film.mean():.0f}% of its "
        f"{len(next_film) / 10:.1f} s captured (silent windows: {int((~next_film).sum())} of 0.1 s)"
    )
    assert next_film.mean() > 0.9


def test_sound_server_dying_between_films_is_seen_before_go(
    long_film_event: EventFolder, tmp_path: Path
) -> None:
    """At the holding slide libvlc logs nothing: the socket probe raises the alarm; once the
    server is back the banner goes down, and the film that then plays is heard."""
    width = CONSOLE.width + PROJECTOR.width
    seen: list[str] = []
    with (
        xvfb_display(width, 768, monitors=[CONSOLE, PROJECTOR]) as display,
        pulse_server(tmp_path / "pulse") as pulse,
        console_child(display, long_film_event, pulse) as (child, lines),
    ):
        wait_for(lines, r"^READY", 60, seen)
        time.sleep(1.0)
        lost_at = time.monotonic()
        os.kill(pulse.pid, signal.SIGKILL)
        up = wait_for(lines, r"^BANNER_UP (\S+) (\S+) (.*)$", 10, seen)
        latency = float(up.group(1)) - lost_at
        print(f"\nidle kill: banner up {latency * 1000:.0f} ms after the server died")
        assert latency <= 3.0  # one probe period (2 s) and a tick
        panel = json.loads(wait_for(lines, r"^LOGPANEL (.*)$", 5, seen).group(1))
        assert "the sound server does not answer" in panel, panel[-600:]
        server = restart_pulse(pulse)
        try:
            restored_at = time.monotonic()
            down = wait_for(lines, r"^BANNER_DOWN (\S+) (\S+) (\S+)", BACK_WITHIN_S + 2, seen)
            print(f"idle kill: banner down {float(down.group(1)) - restored_at:.1f} s after")
            command(child, "go")
            with record(server, tmp_path / "after.wav"):
                wait_for(lines, r"^FILM A1", 30, seen)
                time.sleep(5.0)
        finally:
            with suppress(ProcessLookupError):
                os.kill(server.pid, signal.SIGTERM)
        print("what the child said (monotonic clock):\n" + "\n".join(seen))
        assert not any(line.split()[1] == "BANNER_UP" for line in seen[-3:]), seen
    heard = tone_levels(read_capture(tmp_path / "after.wav"), [TONE_HZ], 0.1)[:, 0] >= HEARD_DBFS
    assert heard.any(), "the next film must be heard"
    film = heard[int(heard.argmax()) :]  # from the film's first sound to the capture's end
    print(
        f"idle kill: the next film heard in {100 * film.mean():.0f}% of its {len(film) / 10:.1f} s"
        f" captured (silent windows: {int((~film).sum())} of 0.1 s)"
    )
    assert film.mean() > 0.9, "the next film must be heard"
