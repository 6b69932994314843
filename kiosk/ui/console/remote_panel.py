"""Remote control on the console: the OSC bridge, the presenter clicker switch, the Remote tab.

`RemoteBridge` owns the OSC listener (`kiosk.remote.osc_server`) when `[remote] osc = true`.
The listener's threads never touch Qt: a command the gate lets through is queued to the GUI
thread (a queued signal), carried out there through the console's one key map (`KeyMap.press`,
the same handlers and guards as the keyboard), written to the journal with where it came from,
and the outcome goes back to the OSC thread for the reply. The state that `/updates`
subscribers are pushed is built on the GUI thread from the show's snapshot and handed over as
a plain dict.

The Remote tab shows whether OSC listens and on which port, the panels connected, and has one
button (and key, Ctrl+Shift+R) that turns every remote off for the rest of the night; plus the
switch that lets a presenter clicker drive the show (it always drives the reveal).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, format_duration
from kiosk.core.remote import Need, RemoteCommand, RemoteGate
from kiosk.core.show.model import CueKind, ShowPhase
from kiosk.night.night import KeyMode, Night
from kiosk.night.ports import OperatorMessages
from kiosk.remote.osc_server import OscServer, Outcome
from kiosk.remote.stage_display import StageDisplay
from kiosk.services.stage_display import StageLink
from kiosk.ui.console.keymap import KeyMap
from kiosk.ui.console.stations_panel import QrView

log = logging.getLogger(__name__)

REPLY_WAIT_S = 2.0  # an OSC thread waits this long for the GUI thread to carry a command out
STATE_EVERY_MS = 100  # how often the pushed state is rebuilt (pushed only when it changed)


class RemoteBridge(QObject):
    """Carries remote commands onto the GUI thread and keeps the state remotes are pushed."""

    _request = Signal(object, str, object)  # RemoteCommand, source, Future[Outcome]
    connections_changed = Signal()

    def __init__(
        self,
        config: EventConfig,
        night: Night,
        keys: KeyMap,
        messages: OperatorMessages,
        *,
        stage_link: Callable[[int], StageLink] | None = None,
        host: str = "0.0.0.0",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = config.remote
        self._night = night
        self._keys = keys
        self._messages = messages
        self.gate = RemoteGate(config.remote, time.monotonic)
        self._state: dict[str, Any] = {}
        self._request.connect(self._carry_out, Qt.ConnectionType.QueuedConnection)
        self.server: OscServer | None = None
        self.error = ""
        self.turned_off = False  # by the operator, for the rest of the night
        if self._settings.osc:
            server = OscServer(
                self.gate, self._run, lambda: self._state, host=host, port=self._settings.port
            )
            try:
                server.start()
            except OSError as exc:
                self.error = f"OSC could not listen on port {self._settings.port}: {exc}"
                messages.error(self.error)
            else:
                self.server = server
        self.stage: StageDisplay | None = None
        self.stage_link: StageLink | None = None
        if self._settings.stage_display and stage_link is not None:
            link = stage_link(self._settings.stage_port)
            stage = StageDisplay(
                link.token, self._settings.allows, host=host, port=self._settings.stage_port
            )
            try:
                stage.start()
            except OSError as exc:
                problem = f"The stage display could not listen on port {self._settings.stage_port}"
                self.error = (self.error + "; " if self.error else "") + f"{problem}: {exc}"
                messages.error(self.error)
            else:
                self.stage, self.stage_link = stage, link
        self._timer = QTimer(self)
        self._timer.setInterval(STATE_EVERY_MS)
        self._timer.timeout.connect(self._refresh_state)
        self._last_connected: list[str] = []
        if self.server is not None or self.stage is not None:
            self._timer.start()
            self._refresh_state()

    # --- OSC threads ---------------------------------------------------------------------

    def _run(self, command: RemoteCommand, source: str) -> Outcome:
        """Called on an OSC thread: carry `command` out on the GUI thread and wait for it."""
        future: Future[Outcome] = Future()
        self._request.emit(command, source, future)
        try:
            return future.result(timeout=REPLY_WAIT_S)
        except FutureTimeout:
            return Outcome("error", "the console did not answer in time")

    # --- GUI thread ----------------------------------------------------------------------

    @Slot(object, str, object)
    def _carry_out(self, command: RemoteCommand, source: str, future: Future[Outcome]) -> None:
        if not self.gate.enabled:
            future.set_result(Outcome("refused", "remotes are off"))
            return
        refusal = self._refusal(command)
        done = False
        if refusal is None:
            done = self._keys.press(command.command, source=source)
            if not done:
                refusal = "nothing to do now"
        self._night.runner.record(
            "remote_command",
            {"address": command.address, "command": command.command, "source": source,
             "done": done},
        )  # fmt: skip
        if refusal is not None:
            self._messages.info(f"📡 {source} {command.address}: refused ({refusal})")
        future.set_result(Outcome("ok") if done else Outcome("refused", refusal or ""))
        self._refresh_state()

    def _refusal(self, command: RemoteCommand) -> str | None:
        mode = self._night.mode
        if command.need is Need.REVEAL and mode is not KeyMode.REVEAL:
            return "the award reveal is not on"
        if command.need in (Need.PLAYING, Need.PAUSED):
            show = self._night.show
            if mode is not KeyMode.SHOW or show is None:
                return "no show running"
            paused = show.snapshot().phase is ShowPhase.PAUSED
            if command.need is Need.PLAYING and paused:
                return "already paused"
            if command.need is Need.PAUSED and not paused:
                return "not paused"
        return None

    def state(self) -> dict[str, Any]:
        """What is on now, for remotes: mode, what the projector shows, time left, next."""
        night = self._night
        reveal = night.reveal
        if night.mode is KeyMode.REVEAL and reveal is not None:
            # the steps' names only: a step never names a film, so no winner shows early
            snap_r = reveal.snapshot()
            return {
                "mode": "reveal",
                "on_now": snap_r.current.describe() if snap_r.current else "award reveal",
                "time_left": "",
                "next": snap_r.next.describe() if snap_r.next else "",
                "black": snap_r.black,
            }
        show = night.show
        if show is None:
            return {"mode": "show", "on_now": "", "time_left": "", "next": ""}
        snap = show.snapshot()
        left = snap.film_remaining_s if snap.film_remaining_s is not None else snap.countdown_s
        return {
            "mode": "show",
            "phase": snap.phase.value,
            "on_now": _cue_name(snap.cue.kind, snap.cue.film),
            "time_left": format_duration(left) if left is not None else "",
            "next": _cue_name(snap.next_cue.kind, snap.next_cue.film) if snap.next_cue else "",
            "black": snap.black,
        }

    def _refresh_state(self) -> None:
        state = self.state()
        if state != self._state:
            self._state = state
            if self.server is not None:
                self.server.push_state(state)
            if self.stage is not None:
                self.stage.publish(state)
        connected = [host for host, _ in self.gate.connected()]
        if connected != self._last_connected:
            self._last_connected = connected
            self.connections_changed.emit()

    def turn_off(self) -> None:
        """Every remote off for the rest of the night (the listener stops)."""
        self.gate.set_enabled(False)
        self.turned_off = True
        self.close()
        self._night.runner.record("remotes_off", {})
        self._messages.warning("Remote control off for the rest of the night · 已關閉遙控")
        self._last_connected = []
        self.connections_changed.emit()

    def close(self) -> None:
        """Stop listening (the console is closing, or the remotes were turned off)."""
        self._timer.stop()
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.stage is not None:
            self.stage.stop()
            self.stage = None


def _cue_name(kind: CueKind, film: Film | None) -> str:
    """What a cue puts on the projector, in both languages, for the booth and the host."""
    title = f"{film.title_en} · {film.title_zh}" if film is not None else ""
    match kind:
        case CueKind.HOLDING:
            return "Holding slide · 等候畫面"
        case CueKind.CARD:
            return f"Title card · 片名卡 — {title}"
        case CueKind.FILM:
            return title
        case CueKind.INTERMISSION:
            return "Intermission · 中場休息"
        case CueKind.END:
            return "End card · 完場"


class RemotePanel(QWidget):
    """The Remote tab: OSC status, connected panels, the clicker switch, all remotes off."""

    def __init__(self, bridge: RemoteBridge, keys: KeyMap, zone: dt.tzinfo) -> None:
        super().__init__()
        self._bridge = bridge
        self._keys = keys
        self._zone = zone
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Connected panels · 已連接的控制台"))
        self.connected = QListWidget()
        self.connected.setMaximumHeight(140)
        layout.addWidget(self.connected)
        self.clicker = QCheckBox(
            "Presenter clicker drives the show too (Page Down = GO, Page Up = Back, "
            ". = black, F5 = GO) · 簡報器亦可控制放映"
        )
        self.clicker.setToolTip(
            "A clicker always steps the award reveal. In the show its keys replace Trim + (.) "
            "and Run preflight (F5) while this is on."
        )
        self.clicker.toggled.connect(keys.set_clicker_in_show)
        layout.addWidget(self.clicker)
        self.stage_line = QLabel()
        self.stage_line.setWordWrap(True)
        self.stage_line.setTextFormat(Qt.TextFormat.PlainText)
        self.stage_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.stage_line)
        self.stage_qr = QrView()
        self.stage_qr.setMinimumSize(180, 180)
        self.stage_qr.setMaximumSize(220, 220)
        layout.addWidget(self.stage_qr)
        self.off = QPushButton("Turn every remote off  [Ctrl+Shift+R] · 關閉所有遙控")
        self.off.clicked.connect(self.turn_off)
        layout.addWidget(self.off)
        layout.addStretch(1)
        bridge.connections_changed.connect(self.refresh)
        self.refresh()

    def turn_off(self) -> None:
        """Remotes off, and the clicker back to the reveal only."""
        self._bridge.turn_off()
        self.clicker.setChecked(False)
        self.refresh()

    def refresh(self) -> None:
        """Say what listens and who is connected."""
        bridge = self._bridge
        if bridge.server is not None:
            self.status.setText(
                f"OSC listening on port {bridge.server.port} (UDP and TCP) · OSC 遙控已開啟"
            )
        elif bridge.error:
            self.status.setText(f"{bridge.error} · OSC 遙控未能開啟")
        elif bridge.turned_off:
            self.status.setText("Remote control is off for the night · 已關閉遙控")
        else:
            self.status.setText(
                "OSC is off for this event ([remote] osc = true in event.toml turns it on) · "
                "OSC 遙控未啟用"
            )
        if bridge.stage is not None and bridge.stage_link is not None:
            self.stage_line.setText(
                "Stage display for the host: scan with the tablet (same network), or open "
                f"{bridge.stage_link.url} · 主持人舞台顯示：以平板掃描"
            )
            self.stage_qr.set_text(bridge.stage_link.url)
            self.stage_qr.show()
        else:
            self.stage_line.setText(
                "Stage display off ([remote] stage_display = true turns it on) · 舞台顯示未啟用"
            )
            self.stage_qr.set_text(None)
            self.stage_qr.hide()
        self.off.setEnabled(bridge.server is not None or bridge.stage is not None)
        self.connected.clear()
        for host, _seen in bridge.gate.connected():
            self.connected.addItem(f"{host}")
        if self.connected.count() == 0:
            self.connected.addItem("— none · 沒有 —")
