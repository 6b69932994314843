"""Start the Qt application on an event: the console on the operator's screen and the stage
(projector window) on the projector, with the show wired between them."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import replace
from functools import partial

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from kiosk.core.awards import RevealStep
from kiosk.core.problems import ConfigError
from kiosk.core.programme import Programme, format_duration
from kiosk.core.show import CueKind, ResumePoint, ShowOptions
from kiosk.desktop.inhibit import kept_awake
from kiosk.desktop.notifications import DoNotDisturb, notifications_quiet
from kiosk.desktop.power import read_power
from kiosk.desktop.session import NoXWaylandError, read_session, use_x11_for_the_stage
from kiosk.media.test_tone import TonePlayer
from kiosk.media.vlc_backend import create_instance
from kiosk.night import Night, night_start, open_night
from kiosk.night.exits import SUPERVISED_ENV
from kiosk.night.reveal_launcher import AppRevealLauncher
from kiosk.services.event_server_process import EventServerProcess
from kiosk.services.open_event import EventFolder, OpenEvent, StoreError
from kiosk.ui.common.application import (
    freeze_startup_objects,
    make_application,
    refuse,
    thaw_startup_objects,
)
from kiosk.ui.common.excepthook import ErrorReporter
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.console.close_guard import ConfirmClose, close_on_sigterm, confirm_without_asking
from kiosk.ui.console.doors_panel import DoorsFiguresPanel
from kiosk.ui.console.first_run import build_demo_in_window
from kiosk.ui.console.registrations_view import RegistrationsView
from kiosk.ui.console.remote_panel import RemoteBridge, RemotePanel
from kiosk.ui.console.report_view import ReportView
from kiosk.ui.console.reveal_panel import RevealPanel
from kiosk.ui.console.stage_preview import StagePreview
from kiosk.ui.console.stations_panel import mount_stations
from kiosk.ui.console.vote_panel import StageWindowSlide, VotePanel, VoteSlide
from kiosk.ui.console.window import ConsoleWindow, apply_outputs
from kiosk.ui.stage.window import StageWindow

__all__ = [
    "headless",
    "make_application",
    "make_show_application",
    "open_console",
    "run_console",
    "show_instance",
]

log = logging.getLogger(__name__)

VOUT_ENV = "KIOSK_VLC_VOUT"  # e.g. "xcb_x11": libvlc's video output (default: VLC's choice)
AOUT_ENV = "KIOSK_VLC_AOUT"  # e.g. "dummy" on a machine without sound (tests, benchmarks)


def make_show_application() -> QApplication:
    """The QApplication for anything that puts the stage on a screen (console, rehearse,
    stage-preview): on a Wayland session Qt runs on XWayland, because libvlc can only draw into
    an X11 window; without XWayland the app refuses to start (a dialog and exit status 1 —
    never a crash, so nothing restarts it in a loop)."""
    try:
        use_x11_for_the_stage(os.environ)
    except NoXWaylandError as refusal:
        sys.stderr.write(f"{refusal.title}\n{refusal}\n")
        sys.stderr.flush()
        make_application()  # on the session's own (Wayland) platform: the dialog still shows
        raise SystemExit(refuse(refusal.title, str(refusal))) from None
    app = make_application()
    log.info("Qt platform: %s", app.platformName())
    return app


def headless() -> bool:
    """True on Qt's offscreen platform: no window to draw films into (tests, checks)."""
    return QGuiApplication.platformName() in ("offscreen", "minimal")


def show_instance() -> object:
    """The libvlc instance for the show: real outputs on a display, dummy ones headless."""
    if headless():
        return create_instance(headless=True)
    chosen = {"vout": os.environ.get(VOUT_ENV), "aout": os.environ.get(AOUT_ENV)}
    return create_instance(extra=[f"--{kind}={name}" for kind, name in chosen.items() if name])


def has_projector() -> bool:
    """Whether a second screen (the projector) is connected."""
    return len(QGuiApplication.screens()) > 1


def place_stage(stage: StageWindow, screen_name: str | None = None) -> None:
    """Fullscreen on the projector; with a single screen, a small window in its corner."""
    if headless():
        stage.resize(960, 540)
        stage.show()
        return
    if screen_name or has_projector():
        stage.start()  # fullscreen on the projector, without taking the keyboard
        return
    screen = QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    width = max(480, area.width() // 3)
    height = width * 9 // 16
    stage.setGeometry(area.right() - width, area.bottom() - height, width, height)
    stage.show()


def resume_text(point: ResumePoint, programme: Programme) -> str:
    """How the console names a restored show, e.g. `Film 12 · The Last Lantern at 3:21`."""
    kind, _, film_id = point.cue_key.partition(":")
    if kind == CueKind.FILM.value and film_id:
        film = programme.film(film_id)
        where = f"film {film.position} · {film.title_en} at {format_duration(point.position_s)}"
    elif kind == CueKind.CARD.value and film_id:
        where = f"the title card of film {programme.film(film_id).position}"
    else:
        where = point.cue_key
    return (
        f"Restored after an interruption: {where}. Held paused — GO continues from there; "
        "Start over goes back to the holding slide."
    )


def open_console(
    folder: EventFolder,
    *,
    screen_name: str | None = None,
    supervised: bool = False,
    confirm_close: ConfirmClose | None = None,
) -> tuple[ConsoleWindow, ErrorReporter]:
    """Build the console and the stage on an event (the caller holds the event lock).

    `confirm_close` asks before the console closes during the show (default: a dialog; on
    Qt's offscreen platform, where nobody could answer one, the close is confirmed)."""
    if confirm_close is None and headless():
        confirm_close = confirm_without_asking
    event = OpenEvent.open(folder)  # the one place the console opens the event folder
    config, programme = event.config, event.programme
    outputs = event.settings()  # the screen and sound chosen with O last time
    screen_name = screen_name or outputs.projector_screen
    messages = MessageBus(zone=config.zone)
    tasks = TaskRunner()
    show_db = event.connect()  # the show's own connection (its journal's reads at opening)
    # the journal read back once, before any window: where the show was, the sound, the music
    start = night_start(show_db)
    stage = StageWindow(config, programme, screen_name)
    instance = show_instance()
    night = open_night(
        config,
        programme,
        show_db,
        stage,
        instance,
        messages,
        options=ShowOptions.from_event(config),
        bind_surfaces=not headless(),
        start=start,
    )
    restore = night.restore()
    desktop = None if headless() else read_session(os.environ)
    do_not_disturb = DoNotDisturb(os.environ) if desktop is not None and desktop.is_gnome else None
    window = ConsoleWindow(
        event,
        night,
        messages,
        tasks,
        supervised=supervised,
        confirm_close=confirm_close,
        tone=TonePlayer(instance),
        read_power=None if headless() else read_power,
        do_not_disturb=do_not_disturb,
    )
    window.closed.connect(show_db.close)  # after the night closed (its last entries written)
    if do_not_disturb is not None:
        window.closed.connect(do_not_disturb.restore)  # put back what the operator had
        tasks.run(
            notifications_quiet,
            window.desktop_banner.offer_quiet,
            lambda error: log.warning("notifications: %s", error),
            dict(os.environ),
        )
    if not headless():  # (headless players have a dummy output on purpose)
        apply_outputs(night, replace(outputs, projector_screen=None))  # the stage has it
    registrations = RegistrationsView(event.registrations(), messages, tasks)
    window.add_tab(registrations, "Registrations · 登記")
    window.closed.connect(registrations.stop)  # its worker's queued work, then its connection
    doors = DoorsFiguresPanel(event.door_checkins)  # opened on its worker
    window.add_tab(doors, "Doors · 入場")
    window.closed.connect(doors.stop)
    window.add_tab(ReportView(event.report(), tasks, messages), "Report · 報告")
    server = EventServerProcess(event.root)  # started and stopped by the Stations tab
    stations = mount_stations(window, partial(event.stations, server), server.stop, config.zone)
    window.closed.connect(stations.stop)  # its worker ends with the console, not at quit only
    mount_reveal(window, event, night, messages, tasks)
    mount_vote(window, event, night, messages, stage)
    mount_remote(window, event, night, messages)
    if restore is not None:
        text = resume_text(restore, programme)
        window.offer_resume(text)
        messages.warning(text)
    reporter = ErrorReporter(lambda: window)
    place_stage(stage, screen_name)
    # the console's modules, widgets and the night's objects live all night: out of the
    # collector's sight, a full collection no longer walks them at a cut (the GUI-load bench:
    # a 61.6 ms collection on the GUI thread made a card->film cut 74.5 ms late)
    freeze_startup_objects()
    window.closed.connect(thaw_startup_objects)
    return window, reporter


def mount_reveal(
    window: ConsoleWindow,
    event: OpenEvent,
    night: Night,
    messages: MessageBus,
    tasks: TaskRunner,
) -> RevealPanel:
    """The Awards tab; while the reveal has the projector, the show's GO, back and black keys
    step it (the night's key mode)."""
    launcher = AppRevealLauncher(event.sealed_results(), event.root, night, event.connect)

    def activated(active: bool) -> None:
        if active:
            window.tabs.setCurrentWidget(panel)

    def interrupted(step: RevealStep) -> None:
        """The first reading of the seal (on the tab's reader) found a reveal cut short."""
        night.projector.stage.set_black(True)  # nothing of the awards shows until keyholders
        messages.warning(
            f"The award reveal was interrupted at step {step.index + 1} "
            f"({step.describe()}): open the results again (F8) to continue there"
        )
        window.tabs.setCurrentWidget(panel)
        window.activateWindow()  # the keys stay with the console, never the blacked-out stage

    panel = RevealPanel(
        launcher,
        tasks,
        messages,
        preview_factory=lambda controller: StagePreview(controller, tasks),
        on_active=activated,
        on_interrupted=interrupted,
    )
    window.add_tab(panel, "Awards · 頒獎")
    window.closed.connect(panel.stop)  # its reader finishes, then stops
    panel.register_keys(window.keys)
    return panel


def mount_vote(
    window: ConsoleWindow,
    event: OpenEvent,
    night: Night,
    messages: MessageBus,
    stage: StageWindow,
) -> VotePanel:
    """The Viewer's vote tab: open/close the vote, turnout, the voting slide (not while the
    award reveal has the projector)."""

    def busy() -> str | None:
        return "the award reveal has the projector" if night.projector.with_reveal else None

    panel = VotePanel(
        event.viewer_vote,  # opened on the panel's worker
        event.config,
        VoteSlide(StageWindowSlide(stage, busy)),
        messages,
        # where the server really serves the page: one reader per worker thread (each keeps
        # a connection of its thread, closed there when the panel stops)
        address=event.vote_page_address(),
        page_address=event.vote_page_address(),
    )
    window.add_tab(panel, "Viewer's vote · 觀眾投票")
    window.closed.connect(panel.stop)  # the vote's database connection goes with the console
    return panel


def mount_remote(
    window: ConsoleWindow,
    event: OpenEvent,
    night: Night,
    messages: MessageBus,
) -> RemotePanel:
    """The Remote tab: OSC from the booth (`[remote] osc = true`), the host's stage display
    (`stage_display = true`), the presenter clicker, and Ctrl+Shift+R: every remote off."""
    bridge = RemoteBridge(
        event.config,
        night,
        window.keys,
        messages,
        stage_link=event.stage_display_link,
        parent=window,
    )
    panel = RemotePanel(bridge, window.keys, event.config.zone)
    window.add_tab(panel, "Remote · 遙控")

    def remotes_off() -> str:
        panel.turn_off()
        return "OSC closed, clicker back to the reveal only"

    window.keys.handle("remotes_off", remotes_off)
    window.closed.connect(bridge.close)
    return panel


def run_console(folder: EventFolder, *, screen_name: str | None = None) -> int:
    """Open the console (and the stage) on `folder` and run until it is closed.

    (With a projector connected, the `console` command first makes its process the supervisor
    that keeps the projector black and runs this as its child: see kiosk.supervisor.)
    """
    app = make_show_application()
    if not folder.exists():  # the first run: a window at once while the demo night is built
        error = build_demo_in_window(folder)
        if error is not None:
            return refuse("The demo night could not be built", error)
    lock = folder.event_lock("the console")
    try:
        lock.acquire()
    except StoreError as exc:
        return refuse("AIFF Screening Night is already running", str(exc))
    try:
        supervised = bool(os.environ.get(SUPERVISED_ENV))
        window, reporter = open_console(folder, screen_name=screen_name, supervised=supervised)
    except ConfigError as exc:
        return refuse(
            "The event cannot be opened",
            "Fix these and start again:\n\n" + "\n".join(map(str, exc.problems)),
        )
    except StoreError as exc:
        return refuse("The event cannot be opened", str(exc))
    reporter.install()
    restore_sigterm = close_on_sigterm(window)  # a logout or `kill` asks during the show too
    app.commitDataRequest.connect(window.close_guard.session_closing)
    window.showMaximized()
    window.activateWindow()
    log.info("console shown")
    try:
        if headless():  # (tests and checks: no screen to keep awake)
            code = app.exec()
        else:
            with kept_awake("The screening night is open on the projector", os.environ) as awake:
                window.show_inhibit_status(awake.status())
                code = app.exec()
        return window.exit_code or code
    finally:
        restore_sigterm()
        reporter.uninstall()
        lock.release()
