"""Idle and sleep inhibitors against real D-Bus services on private buses.

A real xscreensaver 6 (with its `xscreensaver-systemd`, the real `org.freedesktop.ScreenSaver`
service) runs on an Xvfb display with a private session bus; `dbus-monitor` watches that bus.
logind and UPower cannot run here: `tests/system_services.py` serves their real interfaces
(`org.freedesktop.login1.Manager.Inhibit` handing out an fd, UPower's properties) on a private
"system" bus — xscreensaver-systemd itself takes its sleep inhibitor from it.

The app's inhibitor runs in a child process (as in the console), so a SIGKILL can show what a
crash leaves behind. The pixel-level proof (a still not blanking for 3 minutes under a 1-minute
xscreensaver timeout, and blanking without the inhibitor) is `tests/bench/test_screensaver_hold.py`:
xscreensaver-systemd's heartbeat comes every ~50 s, too slow for a short timeout in the suite.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.core.booth_check import CheckState
from kiosk.desktop.checks import inhibit_check
from kiosk.desktop.inhibit import Inhibitor, InhibitStatus, probe_inhibitors
from kiosk.desktop.power import read_power, read_upower
from kiosk.store.event_folder import EventFolder
from tests.desktop_session import PrivateBus, private_bus, requires_dbus, stop_process
from tests.xvfb import xvfb_display

XSCREENSAVER = shutil.which("xscreensaver")
pytestmark = [
    requires_dbus,
    pytest.mark.skipif(XSCREENSAVER is None, reason="needs xscreensaver (make test installs it)"),
    pytest.mark.skipif(shutil.which("dbus-monitor") is None, reason="needs dbus-monitor"),
]

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import os, sys
from kiosk.desktop.inhibit import Inhibitor
inhibitor = Inhibitor.for_environment("Test night", os.environ)
status = inhibitor.hold()
print("HELD", ",".join(status.idle), "|", ",".join(status.sleep), "|", status.lid, flush=True)
sys.stdin.readline()
inhibitor.release()
print("RELEASED", flush=True)
"""


class Lines:
    """A process's output lines, read on a thread, waited for by content."""

    def __init__(self, stream: Iterable[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: Iterable[str]) -> None:
        for line in stream:
            self._queue.put(line)

    def wait_for(self, text: str, timeout_s: float = 20.0) -> str:
        for line in self.seen:
            if text in line:
                return line
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"never saw {text!r}:\n{''.join(self.seen[-40:])}")

    def text(self) -> str:
        while not self._queue.empty():
            self.seen.append(self._queue.get())
        return "".join(self.seen)


@dataclass
class Rig:
    env: dict[str, str]
    system: PrivateBus
    services: Lines
    screensaver: Lines
    monitor: Lines


def _started(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    folder = tmp_path_factory.mktemp("buses")
    home = folder / "home"
    home.mkdir()
    (home / ".xscreensaver").write_text(
        "timeout:\t0:01:00\nlock:\tFalse\nfade:\tFalse\nunfade:\tFalse\nsplash:\tFalse\n"
        "mode:\tblank\ndpmsEnabled:\tFalse\n"
    )
    started: list[subprocess.Popen[str]] = []
    with (
        xvfb_display(640, 360, window_manager=False) as display,
        private_bus(folder, "session") as session,
        private_bus(folder, "system") as system,
    ):
        env = {
            **os.environ,
            "DISPLAY": display,
            "HOME": str(home),
            "DBUS_SESSION_BUS_ADDRESS": session.address,
            "DBUS_SYSTEM_BUS_ADDRESS": system.address,
        }
        try:
            services = _started(
                [sys.executable, "-m", "tests.system_services", system.address, "--battery",
                 "24"], env,
            )  # fmt: skip
            started.append(services)
            service_lines = Lines(services.stdout or [])
            service_lines.wait_for("READY")
            monitor = _started(
                ["dbus-monitor", "--address", session.address,
                 "interface='org.freedesktop.ScreenSaver'"], env,
            )  # fmt: skip
            started.append(monitor)
            monitor_lines = Lines(monitor.stdout or [])
            screensaver = _started([XSCREENSAVER or "", "-no-splash", "-verbose"], env)
            started.append(screensaver)
            saver_lines = Lines(screensaver.stdout or [])
            saver_lines.wait_for('registered as "org.freedesktop.ScreenSaver"')
            yield Rig(env, system, service_lines, saver_lines, monitor_lines)
        finally:
            for process in reversed(started):
                stop_process(process)


def _holder(rig: Rig) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        env=rig.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("HELD"), line + (process.stderr.read() if process.stderr else "")
    return process, line


def test_the_inhibitor_holds_screensaver_and_logind_and_releases_them_on_exit(rig: Rig) -> None:
    process, held = _holder(rig)
    idle, sleep, lid = (part.strip() for part in held.removeprefix("HELD").split("|"))
    assert "screensaver" in idle.split(",") and "logind" in idle.split(",")
    assert "x11-screensaver" in idle.split(",")
    assert sleep.split(",") == ["logind"] and lid == "True"
    rig.monitor.wait_for("member=Inhibit")
    rig.monitor.wait_for('string "aiff-kiosk"')
    rig.screensaver.wait_for('inhibited by "aiff-kiosk"')
    rig.services.wait_for(
        "INHIBIT sleep:idle:handle-lid-switch|AIFF Screening Night|Test night|block"
    )
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(15) == 0
    rig.monitor.wait_for("member=UnInhibit")
    rig.screensaver.wait_for('uninhibited by "aiff-kiosk"')
    rig.services.wait_for("RELEASE sleep:idle:handle-lid-switch|AIFF Screening Night")


def test_a_killed_holder_leaves_nothing_inhibited(rig: Rig) -> None:
    released_before = rig.services.text().count("RELEASE sleep:idle:handle-lid-switch")
    process, _ = _holder(rig)
    rig.services.wait_for("INHIBIT sleep:idle:handle-lid-switch")
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    # xscreensaver-systemd notices the vanished client on the bus and drops its cookie
    rig.screensaver.wait_for('for inhibiting app "aiff-kiosk" has died: uninhibiting')
    deadline = time.monotonic() + 20  # logind sees the inhibitor's fd closed by the kernel
    while time.monotonic() < deadline:
        if rig.services.text().count("RELEASE sleep:idle:handle-lid-switch") > released_before:
            break
        time.sleep(0.1)
    assert rig.services.text().count("RELEASE sleep:idle:handle-lid-switch") > released_before


def test_the_checklist_probe_holds_and_gives_back_at_once(rig: Rig) -> None:
    status = probe_inhibitors(rig.env)
    assert status.held and status.idle_inhibited and status.sleep_inhibited
    assert inhibit_check(status).state is CheckState.GREEN
    rig.services.wait_for("RELEASE sleep:idle:handle-lid-switch|AIFF Screening Night|Booth")
    rig.screensaver.wait_for('uninhibited by "aiff-kiosk" (:1.')


def test_upower_says_on_battery_and_low(rig: Rig) -> None:
    power = read_upower(rig.system.address)
    assert power is not None
    assert (power.on_battery, power.battery_percent, power.source) == (True, 24.0, "upower")
    assert power.low and power.needs_attention
    assert read_power(rig.system.address).source == "upower"


APP_REASON = "The screening night is open on the projector"
SUPERVISOR_REASON = "The projector is kept black between restarts"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.vlc
@pytest.mark.slow
def test_after_a_crash_the_supervisor_still_holds_until_it_ends(
    rig: Rig, small_event: EventFolder
) -> None:
    env = {**rig.env, "QT_QPA_PLATFORM": "xcb", "KIOSK_SUPERVISOR": "always",
           "KIOSK_VLC_AOUT": "dummy"}  # fmt: skip
    held = rig.services.text().count(
        f"INHIBIT sleep:idle:handle-lid-switch|AIFF Screening Night|{APP_REASON}"
    )
    supervisor = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--event", str(small_event.root)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    try:
        rig.services.wait_for(f"|{SUPERVISOR_REASON}|block", timeout_s=60)
        rig.services.wait_for(f"|{APP_REASON}|block", timeout_s=60)
        (app,) = _children(supervisor.pid)
        os.kill(app, signal.SIGKILL)
        rig.services.wait_for(
            f"RELEASE sleep:idle:handle-lid-switch|AIFF Screening Night|{APP_REASON}"
        )
        assert (
            f"RELEASE sleep:idle:handle-lid-switch|AIFF Screening Night|{SUPERVISOR_REASON}"
            not in rig.services.text()
        )
        # the supervisor starts the app again, which holds its own again
        deadline = time.monotonic() + 60
        while rig.services.text().count(f"|{APP_REASON}|block") < held + 2:
            assert time.monotonic() < deadline, rig.services.text()[-2000:]
            time.sleep(0.2)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(30)
        except subprocess.TimeoutExpired:
            for child in _children(supervisor.pid):
                os.kill(child, signal.SIGKILL)
            supervisor.kill()
            supervisor.wait(10)
    rig.services.wait_for(
        f"RELEASE sleep:idle:handle-lid-switch|AIFF Screening Night|{SUPERVISOR_REASON}"
    )


@pytest.mark.parametrize("portal", [True, False], ids=["portal", "gnome-session"])
def test_the_portal_is_used_where_it_runs_else_the_gnome_session(
    tmp_path: Path, portal: bool
) -> None:
    with private_bus(tmp_path, "desktop") as bus:
        command = [sys.executable, "-m", "tests.system_services", bus.address, "--desktop"]
        desktop = _started(command + ([] if portal else ["--no-portal"]), dict(os.environ))
        try:
            lines = Lines(desktop.stdout or [])
            lines.wait_for("READY")
            inhibitor = Inhibitor("Test night", session_bus=bus.address, system_bus=None)
            status = inhibitor.hold()
            assert status.idle_inhibited and status.sleep_inhibited
            if portal:
                assert (status.idle, status.sleep) == (("portal",), ("portal",))
                lines.wait_for("INHIBIT portal 12|Test night")  # suspend (4) + idle (8)
            else:
                assert (status.idle, status.sleep) == (("gnome-session",), ("gnome-session",))
                lines.wait_for("INHIBIT gnome aiff-kiosk|12|Test night")
            inhibitor.release()
            lines.wait_for("RELEASE portal /org/freedesktop/portal" if portal else "RELEASE gnome")
            assert inhibitor.status() == InhibitStatus()
        finally:
            stop_process(desktop)


@pytest.mark.slow
def test_a_door_window_keeps_the_screen_awake_while_it_is_open(
    rig: Rig, small_event: EventFolder
) -> None:
    reason = "|A door station is checking tickets in|block"
    doors = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--event", str(small_event.root), "doors"],
        env={**rig.env, "QT_QPA_PLATFORM": "xcb"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    try:
        rig.services.wait_for(
            f"INHIBIT sleep:idle:handle-lid-switch|AIFF Screening Night{reason}", 60
        )
        rig.screensaver.wait_for('with "A door station is checking tickets in"')
    finally:
        stop_process(doors)
    rig.services.wait_for("RELEASE sleep:idle:handle-lid-switch|AIFF Screening Night|A door")
