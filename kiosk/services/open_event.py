"""One event, opened once: the console's (and a door laptop's) way to everything the event keeps.

:meth:`OpenEvent.open` is the one place a window opens the event folder: it reads
`event.toml`, the programme and the ticket key once. From then on the windows never touch the
folder; each panel receives, in its constructor, only the narrow service it needs, made here:

* the Registrations view: :meth:`OpenEvent.registrations` (a desk opened on its worker);
* the Doors tab and the door station: :meth:`OpenEvent.door_checkins` (one per thread);
* the Report tab: :meth:`OpenEvent.report`;
* the Stations tab: :meth:`OpenEvent.stations`;
* the vote tab: :meth:`OpenEvent.viewer_vote` and :meth:`OpenEvent.vote_page_address`;
* the reveal launcher and the booth checklist's seal line: :meth:`OpenEvent.sealed_results`;
* the console's remembered screen and sound: :meth:`OpenEvent.settings`.

Every database connection is opened by :meth:`OpenEvent.connect` on the thread that will use
it (SQLite: one connection per thread) and closed by its owner there. The store's types that
the windows meet through these services (the folder, its errors) are named here, so `kiosk.ui`
depends on services, never on the store itself (a test enforces it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from kiosk.core.console_settings import ConsoleSettings
from kiosk.core.event import EventConfig
from kiosk.core.preflight import FilmCheck
from kiosk.core.programme import Programme
from kiosk.core.tickets import TicketCodec
from kiosk.services.booth_checklist import Checklist, ToneSource, check_event
from kiosk.services.event_server_process import EventServerProcess
from kiosk.services.import_process import ImportProcess
from kiosk.services.preflight import PreflightReport, Progress, recheck_film, run_preflight
from kiosk.services.registrations import RegistrationDesk
from kiosk.services.report import ReportService, VoteSource
from kiosk.services.results import SealedResults
from kiosk.services.run_sheet import write_run_sheet_pdf
from kiosk.services.stage_display import StageLink, stage_display_link
from kiosk.services.station_console import StationConsole
from kiosk.services.tickets import TicketJob, ticket_jobs
from kiosk.services.vote_address import VotePageAddress
from kiosk.store.checkins import CheckinRepository
from kiosk.store.console_settings import read_console_settings, write_console_settings
from kiosk.store.errors import EventLockedError, StoreError
from kiosk.store.event_folder import EventFolder

if TYPE_CHECKING:
    from kiosk.desktop.inhibit import InhibitStatus
    from kiosk.services.vote import Clock, ViewerVote

__all__ = ["EventFolder", "EventLockedError", "OpenEvent", "Registrations", "StoreError"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Registrations:
    """What the console's Registrations view may reach: a desk on its own connection (opened
    on the view's worker), the folder exports are usually in, where tickets are written, and
    the tickets to render."""

    open_desk: Callable[[], RegistrationDesk]
    imports: ImportProcess  # previews and imports, in a child process
    exports_dir: Path
    tickets_dir: Path
    ticket_jobs: Callable[[Path | None], list[TicketJob]]


class OpenEvent:
    """An event held open by one process: its folder, config, programme, ticket codec, and
    the services the night's panels work through (see the module's docstring)."""

    def __init__(
        self,
        folder: EventFolder,
        config: EventConfig,
        secret_key: bytes,
        programme: Programme | None = None,
    ) -> None:
        self._folder = folder
        self.config = config
        self._programme = programme
        self._secret_key = secret_key
        self.codec = TicketCodec(secret_key)

    @classmethod
    def open(cls, folder: EventFolder) -> OpenEvent:
        """Read the event's config and ticket key once (ConfigError for a broken event.toml,
        StoreError for a missing event or a damaged key); the programme is read on first use
        (a door laptop never needs it)."""
        event = cls(folder, folder.load_config(), folder.secret_key())
        log.info("event opened: %s", folder.root)
        return event

    @property
    def programme(self) -> Programme:
        """The night's programme, read once (ConfigError if it is broken)."""
        if self._programme is None:
            self._programme = self._folder.load_programme(self.config)
        return self._programme

    @property
    def root(self) -> Path:
        """The event folder (where exports, reports and tickets go by default)."""
        return self._folder.root

    @property
    def folder(self) -> EventFolder:
        """The folder itself, for the night's reveal launcher (windows never open it)."""
        return self._folder

    def connect(self) -> sqlite_utils.Database:
        """A new connection to the event database, for the calling thread alone; its owner
        closes it (on that thread)."""
        return self._folder.open_db()

    # --- the console's remembered choices -----------------------------------------------------
    def settings(self) -> ConsoleSettings:
        """The projector screen and audio device chosen for this event (defaults if none)."""
        return read_console_settings(self._folder.root)

    def save_settings(self, settings: ConsoleSettings) -> None:
        """Remember the choices for this event."""
        write_console_settings(self._folder.root, settings)

    # --- the night's use cases (each blocks: the console runs them on a worker) ---------------
    def check_booth(
        self, tone: ToneSource | None = None, inhibit: Callable[[], InhibitStatus] | None = None
    ) -> Checklist:
        """The booth checklist, every line gathered."""
        return check_event(self._folder, lambda: self, tone, inhibit)

    def run_preflight(self, progress: Progress | None = None) -> PreflightReport:
        """Check every film and the music, and store the results for playback."""
        return run_preflight(self._folder, progress)

    def recheck_film(self, film_id: str) -> FilmCheck:
        """Preflight one film again (its file changed) and store the result."""
        return recheck_film(self._folder, film_id)

    def run_sheet_path(self) -> Path:
        """Where the console writes the run sheet: the event folder, named by the date."""
        return self.root / f"run-sheet-{self.config.date:%Y%m%d}.pdf"

    def write_run_sheet(self, path: Path) -> int:
        """The run sheet as an A4 PDF at `path`; the number of pages."""
        return write_run_sheet_pdf(self._folder, path)

    def stage_display_link(self, port: int) -> StageLink:
        """The host's stage display: its token (made on first use) and URL."""
        return stage_display_link(self._folder, port)

    # --- the panels' services -----------------------------------------------------------------
    def registrations(self) -> Registrations:
        """The Registrations view's access (its desk is opened by the view's worker)."""
        return Registrations(
            open_desk=lambda: RegistrationDesk(self.connect(), self.codec),
            imports=ImportProcess(self.root),
            exports_dir=self.root,
            tickets_dir=self.root / "tickets",
            ticket_jobs=lambda png_dir: ticket_jobs(self._folder, png_dir),
        )

    def door_checkins(self) -> CheckinRepository:
        """The check-in repository on a connection of its own (call on the thread using it)."""
        return CheckinRepository(
            self.connect(), self.codec, capacity=self.config.capacity, zone=self.config.zone
        )

    def report(self, vote: VoteSource | None = None) -> ReportService:
        """The Report tab's service (its reads open their own connection on the worker)."""
        return ReportService(
            self.connect, self.config, self.programme, self.root, vote, event_root=self.root
        )

    def stations(self, server: EventServerProcess | None = None) -> StationConsole:
        """The Stations tab's service on a connection of its own (call it on the thread that
        uses it: the tab's worker), with the event server's process (one is made for this
        event unless given; its owner stops it)."""
        return StationConsole(
            self._folder,
            self.config,
            self.connect(),
            self._secret_key,
            server or EventServerProcess(self.root),
        )

    def viewer_vote(
        self, clock: Clock | None = None, *, db: sqlite_utils.Database | None = None
    ) -> ViewerVote:
        """The event's vote, the one way to a :class:`~kiosk.services.vote.ViewerVote`: on a
        connection of its own for the calling thread (it closes it in ``close_database``),
        or on ``db``, its owner's (the event server's, so a ballot commits with its nonce)."""
        from kiosk.services.vote import ViewerVote, utc_now  # (cryptography loads when voting)

        return ViewerVote(
            self._folder,
            self.config,
            self.programme,
            self._secret_key,
            db if db is not None else self.connect(),
            clock or utc_now,
            owns_db=db is None,
        )

    def sealed_results(self) -> SealedResults:
        """The jury's sealed results: seal, check, open (each call on its own connection)."""
        return SealedResults(
            self._folder, self.config, self.programme, self._secret_key, self.connect
        )

    def vote_page_address(self) -> VotePageAddress:
        """Where phones open the vote page (its reads open a connection on first use, on the
        thread asking)."""
        return VotePageAddress(self.connect)
