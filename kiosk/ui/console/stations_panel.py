"""The console's Stations tab: the event server's address, pairing QR codes, stations, revoke.

A pairing QR is a bearer code (valid 2 minutes, once): it is shown only while this tab is open,
and cleared when it is used, when it expires and when the tab is left. Each pairing is announced
as it happens (name, address, time) with its row selected, so Delete revokes it at once.

Everything goes through :class:`~kiosk.services.station_console.StationConsole`; the widget
itself knows nothing about the database or the network. Every call to it (the server's status,
which waits on the network; the stations and conflicts; pairing, revoking, starting the server)
runs on the panel's own :class:`~kiosk.ui.common.serial_worker.SerialWorker`, never on the GUI
thread, and the panel polls only while it is on screen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.render.qr import QrMatrix, qr_matrix
from kiosk.services.station_console import ConflictRow, PairingCode, ServerStatus, StationRow
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.theme import Colours, ui_font

log = logging.getLogger(__name__)

POLL_MS = 2000
T = TypeVar("T")


class StationService(Protocol):
    """What the panel needs (StationConsole provides it)."""

    def status(self) -> ServerStatus:
        """The server's state."""
        ...

    def start_server(self, port: int | None = None) -> None:
        """Start the server."""
        ...

    def start_if_stations_paired(self) -> bool:
        """Start the server when the event has paired stations."""
        ...

    def pair(self, name: str) -> PairingCode:
        """A pairing code."""
        ...

    def stations(self) -> list[StationRow]:
        """Stations."""
        ...

    def revoke(self, name: str) -> bool:
        """Revoke a station."""
        ...

    def conflicts(self) -> list[ConflictRow]:
        """Door conflicts."""
        ...

    def close(self) -> None:
        """Let go of the database connection (on the thread that used it)."""
        ...


class QrView(QWidget):
    """A QR code painted from its module matrix (dark on white, quiet zone included)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix: QrMatrix | None = None
        self.setMinimumSize(260, 260)

    def set_text(self, text: str | None) -> None:
        """Show the QR of ``text`` (None: nothing)."""
        self.matrix = qr_matrix(text) if text else None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.matrix is None:
            return
        painter = QPainter(self)
        side = min(self.width(), self.height())
        module = side / self.matrix.size
        left = (self.width() - side) / 2
        top = (self.height() - side) / 2
        painter.fillRect(QRectF(left, top, side, side), QColor("#ffffff"))
        for row, column, length in self.matrix.dark_runs():
            painter.fillRect(
                QRectF(left + column * module, top + row * module, length * module, module),
                QColor("#000000"),
            )
        painter.end()


def _plain(text: str, size: int = 11, *, bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(ui_font(size, bold=bold))
    label.setWordWrap(True)
    return label


class DeleteKeyRevokes(QObject):
    """On the stations table, the Delete key revokes the selected station (one key)."""

    def __init__(self, revoke: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._revoke = revoke

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete pressed on the table: revoke."""
        pressed = event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
        if pressed and event.key() == Qt.Key.Key_Delete:  # type: ignore[attr-defined]
            self._revoke()
            return True
        return False


class StationsPanel(QWidget):
    """Run the event server, pair door laptops by QR, see them, revoke one at once."""

    def __init__(
        self,
        open_service: Callable[[], StationService],
        zone: dt.tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # the service (and its connection) is opened on the worker and used there alone
        self.worker: SerialWorker[StationService] = SerialWorker(
            open_service, name="stations", close_resource=_close, parent=self
        )
        self._waiting = 0  # answers still to come from the worker
        self._zone = zone  # the event's clock: times read the same on every screen
        self._pairing: PairingCode | None = None  # the QR on screen now
        self._paired_seen: dict[str, dt.datetime | None] | None = None
        self._station_states: dict[str, str] = {}
        top = self._build_server_row()
        left = self._build_pairing_column()
        right = self._build_stations_column()
        body = QHBoxLayout()
        body.addLayout(left, 4)
        body.addSpacing(16)
        body.addLayout(right, 6)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addLayout(body, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        self.refresh()

    def _build_server_row(self) -> QHBoxLayout:
        """Whether the event server runs, and its Start button."""
        self.server_line = _plain("", 13, bold=True)
        self.start_button = QPushButton("Start event server / 啟動伺服器")
        self.start_button.clicked.connect(self.start_server)
        top = QHBoxLayout()
        top.addWidget(self.server_line, 1)
        top.addWidget(self.start_button)
        return top

    def _build_pairing_column(self) -> QVBoxLayout:
        """The station's name, its pairing QR, until when it works, the code as text."""
        self.name_entry = QLineEdit()
        self.name_entry.setPlaceholderText("Station name, e.g. Door 2 / 入口名稱")
        self.name_entry.returnPressed.connect(self.make_pairing)
        self.pair_button = QPushButton("Pairing QR / 配對碼")
        self.pair_button.clicked.connect(self.make_pairing)
        self.qr = QrView()
        self.expiry_line = _plain("", 10)
        self.payload_line = QLineEdit()  # the code as text, to copy into `join` by hand
        self.payload_line.setReadOnly(True)
        self.payload_line.setPlaceholderText("aiff-pair://…")
        self.pair_note = _plain(
            "On the door laptop, open the door station's pairing screen (set up by the "
            "technician, see docs/screens.md), then hold this code up to its camera.\n"
            "在入口電腦開啟入口站的配對畫面，再將此碼對準其鏡頭。",
            10,
        )
        left = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.name_entry, 1)
        row.addWidget(self.pair_button)
        left.addLayout(row)
        left.addWidget(self.qr, 1)
        left.addWidget(self.expiry_line)
        left.addWidget(self.payload_line)
        left.addWidget(self.pair_note)
        return left

    def _build_stations_column(self) -> QVBoxLayout:
        """The stations, Revoke, the status line and the door conflicts."""
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            ["Station / 入口", "State / 狀態", "Last seen / 最後連線", "Address / 位址"]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.revoke_button = QPushButton("Revoke selected station (Delete) / 撤銷所選入口站")
        self.revoke_button.clicked.connect(self.revoke_selected)
        self._delete_revokes = DeleteKeyRevokes(self.revoke_selected, self.table)
        self.table.installEventFilter(self._delete_revokes)
        self.revoke_button.setEnabled(False)  # until a station that can be revoked is selected
        self.table.itemSelectionChanged.connect(self._enable_revoke)
        self.status_line = _plain("", 11)
        self.conflicts_title = _plain("Door conflicts / 重複入場", 11, bold=True)
        self.conflicts = QListWidget()
        right = QVBoxLayout()
        right.addWidget(_plain("Stations / 入口站", 11, bold=True))
        right.addWidget(self.table, 2)
        right.addWidget(self.revoke_button)
        right.addWidget(self.status_line)
        right.addWidget(self.conflicts_title)
        right.addWidget(self.conflicts, 1)
        return right

    @property
    def busy(self) -> bool:
        """Whether the worker has answers still to give this panel (tests wait on it)."""
        return self._waiting > 0

    def stop(self) -> None:
        """The console is closing: no more polling; the queued calls finish."""
        self._timer.stop()
        self.worker.shutdown()

    def _poll(self) -> None:
        if self.isVisible() and not self.busy:  # only on screen; one read at a time
            self.refresh()

    def _call(
        self,
        work: Callable[[StationService], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``work(service)`` on the worker; ``done`` (or ``failed``) on the GUI thread."""

        def answered(result: T) -> None:
            self._waiting -= 1
            done(result)

        def refused(error: BaseException) -> None:
            self._waiting -= 1
            if failed is not None:
                failed(error)
            else:
                log.warning("stations: %s", error)
                self._say(f"{error}", Colours.bad)

        self._waiting += 1
        self.worker.submit(work, answered, refused)

    def refresh(self) -> None:
        """Read the server state, stations and conflicts on the worker; show them when read."""
        self._call(_read_all, self._show_all)

    def _show_all(self, state: tuple[ServerStatus, list[StationRow], list[ConflictRow]]) -> None:
        status, stations, conflicts = state
        if status.running:
            self.server_line.setText(f"● Event server running · 伺服器運作中  {status.url}")
            self.server_line.setStyleSheet(f"color: {Colours.ok.name()}")
        else:
            where = f" (last at {status.url})" if status.url else ""
            self.server_line.setText(f"● Event server not running · 伺服器未啟動{where}")
            self.server_line.setStyleSheet(f"color: {Colours.warn.name()}")
        self.start_button.setEnabled(not status.running)
        self._fill_stations(stations)
        self._fill_conflicts(conflicts)
        shown = self._pairing
        if shown is not None and dt.datetime.now(dt.UTC) >= shown.expires_at:
            self._clear_pairing(f"The pairing code for {shown.station} expired / 配對碼已過期")

    def _fill_stations(self, stations: list[StationRow]) -> None:
        self._station_states = {station.name: station.state for station in stations}
        selected = self._selected_name()
        self.table.setRowCount(len(stations))
        states = {
            "active": "active / 使用中",
            "revoked": "revoked / 已撤銷",
            "pairing": "pairing code issued / 待配對",
        }
        for index, station in enumerate(stations):
            seen = station.last_seen_at
            cells = [
                station.name,
                states.get(station.state, station.state),
                seen.astimezone(self._zone).strftime("%H:%M:%S") if seen else "—",
                station.last_address or "",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if station.state == "revoked":
                    item.setForeground(Colours.muted)
                self.table.setItem(index, column, item)
            if station.name == selected:
                self.table.selectRow(index)
        self.table.resizeColumnsToContents()
        self._enable_revoke()
        self._announce_new_pairings(stations)

    def _enable_revoke(self) -> None:
        """Revoke is offered only for a selected station that is not revoked already."""
        state = self._station_states.get(self._selected_name() or "")
        self.revoke_button.setEnabled(state is not None and state != "revoked")

    def _announce_new_pairings(self, stations: list[StationRow]) -> None:
        """Say each pairing that happened since the last look, and select it (Delete revokes)."""
        paired = {station.name: station.paired_at for station in stations}
        seen, self._paired_seen = self._paired_seen, paired
        if seen is None:
            return  # the first look: pairings made before the console opened are not news
        for index, station in enumerate(stations):
            if station.state != "active" or station.paired_at is None:
                continue
            if seen.get(station.name) == station.paired_at:
                continue
            at = station.paired_at.astimezone(self._zone).strftime("%H:%M:%S")
            where = station.last_address or "?"
            self.table.selectRow(index)
            if self._pairing is not None and self._pairing.station == station.name:
                self._clear_pairing(f"{station.name} paired: the code is used up / 配對碼已使用")
            self._say(
                f"{station.name} paired from {where} at {at} · Delete revokes "
                f"/ {at} 由 {where} 配對 · 按 Delete 撤銷",
                Colours.warn,
            )

    def _clear_pairing(self, note: str) -> None:
        """Take the pairing QR off the screen (used, expired, or the tab was left)."""
        self._pairing = None
        self.qr.set_text(None)
        self.payload_line.clear()
        self.expiry_line.setText(note)

    def hideEvent(self, event: QHideEvent) -> None:
        """Leaving the tab takes the pairing QR off the screen."""
        if self._pairing is not None:
            self._clear_pairing("Pairing code hidden; make a new one / 配對碼已隱藏，請重新產生")
        super().hideEvent(event)

    def _fill_conflicts(self, conflicts: list[ConflictRow]) -> None:
        self.conflicts_title.setText(f"Door conflicts / 重複入場: {len(conflicts)}")
        self.conflicts.clear()
        for conflict in conflicts:
            first = "—"
            if conflict.first_at is not None:
                first = f"{conflict.first_station} {conflict.first_at.astimezone(self._zone):%H:%M}"
            self.conflicts.addItem(
                f"{conflict.name or '?'} · {conflict.kind}: {first} / "
                f"{conflict.second_station} "
                f"{conflict.second_at.astimezone(self._zone):%H:%M} (offline)"
            )

    def _selected_name(self) -> str | None:
        """The station in the selected (or current) row."""
        model = self.table.selectionModel()
        rows = [index.row() for index in model.selectedRows()] if model else []
        row = rows[0] if rows else self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item else None

    def start_server(self) -> None:
        """Start the event server (a separate process)."""

        def started(_none: None) -> None:
            QTimer.singleShot(1500, self.refresh)

        self._say("Starting the event server… / 正在啟動伺服器……", Colours.muted)
        self._call(lambda service: service.start_server(), started)

    def start_if_stations_paired(self) -> None:
        """Start the event server with the console when the event has paired stations (on
        the worker: it reads the database and asks the network)."""

        def answered(started: bool) -> None:
            if started:
                log.info("this event has paired door stations: the event server starts")
                QTimer.singleShot(1500, self.refresh)

        self._call(lambda service: service.start_if_stations_paired(), answered)

    def make_pairing(self) -> None:
        """Show a pairing QR for the station named in the field."""
        name = self.name_entry.text()
        self._call(lambda service: service.pair(name), self._show_pairing)

    def _show_pairing(self, code: PairingCode) -> None:
        self.refresh()  # the list first (it shows the new pairing pending), then the code
        self._pairing = code
        self.qr.set_text(code.payload)
        expires = code.expires_at.astimezone(self._zone).strftime("%H:%M:%S")
        self.expiry_line.setText(
            f"{code.station}: one use, until {expires} / 只可使用一次，{expires} 前有效"
        )
        self.payload_line.setText(code.payload)
        self.payload_line.setCursorPosition(0)
        self._say(f"Pairing code ready for {code.station} / 已為 {code.station} 產生配對碼")

    def revoke_selected(self) -> None:
        """Revoke the selected station now."""
        name = self._selected_name()
        if not name:
            self._say("Select a station first / 請先選擇入口站", Colours.muted)
            return

        def revoked(done: bool) -> None:
            if done:
                self._say(
                    f"Revoked {name}: it can no longer admit anyone / 已撤銷 {name}", Colours.warn
                )
            else:
                self._say(f"{name} was already revoked / {name} 已撤銷", Colours.muted)
            self.refresh()

        self._call(lambda service: service.revoke(name), revoked)

    def _say(self, text: str, colour: QColor | None = None) -> None:
        self.status_line.setText(text)
        self.status_line.setStyleSheet(f"color: {(colour or Colours.text).name()}")


def _close(service: StationService) -> None:
    service.close()


def _read_all(service: StationService) -> tuple[ServerStatus, list[StationRow], list[ConflictRow]]:
    return service.status(), service.stations(), service.conflicts()


class _TabHost(Protocol):
    def add_tab(self, widget: QWidget, title: str) -> int: ...


def mount_stations(
    window: _TabHost,
    open_service: Callable[[], StationService],
    stop_server: Callable[[], None],
    zone: dt.tzinfo | None = None,
) -> StationsPanel:
    """Add the Stations tab to the console (the event server starts with it when stations
    are paired); a server it started stops (``stop_server``) when the app quits."""
    panel = StationsPanel(open_service, zone)
    panel.start_if_stations_paired()
    window.add_tab(panel, "Stations · 入口站")
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(panel.stop)  # its calls finish first, its connection closes
        app.aboutToQuit.connect(stop_server)
    return panel
