"""The console's desktop banners: films outside the projector window (from libvlc's real log),
battery, screen/sleep not held, and GNOME's Do Not Disturb offer through the real gsettings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.desktop.inhibit import InhibitStatus
from kiosk.desktop.notifications import DoNotDisturb, notifications_quiet
from kiosk.desktop.power import PowerState
from kiosk.ui.app import make_application
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.console.desktop_banner import DesktopBanner
from kiosk.ui.console.window import ConsoleWindow
from tests.desktop_session import gsettings_keyfile_env
from tests.ui.conftest import LAPTOP_CLIENT_HEIGHT
from tests.xvfb import requires_xvfb, run_qt_script, xvfb_display


def test_no_desktop_line_takes_room_until_something_is_wrong(laptop_console: ConsoleWindow) -> None:
    assert not laptop_console.desktop_banner.isVisible()


@pytest.mark.logs_errors
def test_libvlc_drawing_outside_the_stage_raises_the_red_line_at_once(
    qtbot: QtBot, laptop_console: ConsoleWindow, tmp_path: Path
) -> None:
    tap = laptop_console.night.log_tap
    assert tap is not None
    tap.own_window.emit("libvlc could not draw into the projector window (bad X11 window 0x1)")
    banner = laptop_console.desktop_banner
    assert banner.isVisible() and banner.outside.isVisible()
    assert "OUTSIDE the projector window" in banner.outside.label.text()
    assert "影片沒有在投影視窗播放" in banner.outside.label.text()
    assert "OUTSIDE the projector window" in laptop_console.log_view.toPlainText()
    assert laptop_console.windowTitle().startswith("FILM NOT ON PROJECTOR — ")
    banner.show_power(PowerState(True, 22.0, "upower"))
    banner.show_inhibit_status(InhibitStatus(("screensaver",), (), held=True))
    assert banner.laptop.isVisible() and "Battery LOW" in banner.laptop.label.text()
    assert "may sleep" in banner.laptop.label.text()
    qtbot.wait(50)  # the layout settles
    assert (
        laptop_console.minimumSizeHint().height() <= LAPTOP_CLIENT_HEIGHT
    )  # still fits the laptop
    laptop_console.grab().save(str(tmp_path / "console-desktop-banners.png"))
    banner.show_power(PowerState(False, 95.0, "upower"))
    banner.show_inhibit_status(InhibitStatus(("portal",), ("portal",), held=True))
    assert not banner.laptop.isVisible()


@pytest.mark.skipif(shutil.which("gsettings") is None, reason="needs gsettings")
def test_do_not_disturb_is_offered_and_turned_on(qtbot: QtBot, tmp_path: Path) -> None:
    environ = gsettings_keyfile_env(tmp_path)
    if notifications_quiet(environ) is None:
        pytest.skip("GNOME's notification schema is not installed")
    make_application()
    tasks = TaskRunner()
    dnd = DoNotDisturb(environ)
    banner = DesktopBanner(tasks, None, dnd)
    qtbot.addWidget(banner)
    banner.show()
    banner.offer_quiet(notifications_quiet(environ))
    assert banner.quiet.isVisible() and banner.quiet.button.isVisible()
    qtbot.mouseClick(banner.quiet.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not banner.quiet.isVisible(), timeout=10_000)
    assert notifications_quiet(environ) is True
    dnd.restore()
    assert notifications_quiet(environ) is False
    assert tasks.wait(5)


TAP_CHILD = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import vlc
from kiosk.media.vlc_log import VlcLogTap
app = QApplication(sys.argv)
instance = vlc.Instance("--aout=dummy", "--vout=xcb_x11")
tap = VlcLogTap(instance)
seen = []
tap.own_window.connect(lambda reason: (seen.append(reason), app.quit()))
player = instance.media_player_new()
player.set_xwindow(0x3ffffe)  # no such X window: what libvlc meets with a Wayland winId()
player.set_media(instance.media_new(sys.argv[1]))
player.play()
QTimer.singleShot(20000, app.quit)
app.exec()
player.stop()
tap.close()
print("SEEN", seen[0] if seen else "nothing")
"""


@requires_xvfb
@pytest.mark.vlc
def test_the_real_libvlc_log_tells_a_film_outside_the_stage(clips: dict[str, Path]) -> None:
    with xvfb_display(640, 360, window_manager=False) as display:
        result = run_qt_script(display, TAP_CHILD, str(clips["good"]), timeout_s=60)
    assert "SEEN libvlc could not draw into the projector window (bad X11 window" in result.stdout
