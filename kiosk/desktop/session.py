"""Which desktop session the app was started in, and which Qt platform the stage needs there.

libvlc draws a film into a native X11 window (`set_xwindow`). On a Wayland session Qt picks its
Wayland plugin, `winId()` is then a Wayland pointer, and libvlc opens its own "VLC media player"
window on the laptop screen instead (measured under mutter 43 and Sway 1.7, see docs/desktop.md).
So whenever the stage embeds libvlc, Qt must run on X11 — on a Wayland session that is XWayland
(`QT_QPA_PLATFORM=xcb`, with the session's DISPLAY). A Wayland session without XWayland cannot
show films at all: the app refuses to start, saying how to get out (without it, libvlc fell back
to a text-mode output and the process crashed, and the supervisor restarted it until it gave up).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)

PLATFORM_ENV = "QT_QPA_PLATFORM"
# Qt platforms that draw no window on a screen: tests and checks, where no film is seen
_WINDOWLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc"})


class SessionType(StrEnum):
    """The kind of graphical session, as the login manager announced it."""

    X11 = "x11"
    WAYLAND = "wayland"
    NONE = "none"  # no display at all (a terminal, ssh, CI)


class VideoPath(StrEnum):
    """How the films reach the projector."""

    X11 = "x11"  # an X11 session: libvlc draws into the stage's own X window
    XWAYLAND = "xwayland"  # a Wayland session, the app on XWayland: as on X11
    NO_X = "no_x"  # a Wayland session without XWayland: films cannot be embedded
    WINDOWLESS = "windowless"  # Qt's offscreen platform, or no display: nothing is seen


@dataclass(frozen=True)
class DesktopSession:
    """What the environment says about the session the app was started in."""

    type: SessionType
    desktop: str  # XDG_CURRENT_DESKTOP, e.g. "GNOME", "ubuntu:GNOME", "" when unknown
    x_display: str  # DISPLAY ("" when none)
    wayland_display: str  # WAYLAND_DISPLAY ("" when none)
    qt_platform: str  # QT_QPA_PLATFORM as set before the app changes it ("" when unset)

    @property
    def is_gnome(self) -> bool:
        """GNOME (or a GNOME-based desktop such as Ubuntu's)."""
        return "gnome" in self.desktop.lower()

    @property
    def video_path(self) -> VideoPath:
        """How films would reach the projector in this session with the stage on X11."""
        if self.qt_platform.split(":")[0] in _WINDOWLESS_PLATFORMS:
            return VideoPath.WINDOWLESS
        if self.type is SessionType.WAYLAND:
            return VideoPath.XWAYLAND if self.x_display else VideoPath.NO_X
        if self.x_display:
            return VideoPath.X11
        return VideoPath.WINDOWLESS

    def describe(self) -> str:
        """One line for the log, e.g. `wayland session (GNOME), films through XWayland :0`."""
        desktop = f" ({self.desktop})" if self.desktop else ""
        path = {
            VideoPath.X11: f"films in an X11 window on {self.x_display}",
            VideoPath.XWAYLAND: f"films through XWayland {self.x_display}",
            VideoPath.NO_X: "no XWayland: films cannot be shown",
            VideoPath.WINDOWLESS: "no window for films (offscreen)",
        }[self.video_path]
        return f"{self.type.value} session{desktop}, {path}"


def read_session(environ: Mapping[str, str]) -> DesktopSession:
    """The session described by `environ` (the variables a login manager sets)."""
    declared = environ.get("XDG_SESSION_TYPE", "").strip().lower()
    wayland_display = environ.get("WAYLAND_DISPLAY", "").strip()
    x_display = environ.get("DISPLAY", "").strip()
    if declared == "wayland" or wayland_display:
        kind = SessionType.WAYLAND
    elif declared == "x11" or x_display:
        kind = SessionType.X11
    else:
        kind = SessionType.NONE
    return DesktopSession(
        type=kind,
        desktop=environ.get("XDG_CURRENT_DESKTOP", "").strip(),
        x_display=x_display,
        wayland_display=wayland_display,
        qt_platform=environ.get(PLATFORM_ENV, "").strip(),
    )


class NoXWaylandError(RuntimeError):
    """A Wayland session without XWayland: the stage cannot embed films. Says what to do."""

    title = "Films cannot be shown in this session · 此桌面工作階段無法播放影片"

    def __init__(self, session: DesktopSession) -> None:
        self.session = session
        super().__init__(
            "This is a Wayland session without XWayland, and the projector window can only show "
            "films through X11. Log out and choose an X11 session at the login screen (GNOME: "
            "the gear button → 'GNOME on Xorg'), or install XWayland (Debian/Ubuntu: "
            "`sudo apt install xwayland`) and log in again.\n\n"
            "此為沒有 XWayland 的 Wayland 工作階段，投影視窗只能透過 X11 播放影片。"
            "請登出並在登入畫面選擇 X11 工作階段（GNOME：齒輪按鈕 →「GNOME on Xorg」），"
            "或安裝 XWayland（sudo apt install xwayland）後重新登入。"
        )


def use_x11_for_the_stage(environ: MutableMapping[str, str]) -> DesktopSession:
    """Before the QApplication exists: make Qt run on X11 wherever the stage embeds libvlc.

    Sets `QT_QPA_PLATFORM=xcb` in `environ` on a Wayland session with XWayland (and when Qt was
    told to use Wayland), logs the choice, and returns the session as found. Raises
    `NoXWaylandError` on a Wayland session without XWayland. Windowless platforms (tests,
    checks) and plain X11 sessions are left as they are.
    """
    session = read_session(environ)
    path = session.video_path
    if path is VideoPath.NO_X:
        raise NoXWaylandError(session)
    if path is VideoPath.XWAYLAND and session.qt_platform != "xcb":
        environ[PLATFORM_ENV] = "xcb"
        was = f" (was {session.qt_platform})" if session.qt_platform else ""
        log.info(
            "%s: Qt runs on XWayland (xcb)%s so libvlc can draw into the stage",
            session.describe(),
            was,
        )
    elif path is VideoPath.X11 and session.qt_platform.startswith("wayland"):
        environ[PLATFORM_ENV] = "xcb"
        log.info(
            "%s: Qt switched from %s to xcb for the stage", session.describe(), session.qt_platform
        )
    else:
        log.info("%s", session.describe())
    return session
