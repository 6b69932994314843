"""The event server of one event folder: its certificate, database worker and listeners.

One thread writes the event database (:class:`~kiosk.server.station_api.DatabaseWorker`): the
door stations' check-ins, the voting stations' ballots and the phones' ballots from the vote
page all go through it, on one connection and one `ViewerVote`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from kiosk.core.event import EventConfig
from kiosk.core.refusals import RefusalTally
from kiosk.core.station_clock import night_window
from kiosk.core.stations import DEFAULT_PORT
from kiosk.media.thumbnails import ThumbnailCache
from kiosk.server.serve import BoundListener, Listener, bind
from kiosk.server.station_api import (
    DatabaseReader,
    DatabaseWorker,
    ServerContext,
    station_app,
)
from kiosk.server.station_requests import StationRequests
from kiosk.server.station_vote import StationVoting
from kiosk.server.vote_app import vote_listener
from kiosk.services.vote import ViewerVote, VoteError
from kiosk.store.database import open_database
from kiosk.store.event_folder import EventFolder
from kiosk.store.server_identity import ServerIdentity, event_server_identity, lan_address
from kiosk.store.stations import StationRegistry

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class VotePage:
    """Where the phone vote page listens (plain HTTP, a port of its own)."""

    port: int
    host: str = "0.0.0.0"


class WorkerVote:
    """The vote page's way to the vote inside the event server: through the database thread,
    on the `ViewerVote` the voting stations use (one writer for every ballot)."""

    def __init__(self, worker: DatabaseWorker) -> None:
        self._worker = worker

    async def run(self, work: Callable[[ViewerVote], T]) -> T:
        """Run ``work`` in the database thread; a ballot is committed before this returns."""
        return await self._worker.run(lambda context: work(_viewer_vote(context)))


def _viewer_vote(context: ServerContext) -> ViewerVote:
    if context.voting is None:
        raise VoteError("this server takes no ballots")
    return context.voting.viewer_vote()


@dataclass
class EventServer:
    """Everything `serve` starts for one event; :attr:`listeners` is what runs."""

    identity: ServerIdentity
    worker: DatabaseWorker
    reader: DatabaseReader
    listeners: list[BoundListener]
    address: str
    vote_page_problem: str = ""  # why the vote page asked for is not served

    def close(self) -> None:
        """Finish the queued database work and stop the database threads."""
        self.worker.close()
        self.reader.close()

    @property
    def station_port(self) -> int:
        """The real port of the stations' API (the first listener)."""
        return self.listeners[0].port

    @property
    def url(self) -> str:
        """``https://address:port`` as stations reach it."""
        return f"https://{self.address}:{self.station_port}"


def build_event_server(
    folder: EventFolder,
    config: EventConfig,
    port: int = DEFAULT_PORT,
    host: str = "0.0.0.0",
    extra: tuple[Listener, ...] = (),
    thumbnails: ThumbnailCache | None = None,
    vote_page: VotePage | None = None,
) -> EventServer:
    """Bind the stations' API (TLS), the phone ``vote_page`` if asked and any ``extra``
    listeners; nothing runs yet.

    ``thumbnails``: the films' vote thumbnails, shared with the phone vote page (else made
    for the voting stations on first use). If the vote page's port is taken, the server runs
    without it and :attr:`EventServer.vote_page_problem` says why."""
    identity = event_server_identity(folder, config)
    secret_key = folder.secret_key()  # read here, on the console laptop; never sent anywhere
    db_path = folder.db_path
    open_database(db_path).conn.close()  # migrate now, so a schema problem stops `serve` early

    def open_context() -> ServerContext:
        db = open_database(db_path)
        requests = StationRequests.open(db, secret_key, config, night=night_window(config))
        voting = StationVoting(folder, db, thumbnails)
        return ServerContext(requests, StationRegistry(db), voting)

    worker = DatabaseWorker(open_context)
    reader = DatabaseReader(open_context)
    refusals = RefusalTally(logging.getLogger("kiosk.server.door stations"), time.monotonic)
    app = station_app(worker, reader, refusals)  # its refusals and its listener's: one tally
    stations = bind(Listener("door stations", app, port, identity, host), refusals)
    vote_page_problem = ""
    if vote_page is not None:
        try:
            page = vote_listener(WorkerVote(worker), vote_page.port, vote_page.host, thumbnails)
        except OSError as exc:  # its port is taken: the doors come first
            vote_page_problem = str(exc)
        else:
            extra = (page, *extra)
    bound = [stations] + [bind(listener) for listener in extra]
    address = host if host not in ("0.0.0.0", "") else lan_address()
    registry = StationRegistry(open_database(db_path))
    registry.remember_address(address, stations.port)
    return EventServer(identity, worker, reader, bound, address, vote_page_problem)
