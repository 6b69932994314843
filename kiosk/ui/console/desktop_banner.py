"""The console's desktop banners: what the laptop's desktop could do to the night.

Up to four lines across the top of the console (never on the projector), each only while it
applies:

- red: films are playing OUTSIDE the projector window (libvlc opened a window of its own —
  the audience sees the holding slide while the console says the film plays);
- amber: the screen may blank or the laptop may sleep (an inhibitor could not be held);
- amber / red: the laptop runs on battery / its battery is below 30% (read every minute off
  the GUI thread: UPower over D-Bus, else /sys);
- on GNOME, while notifications would pop up: an offer to turn Do Not Disturb on for the night
  (put back as it was when the console closes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.desktop.inhibit import InhibitStatus
from kiosk.desktop.notifications import DoNotDisturb
from kiosk.desktop.power import LOW_BATTERY_PERCENT, PowerState
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label, ui_font

log = logging.getLogger(__name__)

POWER_POLL_MS = 60_000
RED, AMBER = Colours.bad.name(), "#9a6b00"
DIM_RED = "#8e1c17"  # the "outside" line flashes between RED and this, like the sound banner
FLASH_MS = 600
OUTSIDE_TITLE = "FILM NOT ON PROJECTOR — "


class BannerLine(QFrame):
    """One coloured line: a message and, optionally, one button."""

    shown_or_hidden = Signal()

    def __init__(self, name: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 1, 6, 1)
        self.label: QLabel = text_label("", 10, bold=True, colour="#fff")
        # one line each (clipped, never widening the console; the whole text in the tooltip)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        self.button = QPushButton()
        self.button.setFont(ui_font(10, bold=True))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.hide()
        row.addWidget(self.button)
        self.set_colour(colour)
        self.hide()

    def set_colour(self, colour: str) -> None:
        """Background colour of the line."""
        name = self.objectName()
        self.setStyleSheet(
            f"QFrame#{name} {{ background: {colour}; border-radius: 6px; }}"
            f"QFrame#{name} QLabel {{ background: transparent; }}"
        )

    def say(self, text: str, colour: str | None = None) -> None:
        """Show the line with `text`."""
        if colour is not None:
            self.set_colour(colour)
        self.label.setText(text)
        self.label.setToolTip(text)
        self.show()
        self.shown_or_hidden.emit()

    def clear(self) -> None:
        """Take the line down."""
        self.hide()
        self.shown_or_hidden.emit()


class DesktopBanner(QWidget):
    """The desktop's lines on the console (see the module docstring)."""

    def __init__(
        self,
        tasks: TaskRunner,
        read_power: Callable[[], PowerState] | None,
        do_not_disturb: DoNotDisturb | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._read_power = read_power
        self._dnd = do_not_disturb
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.outside = BannerLine("filmOutsideBanner", RED)
        # the laptop itself: power and staying awake share one line (the console must still
        # fit a 1366x768 screen with every banner up)
        self.laptop = BannerLine("laptopBanner", AMBER)
        self._awake_text = ""
        self._power_text = ""
        self._power_low = False
        self.quiet = BannerLine("quietBanner", Colours.raised.name())
        self._lines = (self.outside, self.laptop, self.quiet)
        for line in self._lines:
            column.addWidget(line)
            line.shown_or_hidden.connect(self._follow_lines)
        self.quiet.button.setText("Turn on Do Not Disturb  ·  開啟請勿打擾")
        self.quiet.button.clicked.connect(lambda _checked=False: self._turn_on_quiet())
        self._flash = QTimer(self)
        self._flash.setInterval(FLASH_MS)
        self._flash.timeout.connect(self._toggle_outside)
        self._outside_bright = True
        self._power_timer = QTimer(self)
        self._power_timer.setInterval(POWER_POLL_MS)
        self._power_timer.timeout.connect(self.check_power)
        if read_power is not None:
            self._power_timer.start()
            QTimer.singleShot(0, self.check_power)
        self.hide()  # takes no room on the console until a line is up

    def _follow_lines(self) -> None:
        self.setVisible(any(not line.isHidden() for line in self._lines))

    def film_outside_stage(self, reason: str) -> None:
        """Red, at once: a film plays in a window of libvlc's own, not on the projector."""
        self.outside.say(
            "Films are playing OUTSIDE the projector window · 影片沒有在投影視窗播放 — the "
            "audience does not see them. Quit, log in to an X11 session, start again."
        )
        self.outside.label.setToolTip(f"{self.outside.label.text()}\n{reason}")
        self._flash.start()  # seen from across a dark booth
        window = self.window()
        if not window.windowTitle().startswith(OUTSIDE_TITLE):
            window.setWindowTitle(OUTSIDE_TITLE + window.windowTitle())
        QApplication.alert(window)
        log.error("banner: film outside the stage: %s", reason)

    def _toggle_outside(self) -> None:
        self._outside_bright = not self._outside_bright
        self.outside.set_colour(RED if self._outside_bright else DIM_RED)

    def show_inhibit_status(self, status: InhibitStatus) -> None:
        """Amber while the screen may blank or the laptop may sleep."""
        missing = []
        if not status.idle_inhibited:
            missing.append("the screens may blank · 螢幕可能變黑")
        if not status.sleep_inhibited:
            missing.append("the laptop may sleep · 電腦可能睡眠")
        self._awake_text = (
            f"{'; '.join(missing)} — Settings → Power: blank and suspend 'Never'; lid open"
            if missing
            else ""
        )
        self._show_laptop()

    def _show_laptop(self) -> None:
        parts = [text for text in (self._power_text, self._awake_text) if text]
        if not parts:
            self.laptop.clear()
            return
        self.laptop.say("   |   ".join(parts), RED if self._power_low else AMBER)

    def check_power(self) -> None:
        """Read the power off the GUI thread; the banner follows."""
        if self._read_power is not None:
            self._tasks.run(self._read_power, self.show_power, self._power_unknown)

    def _power_unknown(self, error: BaseException) -> None:
        log.warning("power could not be read: %s", error)

    def show_power(self, power: PowerState) -> None:
        """Amber on battery, red below the low mark; nothing on mains power."""
        percent = (
            "" if power.battery_percent is None else f" — battery {power.battery_percent:.0f}%"
        )
        self._power_low = power.low
        if not power.needs_attention:
            self._power_text = ""
        elif power.low:
            self._power_text = (
                f"Battery LOW{percent} (below {LOW_BATTERY_PERCENT:.0f}%) · 電量不足 — plug in "
                "the charger now"
            )
        else:
            self._power_text = f"Running on battery{percent} · 正在使用電池 — plug in the charger"
        self._show_laptop()

    def offer_quiet(self, quiet: bool | None) -> None:
        """On GNOME with notifications on: offer Do Not Disturb for the night."""
        if self._dnd is None or quiet is None or quiet:
            self.quiet.clear()
            return
        self.quiet.say("Notifications may pop up on the screens · 通知可能彈出")
        self.quiet.button.show()

    def _turn_on_quiet(self) -> None:
        dnd = self._dnd
        if dnd is None:
            return
        self.quiet.button.setEnabled(False)

        def done(ok: bool) -> None:
            self.quiet.button.setEnabled(True)
            if ok:
                self.quiet.clear()
            else:
                self.quiet.say("Do Not Disturb could not be turned on: turn it on in the top bar")

        self._tasks.run(dnd.turn_on, done, lambda _error: done(False))
