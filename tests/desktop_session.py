"""Real desktop pieces for tests: a private D-Bus bus, and a GNOME-like Wayland session (mutter).

    with private_bus(tmp_path) as bus:                      # a real dbus-daemon, its own address
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.address}

    with mutter_session(tmp_path, [(1366, 768), (1920, 1080)]) as session:
        subprocess.run([...], env=session.env())             # the variables GNOME sets

`mutter_session` runs mutter 43 headless with virtual monitors and (unless `xwayland=False`)
XWayland, on its own session bus and runtime folder; `session.env()` is what an app started from
a GNOME Wayland login sees (XDG_SESSION_TYPE=wayland, WAYLAND_DISPLAY, DISPLAY, XAUTHORITY,
XDG_CURRENT_DESKTOP=GNOME), with no QT_QPA_PLATFORM. mutter picks its X display number itself
(it has no option for it) and skips numbers in use. Everything started here is stopped by pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DBUS_DAEMON = shutil.which("dbus-daemon")
MUTTER = shutil.which("mutter")
XWAYLAND = shutil.which("Xwayland")

requires_dbus = pytest.mark.skipif(
    DBUS_DAEMON is None, reason="needs dbus-daemon (make test installs it)"
)
requires_mutter = pytest.mark.skipif(
    not (MUTTER and XWAYLAND and DBUS_DAEMON),
    reason="needs mutter, Xwayland and dbus-daemon (make test installs them)",
)

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def stop_process(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL after 5 s; waits either way."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def gsettings_keyfile_env(folder: Path) -> dict[str, str]:
    """An environment whose `gsettings` reads and writes a keyfile in `folder` (GLib's keyfile
    backend), not the machine's dconf: GNOME settings tested for real, nothing shared."""
    return {
        **os.environ,
        "GSETTINGS_BACKEND": "keyfile",
        "XDG_CONFIG_HOME": str(folder),
        "HOME": str(folder),
    }


@dataclass(frozen=True)
class PrivateBus:
    """A running dbus-daemon of our own (used as a session bus, or standing in for the system
    bus where logind and UPower cannot run)."""

    address: str
    process: subprocess.Popen[bytes]


@contextmanager
def private_bus(folder: Path, name: str = "bus") -> Iterator[PrivateBus]:
    """Start a dbus-daemon listening on a socket in `folder`; stop it after."""
    if DBUS_DAEMON is None:
        pytest.skip("dbus-daemon is needed for this test")
    folder.mkdir(parents=True, exist_ok=True)
    short = Path(tempfile.mkdtemp(prefix="bus-"))  # a unix socket path has at most 107 bytes
    socket = short / f"{name}.sock"
    config = folder / f"{name}.conf"
    config.write_text(_BUS_CONFIG.format(socket=socket))
    process = subprocess.Popen(
        [DBUS_DAEMON, f"--config-file={config}", "--nofork", "--nopidfile"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("dbus-daemon did not start")
            time.sleep(0.02)
        yield PrivateBus(f"unix:path={socket}", process)
    finally:
        stop_process(process)
        shutil.rmtree(short, ignore_errors=True)


@dataclass
class MutterSession:
    """A running headless mutter: its runtime folder, bus and the variables its apps get."""

    runtime_dir: Path
    bus: PrivateBus
    variables: dict[str, str]
    log_path: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of an app started from this GNOME session (no QT_QPA_PLATFORM)."""
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
        env.pop("WAYLAND_DISPLAY", None)
        env.update(
            XDG_SESSION_TYPE="wayland",
            XDG_CURRENT_DESKTOP="GNOME",
            XDG_RUNTIME_DIR=str(self.runtime_dir),
            DBUS_SESSION_BUS_ADDRESS=self.bus.address,
        )
        env.update(self.variables)
        env.update(extra)
        return env

    @property
    def x_display(self) -> str | None:
        """XWayland's display (None when started without XWayland)."""
        return self.variables.get("DISPLAY") or None


@contextmanager
def mutter_session(
    folder: Path, monitors: Sequence[tuple[int, int]], *, xwayland: bool = True
) -> Iterator[MutterSession]:
    """mutter --wayland --headless with one virtual monitor per (width, height)."""
    if not (MUTTER and DBUS_DAEMON and (XWAYLAND or not xwayland)):
        pytest.skip("mutter, Xwayland and dbus-daemon are needed for this test")
    folder.mkdir(parents=True, exist_ok=True)
    runtime = Path(tempfile.mkdtemp(prefix="xdg-"))  # short: sockets live here
    runtime.chmod(0o700)
    env_file = folder / "session.env"
    holder = folder / "holder.sh"
    # mutter runs this as the session's first app: it reports the variables, then holds on
    holder.write_text(
        "#!/bin/sh\n"
        f'printf "DISPLAY=%s\\nWAYLAND_DISPLAY=%s\\nXAUTHORITY=%s\\nHOLDER=%s\\n" '
        f'"$DISPLAY" "$WAYLAND_DISPLAY" "$XAUTHORITY" "$$" > {env_file}.part\n'
        f"mv {env_file}.part {env_file}\n"
        "exec sleep 600\n"
    )
    holder.chmod(0o755)
    log_path = folder / "mutter.log"
    with private_bus(folder, "session-bus") as bus:
        command = [MUTTER, "--wayland", "--headless", "--wayland-display", "wayland-kiosk-test"]
        if not xwayland:
            command.append("--no-x11")
        for width, height in monitors:
            command += ["--virtual-monitor", f"{width}x{height}"]
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(XDG_RUNTIME_DIR=str(runtime), DBUS_SESSION_BUS_ADDRESS=bus.address)
        with log_path.open("wb") as log_file:
            mutter = subprocess.Popen(
                [*command, "--", str(holder)], env=env, stdout=log_file, stderr=log_file
            )
        session = MutterSession(runtime, bus, {}, log_path, [mutter])
        try:
            deadline = time.monotonic() + 30
            while not env_file.exists():
                if time.monotonic() > deadline or mutter.poll() is not None:
                    raise RuntimeError("mutter did not start:\n" + log_path.read_text())
                time.sleep(0.05)
            variables = dict(
                line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line
            )
            holder_pid = int(variables.pop("HOLDER"))
            session.variables = {k: v for k, v in variables.items() if v}
            yield session
        finally:
            stop_process(mutter)
            shutil.rmtree(runtime, ignore_errors=True)
            if "holder_pid" in locals():
                with suppress(ProcessLookupError):
                    os.kill(holder_pid, signal.SIGTERM)
