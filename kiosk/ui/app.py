"""Start the Qt application on an event: the console on the operator's screen and the stage
(projector window) on the projector, with the show wired between them."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.core.event import EventConfig
from kiosk.core.problems import ConfigError
from kiosk.core.programme import Programme, format_duration
from kiosk.core.show import SHOW_RESET, CueKind, ResumePoint, ShowOptions, under_way
from kiosk.media.sting import StingPlayer
from kiosk.media.vlc_backend import create_instance
from kiosk.store.checkins import CheckinRepository
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.ui.common.excepthook import ErrorReporter
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import apply_theme
from kiosk.ui.console.doors_panel import DoorsFiguresPanel
from kiosk.ui.console.registrations_view import RegistrationsView
from kiosk.ui.console.reveal_panel import RevealPanel
from kiosk.ui.console.stage_preview import StagePreview
from kiosk.ui.console.vote_panel import StageWindowSlide, VotePanel, VoteSlide
from kiosk.ui.console.window import ConsoleContext, ConsoleWindow
from kiosk.ui.reveal_launcher import AppRevealLauncher
from kiosk.ui.show_controller import ShowController, create_show, read_resume_point
from kiosk.ui.stage.window import StageWindow

log = logging.getLogger(__name__)

VOUT_ENV = "KIOSK_VLC_VOUT"  # e.g. "xcb_x11": libvlc's video output (default: VLC's choice)
AOUT_ENV = "KIOSK_VLC_AOUT"  # e.g. "dummy" on a machine without sound (tests, benchmarks)


def make_application() -> QApplication:
    """The QApplication, created once, with the app's names and theme."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("AIFF Screening Night")
    app.setOrganizationName("AIFF")
    app.setDesktopFileName("aiff-kiosk")
    apply_theme(app)
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


class ShowFactory:
    """Builds the show for the console: restored from the journal, or started over."""

    def __init__(
        self,
        config: EventConfig,
        programme: Programme,
        context: ConsoleContext,
        stage: StageWindow,
        instance: object,
    ) -> None:
        self.config = config
        self.programme = programme
        self.context = context
        self.stage = stage
        self.instance = instance

    def build(self, resume: ResumePoint | None) -> ShowController:
        """A started show; `resume` restores it paused where the journal left it."""
        show = create_show(
            self.config,
            self.programme,
            self.context.db,
            self.stage,
            self.instance,
            self.context.messages,
            options=ShowOptions.from_event(self.config),
            resume=resume,
            bind_surfaces=not headless(),
        )
        show.start()
        return show

    def start_over(self) -> ShowController:
        """Journal that the night starts over, then a fresh show at the holding slide."""
        Journal(self.context.db).append(SHOW_RESET, None, {})
        self.context.messages.warning("The show was started over from the holding slide")
        return self.build(None)


def open_console(
    folder: EventFolder, *, screen_name: str | None = None
) -> tuple[ConsoleWindow, ErrorReporter]:
    """Build the console and the stage on an event (the caller holds the event lock)."""
    config = folder.load_config()
    programme = folder.load_programme(config)
    messages = MessageBus()
    context = ConsoleContext(folder, config, programme, folder.open_db(), messages, TaskRunner())
    stage = StageWindow(config, programme, screen_name)
    factory = ShowFactory(config, programme, context, stage, show_instance())
    point = read_resume_point(context.db)
    restore = point if under_way(point) else None
    try:
        show = factory.build(restore)
    except ValueError as exc:  # the programme changed since: the journal's cue is gone
        messages.warning(f"Could not restore the show ({exc}); starting from the holding slide")
        restore, show = None, factory.build(None)
    context.stage = stage
    context.show = show
    context.start_over = factory.start_over
    window = ConsoleWindow(context)
    window.add_tab(
        RegistrationsView(folder, context.db, messages, context.tasks), "Registrations · 登記"
    )
    window.add_tab(DoorsFiguresPanel(CheckinRepository.for_event(folder, config)), "Doors · 入場")
    mount_reveal(window, folder, context, stage, show, factory.instance)
    mount_vote(window, folder, context, stage)
    if restore is not None:
        text = resume_text(restore, programme)
        window.offer_resume(text)
        messages.warning(text)
    reporter = ErrorReporter(lambda: window)
    place_stage(stage, screen_name)
    return window, reporter


def mount_reveal(
    window: ConsoleWindow,
    folder: EventFolder,
    context: ConsoleContext,
    stage: StageWindow,
    show: ShowController,
    instance: object,
) -> RevealPanel:
    """The Awards tab; while the reveal runs, the show's GO, back and black keys step it."""
    launcher = AppRevealLauncher(
        folder,
        show,
        stage,
        context.db,
        context.messages,
        sting_factory=lambda: StingPlayer(instance),
    )
    holder: list[RevealPanel] = []

    def activated(active: bool) -> None:
        if active:
            window.tabs.setCurrentWidget(holder[0])

    panel = RevealPanel(
        launcher,
        context.tasks,
        context.messages,
        preview_factory=lambda controller: StagePreview(controller, context.tasks),
        on_active=activated,
    )
    holder.append(panel)
    window.add_tab(panel, "Awards · 頒獎")
    panel.install_shortcuts(window)
    if window.show_panel is not None:
        window.show_panel.router = panel.route_show_key
    interrupted = launcher.interrupted_at()
    if interrupted is not None:
        stage.set_black(True)  # nothing of the awards shows until the keyholders are back
        context.messages.warning(
            f"The award reveal was interrupted at step {interrupted.index + 1} "
            f"({interrupted.describe()}): open the results again (F8) to continue there"
        )
        window.tabs.setCurrentWidget(panel)
    return panel


def mount_vote(
    window: ConsoleWindow, folder: EventFolder, context: ConsoleContext, stage: StageWindow
) -> VotePanel:
    """The Viewer's Award tab: open/close the vote, turnout, the voting slide."""
    from kiosk.services.vote import VoteDesk
    from kiosk.services.vote_address import DEFAULT_VOTE_PORT, vote_urls

    panel = VotePanel(
        VoteDesk(folder),
        VoteSlide(StageWindowSlide(stage)),
        context.messages,
        urls=lambda: vote_urls(DEFAULT_VOTE_PORT),
    )
    window.add_tab(panel, "Viewer's vote · 觀眾投票")
    return panel


def _refuse(title: str, text: str) -> int:
    log.error("%s: %s", title, text)
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()
    return 1


def run_console(
    folder: EventFolder, *, screen_name: str | None = None, supervise: bool = True
) -> int:
    """Open the console (and the stage) on `folder` and run until it is closed.

    With a projector connected (and `supervise`), this process becomes the supervisor that
    keeps the projector black and runs the app as its child (see kiosk.supervisor).
    """
    app = make_application()
    if supervise and not headless():
        from kiosk.supervisor import app_command, needed, run_supervisor

        if needed():
            return run_supervisor(app_command(sys.argv[1:]))
    lock = folder.lock()
    try:
        lock.acquire()
    except StoreError as exc:
        return _refuse("AIFF Screening Night is already running", str(exc))
    try:
        window, reporter = open_console(folder, screen_name=screen_name)
    except ConfigError as exc:
        return _refuse(
            "The event cannot be opened",
            "Fix these and start again:\n\n" + "\n".join(map(str, exc.problems)),
        )
    except StoreError as exc:
        return _refuse("The event cannot be opened", str(exc))
    reporter.install()
    window.showMaximized()
    window.activateWindow()
    log.info("console shown")
    try:
        return app.exec()
    finally:
        reporter.uninstall()
        lock.release()
