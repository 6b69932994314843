"""A door station on its own laptop: pair by QR (webcam) or pasted text, then the door window.

The same :class:`~kiosk.ui.doors.window.DoorsWindow` as on the event folder, on a
:class:`~kiosk.station.remote_doors.RemoteDoors` backend, with the background sync running and
the header saying whether the station is online and how old its ticket list is.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.stations import PAIRING_SCHEME
from kiosk.station.remote_vote import RemoteVoting, remote_voting
from kiosk.station.setup import (
    JoinError,
    JoinOutcome,
    RemoteStation,
    StationOpenError,
    is_paired,
    join_station,
    open_station_at,
    station_window_lock,
)
from kiosk.ui.common.application import (
    exec_kept_awake,
    freeze_startup_objects,
    make_application,
    refuse,
)
from kiosk.ui.common.excepthook import ErrorReporter
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.theme import Colours, ui_font
from kiosk.ui.doors.app import attach_scanner
from kiosk.ui.doors.camera import CameraInput
from kiosk.ui.doors.decoder import RepeatSuppressor
from kiosk.ui.doors.sounds import SoundBoard
from kiosk.ui.doors.voting_station import StationModes, VotingStationWindow
from kiosk.ui.doors.window import DoorsContext, DoorsWindow

log = logging.getLogger(__name__)


class PairingDialog(QDialog):
    """Pair this laptop: hold the console's pairing QR up to the camera, or paste its text."""

    def __init__(
        self, folder: Path, camera: CameraInput | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.camera = camera
        self.outcome: JoinOutcome | None = None
        self.setWindowTitle("Pair this door station / 配對入口站")
        self.setMinimumWidth(720)
        intro = QLabel(
            "On the console, open Stations · 入口站 and make a pairing QR for this door.\n"
            "Hold it up to the camera, or paste its text below.\n"
            "在控制台「入口站」分頁為此入口產生配對碼，將二維碼對準鏡頭，或在下方貼上其文字。"
        )
        intro.setFont(ui_font(12))
        intro.setWordWrap(True)
        self.payload = QLineEdit()
        self.payload.setPlaceholderText("aiff-pair://…")
        self.payload.setFont(ui_font(12))
        self.payload.setMinimumHeight(40)
        self.payload.returnPressed.connect(self.pair_typed)
        self.pair_button = QPushButton("Pair / 配對")
        self.pair_button.setMinimumHeight(40)
        self.pair_button.clicked.connect(self.pair_typed)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setFont(ui_font(11))
        self.preview_holder = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.payload, 1)
        row.addWidget(self.pair_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.preview_holder)
        layout.addLayout(row)
        layout.addWidget(self.status)
        if camera is not None:
            camera.code_seen.connect(self.pair_scanned)
            from PySide6.QtMultimediaWidgets import QVideoWidget

            preview = QVideoWidget()
            preview.setMinimumHeight(240)
            self.preview_holder.addWidget(preview)
            camera.state_changed.connect(self._camera_state)
            if not camera.start(preview):
                preview.hide()
        else:
            self.status.setText("No camera: paste the pairing text. / 沒有鏡頭：請貼上配對文字。")

    def _camera_state(self, running: bool, text: str) -> None:
        self._say(text if running else f"{text} — paste the pairing text. / 請貼上配對文字。")

    def pair_scanned(self, text: str) -> None:
        """A QR code seen by the camera: pair with it if it is a pairing code."""
        if not text.strip().startswith(PAIRING_SCHEME):
            self._say("That QR code is not a pairing code. / 這不是配對碼。", error=True)
            return
        self.payload.setText(text.strip())
        self.pair_typed()

    def pair_typed(self) -> None:
        """Pair with the text in the field."""
        text = self.payload.text().strip()
        if not text:
            self._say("Paste or scan the pairing code first. / 請先貼上或掃描配對碼。", error=True)
            return
        self._say("Pairing… / 配對中……")
        try:
            self.outcome = join_station(self.folder, text)
        except JoinError as exc:
            self._say(str(exc), error=True)
            return
        if self.camera is not None:
            self.camera.stop()
        self.accept()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        colour = Colours.bad if error else Colours.muted
        self.status.setStyleSheet(f"color: {colour.name()}")


def open_remote_doors(
    station: RemoteStation, *, camera: CameraInput | None, with_sound: bool = True
) -> DoorsWindow:
    """The door window on a paired station (the caller starts the sync and the event loop).

    The writer runs the station's scans, hand admissions, walk-ins and undo on its worker
    thread, so a slow or vanished server (up to the scan timeout) never freezes the window;
    the reader counts the figures on another. Both use the same RemoteDoors as the window,
    so the online/offline state is one (its server link serialises requests between them).
    """
    doors = station.doors
    context = DoorsContext(
        title_en=doors.store.meta("event") or "AIFF door station",
        title_zh=doors.store.meta("event_zh") or "AIFF 入口站",
        repo=doors,
        writer=SerialWorker(lambda: doors, name="door-writer"),
        reader=SerialWorker(lambda: doors, name="door-reader"),
        station=doors.station,
        zone=doors.zone,
        sounds=SoundBoard(enabled=with_sound),
        camera=camera,
        link_state=doors.link_state,
        watch_link=doors.watch_link,
    )
    return DoorsWindow(context)


def remote_voting_station(station: RemoteStation) -> VotingStationWindow:
    """The voting station of a paired station: ballots through the event server, on a worker
    thread of its own (a slow or vanished server never freezes the screen)."""
    voting = remote_voting(station.doors)
    runner: SerialWorker[RemoteVoting] = SerialWorker(lambda: voting, name="vote-writer")
    doors = station.doors
    return VotingStationWindow(
        runner, doors.station, link_state=doors.link_state, watch_link=doors.watch_link
    )


def run_remote_doors(folder: Path, *, pair: bool, vote: bool = False) -> int:
    """Pair if asked (or not yet paired), then run the door window until it is closed.

    F9 switches between check-in and the Viewer's Award voting station (`vote`: start there).
    """
    app = make_application()
    try:
        with station_window_lock(folder):
            return _run_station(app, folder, pair=pair, vote=vote)
    except StationOpenError as exc:
        return refuse("This station cannot open", str(exc))


def _run_station(app: QApplication, folder: Path, *, pair: bool, vote: bool) -> int:
    camera = CameraInput(RepeatSuppressor()) if CameraInput.available() else None
    if pair or not is_paired(folder):
        dialog = PairingDialog(folder, camera)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if camera is not None:
            camera.code_seen.disconnect(dialog.pair_scanned)
        if not accepted:
            return 1
    station = open_station_at(folder)
    window = open_remote_doors(station, camera=camera)
    station.sync.start()

    def full_screen(shown: QWidget) -> None:
        screen = app.primaryScreen()
        if screen is not None:
            shown.setGeometry(screen.geometry())
        shown.showFullScreen()

    modes = StationModes(window, lambda: remote_voting_station(station), full_screen)
    capture = attach_scanner(app, modes)
    reporter = ErrorReporter(lambda: modes.current)
    reporter.install()
    full_screen(window)
    if vote:
        modes.to_voting()
    elif camera is not None:
        window.toggle_camera()
    log.info("door station %s open on %s", station.doors.station, folder)
    try:
        freeze_startup_objects()  # no full collection of the startup objects mid-scan
        return exec_kept_awake(app, "A door station is checking tickets in")
    finally:
        capture.uninstall()
        reporter.uninstall()
        if modes.voting is not None:
            modes.voting.finish(10.0)
        window.context.writer.shutdown()  # queued check-ins finish before the station closes
        if window.context.reader is not None:
            window.context.reader.shutdown()
        station.close()
