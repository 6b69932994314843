"""A real X display for tests that need native windows: Xvfb on a free display, plus openbox.

Use it when the offscreen Qt platform is not enough (libvlc drawing into a native window, focus,
fullscreen on a screen, what is really on the screen):

    from tests.xvfb import xvfb_display, screenshot

    with xvfb_display(1920, 1080) as display:        # ":57" or whatever number was free
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        subprocess.run([...], env=env)                # run the Qt/libvlc part in a child process
        image = screenshot(display, tmp_path / "screen.png")

Qt picks its platform once per process and the test run uses `offscreen`, so code that needs the
real display runs in a child process (see `run_qt_script`). Xvfb picks a free display number
itself (`-displayfd`), so parallel runs never collide. openbox is started by default because
without a window manager fullscreen windows can sit ~60 px off (docs/dev/playback-notes.md).
Everything started here is stopped (by its own pid) when the `with` block ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication as QCoreApplicationLike

XVFB = shutil.which("Xvfb")
OPENBOX = shutil.which("openbox")
IMPORT = shutil.which("import")

requires_xvfb = pytest.mark.skipif(
    not (XVFB and OPENBOX and IMPORT),
    reason="needs Xvfb, openbox and ImageMagick's import (make test installs them)",
)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_for_window_manager(env: Mapping[str, str], timeout_s: float = 10.0) -> None:
    """Block until the window manager has announced itself on the root window."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = subprocess.run(
            ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
            env=dict(env),
            capture_output=True,
            text=True,
            check=False,
        )
        if "window id" in result.stdout:
            return
        time.sleep(0.05)
    raise RuntimeError("openbox did not start on the Xvfb display")


@dataclass(frozen=True)
class Monitor:
    """A named RandR monitor on the Xvfb screen; Qt shows each one as a QScreen of that name."""

    name: str
    width: int
    height: int
    x: int = 0
    y: int = 0

    def geometry(self) -> str:
        """The `xrandr --setmonitor` geometry (about 96 dpi)."""
        return (
            f"{self.width}/{self.width * 254 // 960}x{self.height}/{self.height * 254 // 960}"
            + (f"+{self.x}+{self.y}")
        )


# The booth's two screens as the console tests draw them: the laptop and, to its right, the
# projector (a smaller monitor, so a window on the wrong one is told by its size too).
BOOTH_CONSOLE = Monitor("CONSOLE", 1366, 768)
BOOTH_PROJECTOR = Monitor("PROJECTOR", 1280, 720, x=1366)


def add_monitor(display: str, monitor: Monitor, *, primary_output: bool = False) -> None:
    """Plug a monitor in (Qt emits screenAdded). `primary_output` gives it the real output."""
    output = "screen" if primary_output else "none"
    _xrandr(display, "--setmonitor", monitor.name, monitor.geometry(), output)


def remove_monitor(display: str, name: str) -> None:
    """Unplug a monitor (Qt emits screenRemoved)."""
    _xrandr(display, "--delmonitor", name)


def _xrandr(display: str, *args: str) -> None:
    subprocess.run(
        ["xrandr", *args],
        env={**os.environ, "DISPLAY": display},
        check=True,
        capture_output=True,
        timeout=10,
    )


@contextmanager
def xvfb_display(
    width: int = 1920,
    height: int = 1080,
    *,
    window_manager: bool = True,
    monitors: Sequence[Monitor] = (),
) -> Iterator[str]:
    """Start Xvfb (+ openbox) on a free display; yield its name, e.g. ":57"; stop both after.

    `monitors` splits the one Xvfb screen into named RandR monitors (the first gets the real
    output and becomes Qt's primary screen), e.g. a console and a projector side by side:

        xvfb_display(3840, 1080, monitors=[Monitor("CONSOLE", 1920, 1080),
                                           Monitor("PROJECTOR", 1920, 1080, 1920)])

    Qt then lists QScreens "CONSOLE" and "PROJECTOR"; `remove_monitor`/`add_monitor` unplug and
    plug them back while a test runs (needs `xrandr`, from x11-xserver-utils).
    """
    if not (XVFB and OPENBOX):
        pytest.skip("Xvfb and openbox are needed for this test")
    if monitors and not shutil.which("xrandr"):
        pytest.skip("xrandr (x11-xserver-utils) is needed for several monitors")
    read_fd, write_fd = os.pipe()
    command = [XVFB, "-displayfd", str(write_fd), "-nolisten", "tcp", "-noreset"]
    command += ["-screen", "0", f"{width}x{height}x24"]
    server = subprocess.Popen(
        command, pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    os.close(write_fd)
    openbox: subprocess.Popen[bytes] | None = None
    config_home: str | None = None
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            number = pipe.readline().strip().decode()
        if not number:
            raise RuntimeError("Xvfb did not start (no display number reported)")
        display = f":{number}"
        for index, monitor in enumerate(monitors):
            add_monitor(display, monitor, primary_output=index == 0)
        env = {**os.environ, "DISPLAY": display}
        if window_manager:
            config_home = tempfile.mkdtemp(prefix="openbox-")
            openbox = subprocess.Popen(
                [OPENBOX, "--sm-disable"],
                env={**env, "XDG_CONFIG_HOME": config_home},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait_for_window_manager(env)
        yield display
    finally:
        if openbox is not None:
            _stop(openbox)
        _stop(server)
        if config_home is not None:
            shutil.rmtree(config_home, ignore_errors=True)  # openbox's settings folder


def screenshot(display: str, path: Path) -> Path:
    """Capture the whole root window of `display` to a PNG with ImageMagick's `import`."""
    if not IMPORT:
        pytest.skip("ImageMagick's import is needed for screenshots")
    subprocess.run(
        [IMPORT, "-display", display, "-window", "root", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return path


def qt_env(display: str, **extra: str) -> dict[str, str]:
    """Environment for a child process that draws on `display` with Qt's xcb platform."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", **extra}
    env.pop("WAYLAND_DISPLAY", None)
    return env


def run_qt_script(
    display: str, script: str, *args: str, timeout_s: float = 60.0, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """Run a Python script (source text) in a child process on `display`; raise if it fails."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=qt_env(display, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    if result.returncode != 0:
        raise AssertionError(
            f"child process failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


@contextmanager
def qt_child(
    display: str, script: str, *args: str, ready_timeout_s: float = 60.0, **extra_env: str
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start a Python script on `display`; yield once it prints a line starting with READY.

    Yields (process, the READY line) so the test can look at the screen while the child keeps its
    windows up; the child should then quit when its stdin closes (`quit_when_stdin_closes(app)`).
    Closing stdin ends it; it is killed if it does not end within 15 s.
    """
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=qt_env(display, **extra_env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        deadline = time.monotonic() + ready_timeout_s
        line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break  # the child ended
            if line.startswith("READY"):
                break
        if not line.startswith("READY"):
            _stop_text(process)
            errors = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"child never became ready:\n{line}{errors}")
        yield process, line.strip()
    finally:
        if process.poll() is None:
            with suppress(BrokenPipeError):
                process.stdin.close()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _stop_text(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(5)


def quit_when_stdin_closes(app: QCoreApplicationLike) -> object:
    """In a `qt_child` script: end the Qt app's event loop once the test closes our stdin.

    `app.exit(0)`, never `app.quit()`: Qt 6's `quit()` first closes every window, and a console
    held in the show asks in a dialog before it closes, which nobody answers; each such child
    was SIGKILLed 15 s later by `qt_child` (45 s of the laptop-fit file's 56).
    Returns the polling QTimer; keep a reference to it for as long as the app runs.
    """
    import threading

    from PySide6.QtCore import QTimer

    closed = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        closed.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    timer = QTimer()
    timer.timeout.connect(lambda: closed.is_set() and app.exit(0))
    timer.start(100)
    return timer


def wait_for_input_focus(display: str, window: str, timeout_s: float = 10.0) -> None:
    """Block until the X server's input focus (where key events go) is on `window` (an id as
    xdotool prints it): the window manager may say a window is active a moment before."""
    deadline = time.monotonic() + timeout_s
    while True:
        focused = subprocess.run(
            ["xdotool", "getwindowfocus"],
            env={**os.environ, "DISPLAY": display},
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        if focused == window:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"window {window} never got the input focus (it is {focused})")
        time.sleep(0.05)


def wait_for_visible_window(display: str, name: str, pid: int, timeout_s: float = 30.0) -> str:
    """The id (as xdotool prints it) of a visible window of process `pid` whose title contains
    `name`, once there is one (an id alone may be reused by the X server for the next client)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--pid", str(pid), "--name", name],
            env={**os.environ, "DISPLAY": display},
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.split()
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} showed no window named {name!r} in {timeout_s} s")
        time.sleep(0.1)


def brightest_on(display: str, monitor: Monitor, path: Path) -> int:
    """The brightest channel value (0-255) anywhere on `monitor` (0: the monitor is black)."""
    screenshot(display, path)
    crop = f"{monitor.width}x{monitor.height}+{monitor.x}+{monitor.y}"
    result = subprocess.run(
        [
            "convert",
            str(path),
            "-crop",
            crop,
            "+repage",
            "-format",
            "%[fx:int(255*maxima)]",
            "info:",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return int(result.stdout.strip())
