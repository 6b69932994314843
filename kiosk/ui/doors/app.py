"""Start a door station: the check-in window on an event, the scanner capture, camera, sounds."""

from __future__ import annotations

import logging
import re

from kiosk.core.problems import ConfigError
from kiosk.services.doors import door_checkins
from kiosk.services.event import EventFolder, InstanceLock, StoreError
from kiosk.ui.common.application import make_application, refuse
from kiosk.ui.common.excepthook import ErrorReporter
from kiosk.ui.doors.camera import CameraInput
from kiosk.ui.doors.scanner_capture import ScannerCapture
from kiosk.ui.doors.sounds import SoundBoard
from kiosk.ui.doors.window import DoorsContext, DoorsWindow

log = logging.getLogger(__name__)


def station_lock(folder: EventFolder, station: str) -> InstanceLock:
    """One window per station name on this computer (Undo works per station)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", station).strip("-").lower() or "station"
    folder.create_dirs()
    return InstanceLock(folder.root, f"doors-{slug}")


def open_doors(
    folder: EventFolder, station: str, *, with_camera: bool = True, with_sound: bool = True
) -> DoorsWindow:
    """Build the door window on an event (the caller runs the event loop)."""
    config = folder.load_config()
    repo = door_checkins(folder, config)
    zone = repo.zone
    camera = CameraInput() if with_camera and CameraInput.available() else None
    context = DoorsContext(
        title_en=config.name_en,
        title_zh=config.name_zh,
        repo=repo,
        station=station,
        zone=zone,
        sounds=SoundBoard(enabled=with_sound),
        camera=camera,
    )
    return DoorsWindow(context)


def run_doors(folder: EventFolder, station: str) -> int:
    """Open the door station full screen and run until it is closed; returns the exit status."""
    app = make_application()
    lock = station_lock(folder, station)
    try:
        lock.acquire()
    except StoreError as exc:
        return refuse(f"{station} is already open", str(exc))
    try:
        window = open_doors(folder, station)
    except ConfigError as exc:
        return refuse(
            "The event cannot be opened",
            "Fix these and start again:\n\n" + "\n".join(map(str, exc.problems)),
        )
    except StoreError as exc:
        return refuse("The event cannot be opened", str(exc))
    capture = ScannerCapture(app)
    capture.scanned.connect(lambda text: window.handle_code(text, "scan"))
    capture.install(app)
    reporter = ErrorReporter(lambda: window)
    reporter.install()
    screen = app.primaryScreen()
    if screen is not None:  # full size even where no window manager honours "full screen"
        window.setGeometry(screen.geometry())
    window.showFullScreen()
    if window.context.camera is not None:
        window.toggle_camera()
    log.info("door station %s open on %s", station, folder.root)
    try:
        return app.exec()
    finally:
        capture.uninstall()
        reporter.uninstall()
        lock.release()
