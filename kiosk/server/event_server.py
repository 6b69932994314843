"""The event server of one event folder: its certificate, database worker and listeners."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from kiosk.core.event import EventConfig
from kiosk.core.refusals import RefusalTally
from kiosk.core.station_clock import night_window
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
from kiosk.server.vote_app import thumbnails_for
from kiosk.store.database import open_database
from kiosk.store.event_folder import EventFolder
from kiosk.store.server_identity import ServerIdentity, event_server_identity, lan_address
from kiosk.store.stations import StationRegistry

log = logging.getLogger(__name__)

DEFAULT_PORT = 8443


@dataclass
class EventServer:
    """Everything `serve` starts for one event; :attr:`listeners` is what runs."""

    identity: ServerIdentity
    worker: DatabaseWorker
    reader: DatabaseReader
    listeners: list[BoundListener]
    address: str

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
) -> EventServer:
    """Bind the stations' API (TLS) and any ``extra`` listeners; nothing runs yet.

    ``thumbnails``: the films' vote thumbnails, shared with the phone vote page (else made
    for the voting stations on first use)."""
    identity = event_server_identity(folder, config)
    secret_key = folder.secret_key()  # read here, on the console laptop; never sent anywhere
    db_path = folder.db_path
    open_database(db_path).conn.close()  # migrate now, so a schema problem stops `serve` early

    def open_context() -> ServerContext:
        db = open_database(db_path)
        requests = StationRequests.open(db, secret_key, config, night=night_window(config))
        voting = StationVoting(
            folder, db, thumbnails_for if thumbnails is None else lambda _desk: thumbnails
        )
        return ServerContext(requests, StationRegistry(db), voting)

    worker = DatabaseWorker(open_context)
    reader = DatabaseReader(open_context)
    refusals = RefusalTally(logging.getLogger("kiosk.server.door stations"), time.monotonic)
    app = station_app(worker, reader, refusals)  # its refusals and its listener's: one tally
    stations = bind(Listener("door stations", app, port, identity, host), refusals)
    bound = [stations] + [bind(listener) for listener in extra]
    address = host if host not in ("0.0.0.0", "") else lan_address()
    registry = StationRegistry(open_database(db_path))
    registry.remember_address(address, stations.port)
    return EventServer(identity, worker, reader, bound, address)
