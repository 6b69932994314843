"""Nothing sleeps while the event is open: idle and sleep inhibitors, held and released.

From the moment the console opens a live event (or a door window opens) until it closes, the
screens must not blank, lock or dim and the laptop must not suspend (also not when its lid is
closed: a projector on HDMI often runs with the lid shut). libvlc inhibits only while a film
plays; the holding slide, the intermission, the reveal and the End card are stills.

`Inhibitor.hold()` asks every mechanism the session has:

- the desktop portal (`org.freedesktop.portal.Inhibit`, idle + suspend) where it runs; else
  `org.gnome.SessionManager.Inhibit` (idle + suspend) and `org.freedesktop.ScreenSaver.Inhibit`
  (idle: xscreensaver-systemd, KDE, Xfce...) on the session bus;
- a logind inhibitor on the system bus: sleep, idle and the lid switch, mode "block" (a file
  descriptor this process keeps open);
- on an X display: the X screensaver suspended and DPMS off (`kiosk.desktop.x11_idle`).

Everything is released by `release()`, and — because each service drops the inhibitors of a
client whose bus connection closes, logind when the fd closes, and the X server when the client
disconnects — also when the process dies. The supervisor holds its own while it keeps the
projector black, so a crashed console does not let the laptop sleep while it restarts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kiosk.desktop.dbus import Bus, DBusCallError
from kiosk.desktop.x11_idle import X11IdleBlocker

log = logging.getLogger(__name__)

APP_ID = "aiff-kiosk"

PORTAL = ("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop")
PORTAL_INHIBIT = "org.freedesktop.portal.Inhibit"
PORTAL_REQUEST = "org.freedesktop.portal.Request"
GNOME_SESSION = ("org.gnome.SessionManager", "/org/gnome/SessionManager")
SCREENSAVER = ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver")
LOGIND = ("org.freedesktop.login1", "/org/freedesktop/login1")
LOGIND_MANAGER = "org.freedesktop.login1.Manager"

# portal and gnome-session flags: 4 = suspend, 8 = idle
SUSPEND_AND_IDLE = 4 | 8
LOGIND_WHAT = "sleep:idle:handle-lid-switch"


def session_bus_address(environ: Mapping[str, str]) -> str | None:
    """DBUS_SESSION_BUS_ADDRESS, else the systemd user bus in XDG_RUNTIME_DIR; None: no bus."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={os.path.join(runtime, 'bus')}"
    return None


@dataclass(frozen=True)
class InhibitStatus:
    """Which mechanisms hold idle and sleep off now, and what could not be held."""

    idle: tuple[str, ...] = ()  # e.g. ("portal", "x11-screensaver")
    sleep: tuple[str, ...] = ()  # e.g. ("portal", "logind")
    lid: bool = False  # logind also blocks the lid switch
    dpms_off: bool | None = None  # None: no DPMS on this display
    problems: tuple[str, ...] = ()  # what was tried and failed, for the log and checklist
    held: bool = False  # hold() was called and release() not yet

    @property
    def idle_inhibited(self) -> bool:
        """Something keeps the screens from blanking."""
        return bool(self.idle)

    @property
    def sleep_inhibited(self) -> bool:
        """Something keeps the laptop from suspending."""
        return bool(self.sleep)


@dataclass
class _Held:
    """What one `hold()` got, to give back."""

    session: Bus | None = None
    system: Bus | None = None
    portal_handle: str | None = None
    gnome_cookie: int | None = None
    screensaver_cookie: int | None = None
    logind_fd: Any = None
    x11: X11IdleBlocker | None = None
    idle: list[str] = field(default_factory=list)
    sleep: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lid: bool = False
    dpms_off: bool | None = None


class Inhibitor:
    """Idle and sleep inhibitors for one process (the console, a door window, the supervisor).

    `session_bus` / `system_bus` are bus addresses ("SESSION" and "SYSTEM" read the usual
    variables); `x_display` is the X display to keep awake (None: no X).
    """

    def __init__(
        self,
        reason: str,
        *,
        session_bus: str | None = "SESSION",
        system_bus: str | None = "SYSTEM",
        x_display: str | None = None,
    ) -> None:
        self.reason = reason
        self.session_bus = session_bus
        self.system_bus = system_bus
        self.x_display = x_display
        self._held: _Held | None = None

    @classmethod
    def for_environment(cls, reason: str, environ: Mapping[str, str]) -> Inhibitor:
        """The buses and the X display `environ` names (XWayland's DISPLAY too, on Wayland)."""
        return cls(
            reason,
            session_bus=session_bus_address(environ),
            system_bus=environ.get("DBUS_SYSTEM_BUS_ADDRESS") or "SYSTEM",
            x_display=environ.get("DISPLAY") or None,
        )

    def hold(self) -> InhibitStatus:
        """Inhibit idle and sleep with everything available; returns what holds."""
        if self._held is not None:
            return self.status()
        held = _Held()
        self._held = held
        if self.session_bus is not None:
            self._hold_session(held)
        else:
            held.problems.append("no D-Bus session bus")
        if self.system_bus is not None:
            self._hold_logind(held)
        if self.x_display:
            blocker = X11IdleBlocker(self.x_display)
            state = blocker.hold()
            if state is not None:
                held.x11 = blocker
                if state.screensaver_suspended:
                    held.idle.append("x11-screensaver")
                held.dpms_off = None if state.dpms_was_enabled is None else True
            else:
                held.problems.append(f"X display {self.x_display} could not be opened")
        status = self.status()
        if status.idle_inhibited and status.sleep_inhibited:
            log.info(
                "idle inhibited by %s; sleep by %s", ", ".join(status.idle), ", ".join(status.sleep)
            )
        else:
            log.warning(
                "not everything is inhibited — idle: %s; sleep: %s; problems: %s",
                ", ".join(status.idle) or "NOTHING",
                ", ".join(status.sleep) or "NOTHING",
                "; ".join(status.problems) or "none",
            )
        return status

    def _hold_session(self, held: _Held) -> None:
        assert self.session_bus is not None
        try:
            bus = Bus(self.session_bus)
        except DBusCallError as exc:
            held.problems.append(str(exc))
            return
        held.session = bus
        if bus.has_owner(PORTAL[0]):
            try:
                options = {"reason": ("s", self.reason)}
                (handle,) = bus.call(
                    *PORTAL, PORTAL_INHIBIT, "Inhibit", "sua{sv}", ("", SUSPEND_AND_IDLE, options)
                )
                held.portal_handle = str(handle)
                held.idle.append("portal")
                held.sleep.append("portal")
                return  # the portal speaks to the session's own inhibitors for us
            except DBusCallError as exc:
                held.problems.append(f"desktop portal: {exc}")
        if bus.has_owner(GNOME_SESSION[0]):
            try:
                (cookie,) = bus.call(
                    *GNOME_SESSION, GNOME_SESSION[0], "Inhibit", "susu",
                    (APP_ID, 0, self.reason, SUSPEND_AND_IDLE),
                )  # fmt: skip
                held.gnome_cookie = int(cookie)
                held.idle.append("gnome-session")
                held.sleep.append("gnome-session")
            except DBusCallError as exc:
                held.problems.append(f"GNOME session: {exc}")
        if bus.has_owner(SCREENSAVER[0]):
            try:
                (cookie,) = bus.call(
                    *SCREENSAVER, SCREENSAVER[0], "Inhibit", "ss", (APP_ID, self.reason)
                )
                held.screensaver_cookie = int(cookie)
                held.idle.append("screensaver")
            except DBusCallError as exc:
                held.problems.append(f"screensaver: {exc}")
        if not held.idle:
            held.problems.append("no idle inhibitor service on the session bus")

    def _hold_logind(self, held: _Held) -> None:
        assert self.system_bus is not None
        try:
            bus = Bus(self.system_bus, enable_fds=True)
        except DBusCallError as exc:
            held.problems.append(f"logind: {exc}")
            return
        held.system = bus
        try:
            (fd,) = bus.call(
                *LOGIND, LOGIND_MANAGER, "Inhibit", "ssss",
                (LOGIND_WHAT, "AIFF Screening Night", self.reason, "block"),
            )  # fmt: skip
        except DBusCallError as exc:
            held.problems.append(f"logind: {exc}")
            bus.close()
            held.system = None
            return
        held.logind_fd = fd.to_raw_fd() if hasattr(fd, "to_raw_fd") else int(fd)
        held.sleep.append("logind")
        held.idle.append("logind")
        held.lid = True

    def status(self) -> InhibitStatus:
        """What holds now (all empty when not held)."""
        held = self._held
        if held is None:
            return InhibitStatus()
        return InhibitStatus(
            idle=tuple(held.idle),
            sleep=tuple(held.sleep),
            lid=held.lid,
            dpms_off=held.dpms_off,
            problems=tuple(held.problems),
            held=True,
        )

    def release(self) -> None:
        """Give everything back (safe to call twice)."""
        held, self._held = self._held, None
        if held is None:
            return
        if held.session is not None:
            bus = held.session
            try:
                if held.portal_handle is not None:
                    bus.call(PORTAL[0], held.portal_handle, PORTAL_REQUEST, "Close")
                if held.gnome_cookie is not None:
                    bus.call(
                        *GNOME_SESSION, GNOME_SESSION[0], "Uninhibit", "u", (held.gnome_cookie,)
                    )
                if held.screensaver_cookie is not None:
                    bus.call(
                        *SCREENSAVER, SCREENSAVER[0], "UnInhibit", "u", (held.screensaver_cookie,)
                    )
            except DBusCallError as exc:  # closing the connection releases them anyway
                log.warning("inhibitor release: %s", exc)
            bus.close()
        if held.logind_fd is not None:
            os.close(held.logind_fd)
        if held.system is not None:
            held.system.close()
        if held.x11 is not None:
            held.x11.release()
        log.info("idle and sleep inhibitors released")


@contextmanager
def kept_awake(reason: str, environ: Mapping[str, str]) -> Iterator[Inhibitor]:
    """Idle and sleep inhibited for the `with` block (released after, also on an exception)."""
    inhibitor = Inhibitor.for_environment(reason, environ)
    inhibitor.hold()
    try:
        yield inhibitor
    finally:
        inhibitor.release()


def probe_inhibitors(environ: Mapping[str, str]) -> InhibitStatus:
    """Hold everything and give it back at once: what the console will be able to hold when it
    opens the event (for `check`, run before the console is open)."""
    inhibitor = Inhibitor.for_environment("Booth checklist: checking the inhibitors", environ)
    try:
        return inhibitor.hold()
    finally:
        inhibitor.release()
