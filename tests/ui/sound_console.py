"""A real console heard through a private PulseAudio server: `open_console` in a child process
on an Xvfb display, driven by lines, telling the test what it does on the shared monotonic clock.

    with sound_console(display, event, pulse) as console:
        console.expect(r"^READY", 60)
        console.command("go")                       # the operator's Space ("skip": N)
        film = console.expect(r"^FILM (\\S+)", 30)   # a film's first picture, on the projector

Lines the child prints: `READY`; `FILM <id> <t>` when a film starts; `BANNER_UP <t> <visible>
<json>` / `BANNER_DOWN <t> <visible> <seconds>` when the sound is lost / back (after the banner
reacted); `LOGPANEL <json>` (the log panel's text) after each; `SLOTS <json>` (each film
player's state) when asked with "slots"; `STING <t>` after the night's sting (the reveal's
`StingPlayer`) was started with "sting"; `RECONNECTED` after "reconnect" (the sound
alarm's, as the operator's Reconnect). Shared by the sound alarm tests
and the chosen-output test; the console's own settings (`console-settings.json` in the event)
choose its projector screen and audio device as on the night.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kiosk.store.event_folder import EventFolder
from tests.process_lines import pump_lines
from tests.sound_capture import PulseServer
from tests.xvfb import qt_env

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from kiosk.media.player import SLOTS
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
    commands = queue.SimpleQueue()  # lines from the test: "go", "skip"; end of input: quit

    def read_commands():
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("quit")

    def obey():
        while not commands.empty():
            command = commands.get()
            if command in ("go", "skip"):
                window.keys.press(command)  # as the operator's Space / N
            elif command == "sting":  # the reveal's sting, as an award's presentation plays it
                night.projector.sting.play(100)
                say("STING", time.monotonic())
            elif command == "reconnect":  # a new audio output, as after the sound server went
                night.sound.reconnect()
                say("RECONNECTED")
            elif command == "slots":
                players = night.projector.players
                say("SLOTS", json.dumps({s: players.state_of(s).value for s in SLOTS}))
            elif command == "quit":
                app.exit(0)  # not quit(): Qt 6 asks the windows, and a show refuses to close

    threading.Thread(target=read_commands, daemon=True).start()
    poll = QTimer()
    poll.timeout.connect(obey)
    poll.start(50)
    say("READY")
    app.exec()
    """
)


class SoundConsole:
    """The console child: its lines (each one read is kept in `seen`, with the time it was
    read) and the commands sent to it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None and process.stderr is not None
        threading.Thread(target=pump_lines, args=(process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=pump_lines, args=(process.stderr, self.errors), daemon=True).start()

    def expect(self, pattern: str, timeout_s: float) -> re.Match[str]:
        """The first line from the child matching `pattern` (the lines before it are read)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(f"{time.monotonic():.3f} {line.strip()[:150]}")
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(
            f"no line matching {pattern!r} within {timeout_s} s (child "
            f"{'running' if self.process.poll() is None else 'ended'}); seen:\n"
            + "\n".join(self.seen[-20:])
        )

    def command(self, line: str) -> None:
        """Tell the console to do something: "go" (Space), "skip" (N), "sting",
        "reconnect", "slots"."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_until_primed(self, timeout_s: float = 30.0) -> None:
        """Until the next film is primed: paused on its first frame, its sound stream quiet
        (while a film primes it plays muted, and libvlc writes to the sound server)."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.command("slots")
            states = json.loads(self.expect(r"^SLOTS (.*)$", 10).group(1))
            values = set(states.values())
            if "ready" in values and "priming" not in values:
                return
            assert time.monotonic() < deadline, f"no film primed: {states}"
            time.sleep(0.1)

    def stderr_tail(self, count: int = 80) -> str:
        """The child's last lines on stderr (its log)."""
        tail = []
        while not self.errors.empty():
            tail.append(self.errors.get())
        return "".join(tail[-count:])


@contextmanager
def sound_console(
    display: str, event: EventFolder, pulse: PulseServer, extra_env: dict[str, str] | None = None
) -> Iterator[SoundConsole]:
    """Start the console child on `display`, its sound on `pulse` (`extra_env` added to its
    environment, e.g. tests/pulse_faults.py's); close it after (its stderr's tail is printed,
    for a failing test's report)."""
    env = qt_env(display, KIOSK_VLC_VOUT="xcb_x11", **pulse.env, **(extra_env or {}))
    env.pop("KIOSK_VLC_AOUT", None)  # libvlc finds the PulseAudio server by itself
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(event.root)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    console = SoundConsole(process)
    try:
        yield console
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
        print("console child stderr (last lines):\n" + console.stderr_tail())
