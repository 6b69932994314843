"""Which screen is the projector, and following it when it is unplugged and plugged back in."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication, QScreen

from kiosk.desktop.outputs import read_mutter_outputs, screen_aliases
from kiosk.desktop.session import SessionType, read_session

log = logging.getLogger(__name__)

SETTLE_MS = 500


def choose_screen(
    screens: Sequence[QScreen],
    primary: QScreen | None,
    wanted: str | None,
    aliases: Mapping[str, str] | None = None,
) -> QScreen | None:
    """The screen for the stage: the one named `wanted` if it is there (by Qt's name, or by the
    compositor's name through `aliases`), else the first screen that is not the primary (the
    console's), else the primary; None only with no screen at all.
    """
    if wanted:
        names = {wanted, (aliases or {}).get(wanted, wanted)}
        for screen in screens:
            if screen.name() in names:
                return screen
    for screen in screens:
        if screen is not primary:
            return screen
    return primary if primary is not None else (screens[0] if screens else None)


def compositor_aliases() -> dict[str, str]:
    """On a GNOME Wayland session: mutter's connector names (`HDMI-1`) -> Qt's screen names
    (`XWAYLAND0`), so a projector chosen by its desktop name is found on every login. Read once,
    when the stage is built (a D-Bus call: never during the night). Empty elsewhere."""
    if read_session(os.environ).type is not SessionType.WAYLAND:
        return {}
    outputs = read_mutter_outputs()
    corners = {s.name(): (s.geometry().x(), s.geometry().y()) for s in QGuiApplication.screens()}
    aliases = screen_aliases(outputs, corners)
    if aliases:
        log.info("screens by the compositor's names: %s", aliases)
    return aliases


def screen_names() -> list[str]:
    """The names of the connected screens, primary first."""
    primary = QGuiApplication.primaryScreen()
    screens = QGuiApplication.screens()
    ordered = [primary, *(s for s in screens if s is not primary)] if primary else screens
    return [s.name() for s in ordered]


class ScreenFollower(QObject):
    """Calls `move_to(screen)` whenever the right screen for the stage changes.

    Listens to screens being added, removed or changing geometry; `wanted` is the projector's
    name (None: any screen but the primary). When the wanted screen disappears the stage goes
    to another one; when it comes back the stage returns to it.
    """

    def __init__(
        self,
        wanted: str | None,
        move_to: Callable[[QScreen], None],
        parent: QObject | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.wanted = wanted
        self.aliases = dict(aliases or {})  # compositor connector -> Qt screen name
        self._move_to = move_to
        self._watched: QScreen | None = None
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication), "a QGuiApplication must exist"
        app.screenAdded.connect(self._screens_changed)
        app.screenRemoved.connect(self._screens_changed)
        app.primaryScreenChanged.connect(self._screens_changed)

    def current(self) -> QScreen | None:
        """The screen the stage should be on now."""
        return choose_screen(
            QGuiApplication.screens(), QGuiApplication.primaryScreen(), self.wanted, self.aliases
        )

    def apply(self) -> None:
        """Move the stage to the right screen now (and watch that screen's geometry)."""
        screen = self.current()
        if screen is None:
            log.warning("no screen connected: the stage stays where it is")
            return
        if self._watched is not screen:
            if self._watched is not None:
                with suppress(RuntimeError, TypeError):  # the screen may already be gone
                    self._watched.geometryChanged.disconnect(self._geometry_changed)
            screen.geometryChanged.connect(self._geometry_changed)
            self._watched = screen
        self._move_to(screen)

    def _screens_changed(self, *_args: object) -> None:
        # On screenRemoved the dying QScreen is still listed; wait for Qt to settle first.
        from PySide6.QtCore import QTimer

        # Qt and the window manager also react to the change; check again once they are done.
        QTimer.singleShot(0, self.apply)
        QTimer.singleShot(SETTLE_MS, self.apply)

    def _geometry_changed(self, *_args: object) -> None:
        self.apply()
