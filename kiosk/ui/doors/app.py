"""Start a door station: the check-in window on an event, the scanner capture, camera, sounds."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from kiosk.core.checkin import station_label_zh
from kiosk.core.problems import ConfigError
from kiosk.services.door_backend import DoorBackend, close_backend
from kiosk.services.open_event import EventFolder, EventLockedError, OpenEvent, StoreError
from kiosk.ui.common.application import (
    exec_kept_awake,
    freeze_startup_objects,
    make_application,
    refuse,
)
from kiosk.ui.common.excepthook import ErrorReporter
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.doors.camera import CameraInput
from kiosk.ui.doors.scanner_capture import ScannerCapture
from kiosk.ui.doors.sounds import SoundBoard
from kiosk.ui.doors.voting_station import StationModes, VotingStationWindow
from kiosk.ui.doors.window import DoorsContext, DoorsWindow

if TYPE_CHECKING:
    from kiosk.services.vote import ViewerVote

log = logging.getLogger(__name__)


def already_open_message(station: str, exc: EventLockedError) -> tuple[str, str]:
    """The usher's dialog when this station is open already: (title, text), in both languages."""
    station_zh = station_label_zh(station)
    details = f" ({exc.details})" if exc.details else ""
    title = f"{station} is already open · {station_zh}已經開啟"
    text = (
        f"The door station “{station}” is already open on this computer{details}.\n"
        f"Use that window, or start this one with another station name, e.g. "
        f'--station "Door 2".\n\n'
        f"此電腦已開啟「{station_zh}」入場站。\n"
        f'請使用該視窗，或以另一個入場站名稱開啟，例如 --station "Door 2"。'
    )
    return title, text


def open_doors(
    folder: EventFolder, station: str, *, with_camera: bool = True, with_sound: bool = True
) -> DoorsWindow:
    """Build the door window on an event (the caller runs the event loop)."""
    return doors_window(
        OpenEvent.open(folder), station, with_camera=with_camera, with_sound=with_sound
    )


def doors_window(
    event: OpenEvent, station: str, *, with_camera: bool = True, with_sound: bool = True
) -> DoorsWindow:
    """The door window on an open event: each piece on its own connection, on its own thread."""
    config = event.config
    repo = event.door_checkins()
    zone = repo.zone
    camera = CameraInput() if with_camera and CameraInput.available() else None
    writer: SerialWorker[DoorBackend] = SerialWorker(
        event.door_checkins, name="door-writer", close_resource=close_backend
    )
    reader: SerialWorker[DoorBackend] = SerialWorker(
        event.door_checkins, name="door-reader", close_resource=close_backend
    )
    context = DoorsContext(
        title_en=config.name_en,
        title_zh=config.name_zh,
        repo=repo,
        writer=writer,
        reader=reader,
        station=station,
        zone=zone,
        sounds=SoundBoard(enabled=with_sound),
        camera=camera,
    )
    return DoorsWindow(context)


class ScanTarget(Protocol):
    """What takes a scanner's code: the check-in window, or the station's current mode."""

    def handle_code(self, text: str, source: str, /) -> object:
        """Take one code read by `source` ("scan", "camera", "typed")."""
        ...


def attach_scanner(app: QCoreApplication, target: ScanTarget) -> ScannerCapture:
    """Scanner bursts, wherever the focus is, become scans at `target`."""
    capture = ScannerCapture(app)
    capture.scanned.connect(lambda text: target.handle_code(text, "scan"))
    capture.install(app)
    return capture


def run_doors(folder: EventFolder, station: str, *, vote: bool = False) -> int:
    """Open the door station full screen and run until it is closed; returns the exit status.

    F9 switches between check-in and the Viewer's Award voting station; `vote` starts there.
    """
    app = make_application()
    lock = folder.station_lock(station)
    try:
        lock.acquire()
    except EventLockedError as exc:
        return refuse(*already_open_message(station, exc))
    except StoreError as exc:
        return refuse(f"{station} cannot be opened · 無法開啟{station_label_zh(station)}", str(exc))
    try:
        event = OpenEvent.open(folder)
        window = doors_window(event, station)
    except ConfigError as exc:
        return refuse(
            "The event cannot be opened",
            "Fix these and start again:\n\n" + "\n".join(map(str, exc.problems)),
        )
    except StoreError as exc:
        return refuse("The event cannot be opened", str(exc))

    def full_screen(shown: QWidget) -> None:
        screen = app.primaryScreen()
        if screen is not None:  # full size even where no window manager honours "full screen"
            shown.setGeometry(screen.geometry())
        shown.showFullScreen()

    def voting_station() -> VotingStationWindow:
        # its own connection on its own thread: thumbnails and commits never freeze the screen
        runner: SerialWorker[ViewerVote] = SerialWorker(event.viewer_vote, name="vote-writer")
        return VotingStationWindow(runner, station)

    modes = StationModes(window, voting_station, full_screen)
    capture = attach_scanner(app, modes)
    reporter = ErrorReporter(lambda: modes.current)
    reporter.install()
    full_screen(window)
    if vote:
        try:
            modes.to_voting()
        except (ConfigError, StoreError) as exc:
            log.error("voting mode cannot start: %s", exc)
    if window.context.camera is not None:
        window.toggle_camera()
    log.info("door station %s open on %s", station, folder.root)
    try:
        freeze_startup_objects()  # no full collection of the startup objects mid-scan
        return exec_kept_awake(app, "A door station is checking tickets in")
    finally:
        capture.uninstall()
        reporter.uninstall()
        if modes.voting is not None:
            modes.voting.finish(10.0)
        lock.release()
