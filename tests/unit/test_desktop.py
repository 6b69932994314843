"""The desktop facts and their checklist lines: session and video path, libvlc's own window,
power from /sys, Do Not Disturb through the real `gsettings` (GLib's keyfile backend)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.core.booth_check import CheckState
from kiosk.desktop.checks import inhibit_check, notifications_check, power_check, session_check
from kiosk.desktop.inhibit import InhibitStatus
from kiosk.desktop.notifications import DoNotDisturb, notifications_quiet
from kiosk.desktop.outputs import CompositorOutput, screen_aliases
from kiosk.desktop.power import PowerState, read_sysfs
from kiosk.desktop.session import (
    NoXWaylandError,
    SessionType,
    VideoPath,
    read_session,
    use_x11_for_the_stage,
)
from kiosk.desktop.vlc_window import own_window_reason
from tests.desktop_session import gsettings_keyfile_env

GNOME_WAYLAND = {
    "XDG_SESSION_TYPE": "wayland",
    "WAYLAND_DISPLAY": "wayland-0",
    "DISPLAY": ":0",
    "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
}


def test_a_gnome_wayland_session_runs_the_stage_on_xwayland() -> None:
    environ = dict(GNOME_WAYLAND)
    session = use_x11_for_the_stage(environ)
    assert session.type is SessionType.WAYLAND and session.is_gnome
    assert session.video_path is VideoPath.XWAYLAND
    assert environ["QT_QPA_PLATFORM"] == "xcb"


def test_a_wayland_platform_asked_for_is_overridden_too() -> None:
    environ = {**GNOME_WAYLAND, "QT_QPA_PLATFORM": "wayland;xcb"}
    use_x11_for_the_stage(environ)
    assert environ["QT_QPA_PLATFORM"] == "xcb"


def test_wayland_without_xwayland_is_refused_with_the_way_out() -> None:
    environ = {k: v for k, v in GNOME_WAYLAND.items() if k != "DISPLAY"}
    with pytest.raises(NoXWaylandError) as refusal:
        use_x11_for_the_stage(environ)
    text = str(refusal.value)
    assert "GNOME on Xorg" in text and "apt install xwayland" in text and "XWayland" in text
    assert "QT_QPA_PLATFORM" not in environ
    line = session_check(environ)
    assert line.state is CheckState.RED and "xwayland" in line.fix


@pytest.mark.parametrize(
    ("environ", "path"),
    [
        ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, VideoPath.X11),
        ({"DISPLAY": ":1"}, VideoPath.X11),
        ({"DISPLAY": ":1", "QT_QPA_PLATFORM": "offscreen"}, VideoPath.WINDOWLESS),
        ({}, VideoPath.WINDOWLESS),
    ],
)
def test_other_sessions_are_left_as_they_are(environ: dict[str, str], path: VideoPath) -> None:
    before = dict(environ)
    assert use_x11_for_the_stage(environ).video_path is path
    assert environ == before
    expected = CheckState.GREEN if path is VideoPath.X11 else CheckState.AMBER
    assert session_check(environ).state is expected


def test_the_session_line_names_xwayland() -> None:
    line = session_check(GNOME_WAYLAND)
    assert line.id == "session" and line.state is CheckState.GREEN
    assert "XWayland (:0)" in line.detail_en and "XWayland" in line.detail_zh
    assert read_session(GNOME_WAYLAND).describe().startswith("wayland session (ubuntu:GNOME)")


@pytest.mark.parametrize(
    ("level", "module", "message", "escaped"),
    [
        (4, "xcb_window", "bad X11 window 0x8807ccb0", True),
        (0, "main", 'using vout window module "xdg-shell"', True),
        (0, "main", 'using vout display module "caca"', True),
        (4, "xcb", "window not available", True),
        (4, "gl", "parent window not available", True),
        (0, "main", 'using vout window module "xcb_window"', False),  # also the embedded one
        (0, "main", 'looking for vout window module matching "embed-xid,any"', False),
        (3, "vlcpulse", "cannot write: Connection terminated", False),
    ],
)
def test_libvlc_drawing_outside_the_stage_is_told_from_its_log(
    level: int, module: str, message: str, escaped: bool
) -> None:
    assert (own_window_reason(level, module, message) is not None) is escaped


def _supply(root: Path, name: str, **files: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    for key, value in files.items():
        (folder / key).write_text(value + "\n")


def test_power_from_sys_on_battery_and_on_mains(tmp_path: Path) -> None:
    _supply(tmp_path, "AC", type="Mains", online="0")
    _supply(tmp_path, "BAT0", type="Battery", capacity="27", status="Discharging")
    _supply(tmp_path, "hid-mouse", type="Battery", capacity="5", scope="Device")  # not ours
    power = read_sysfs(tmp_path)
    assert (power.on_battery, power.battery_percent, power.source) == (True, 27.0, "sysfs")
    assert power.low and power_check(power).state is CheckState.RED
    (tmp_path / "AC" / "online").write_text("1\n")
    (tmp_path / "BAT0" / "capacity").write_text("88\n")
    power = read_sysfs(tmp_path)
    assert power.on_battery is False and not power.needs_attention
    line = power_check(power)
    assert line.state is CheckState.GREEN and "88%" in line.detail_en and line.fix == ""


def test_power_unknown_and_battery_lines() -> None:
    assert read_sysfs(Path("/nonexistent")).source == "none"
    assert power_check(PowerState(None, None, "none")).state is CheckState.AMBER
    line = power_check(PowerState(True, 64.0, "upower"))
    assert line.state is CheckState.AMBER and "charger" in line.fix
    assert "電池" in line.detail_zh


def test_inhibit_lines() -> None:
    assert inhibit_check(InhibitStatus()).state is CheckState.AMBER  # not held yet
    full = InhibitStatus(("portal",), ("portal", "logind"), lid=True, held=True)
    assert inhibit_check(full).state is CheckState.GREEN
    idle_only = InhibitStatus(("screensaver",), (), held=True, problems=("logind: no bus",))
    line = inhibit_check(idle_only)
    assert line.state is CheckState.AMBER and "logind: no bus" in line.fix
    assert inhibit_check(InhibitStatus(held=True)).state is CheckState.RED


def test_notification_lines() -> None:
    assert notifications_check(True).state is CheckState.GREEN
    assert notifications_check(False).state is CheckState.AMBER
    assert notifications_check(None).fix


@pytest.mark.skipif(shutil.which("gsettings") is None, reason="needs gsettings (libglib2.0-bin)")
def test_do_not_disturb_is_turned_on_and_put_back(tmp_path: Path) -> None:
    environ = gsettings_keyfile_env(tmp_path)
    if notifications_quiet(environ) is None:
        pytest.skip("GNOME's notification schema is not installed (gsettings-desktop-schemas)")
    assert notifications_quiet(environ) is False  # GNOME's default: banners shown
    dnd = DoNotDisturb(environ)
    assert dnd.turn_on()
    assert notifications_quiet(environ) is True
    assert "show-banners=false" in (tmp_path / "glib-2.0" / "settings" / "keyfile").read_text()
    dnd.restore()
    assert notifications_quiet(environ) is False


def test_the_compositors_names_are_matched_to_the_apps_screens_by_position() -> None:
    layout = [
        CompositorOutput("eDP-1", 0, 0, primary=True),
        CompositorOutput("HDMI-1", 1920, 0, primary=False),
        CompositorOutput("DP-2", 5000, 0, primary=False),  # not (yet) among the app's screens
    ]
    screens = {"XWAYLAND1": (0, 0), "XWAYLAND0": (1920, 0)}
    assert screen_aliases(layout, screens) == {"eDP-1": "XWAYLAND1", "HDMI-1": "XWAYLAND0"}
