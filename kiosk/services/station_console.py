"""What the console's Stations tab may do: run the event server, pair, list, revoke, conflicts.

A narrow interface over the open event, so the console's widget never touches the store. The
event server's process is :class:`~kiosk.services.event_server_process.EventServerProcess`'s.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlite_utils

from kiosk.core.admissions import DoorConflict
from kiosk.core.event import EventConfig
from kiosk.core.stations import DEFAULT_PORT, PairingPayload
from kiosk.core.tickets import TicketCodec
from kiosk.services.event_server_process import EventServerProcess, port_answers
from kiosk.store.checkins import CheckinRepository
from kiosk.store.event_folder import EventFolder
from kiosk.store.server_identity import event_server_identity, lan_address
from kiosk.store.stations import PAIRING_LIFETIME, StationInfo, StationRegistry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairingCode:
    """A pairing code just made: the text of its QR, and until when it works."""

    station: str
    payload: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class StationRow:
    """One station as the console lists it."""

    name: str
    state: str  # 'active' | 'revoked' | 'pairing'
    last_seen_at: dt.datetime | None
    last_address: str | None
    paired_at: dt.datetime | None = None


@dataclass(frozen=True)
class ConflictRow:
    """One door conflict as the console lists it: who, where and when, both sides."""

    kind: str
    name: str | None
    code: str | None
    first_station: str | None
    first_at: dt.datetime | None
    second_station: str
    second_at: dt.datetime


@dataclass(frozen=True)
class ServerStatus:
    """Whether the event server answers, and where."""

    running: bool
    url: str | None
    fingerprint: str
    started_here: bool


class StationConsole:
    """The console's access to door stations of one event."""

    def __init__(
        self,
        folder: EventFolder,
        config: EventConfig,
        db: sqlite_utils.Database,
        secret_key: bytes,
        server: EventServerProcess,
        clock: type[dt.datetime] = dt.datetime,
    ) -> None:
        self._folder = folder
        self._config = config
        self._clock = clock
        self._db = db
        self._registry = StationRegistry(db)
        self._checkins = CheckinRepository(
            db, TicketCodec(secret_key), capacity=config.capacity, zone=config.zone
        )
        self._server = server

    def _now(self) -> dt.datetime:
        return self._clock.now(dt.UTC)

    def _fingerprint(self) -> str:
        return event_server_identity(self._folder, self._config).fingerprint

    def status(self) -> ServerStatus:
        """Is the server answering on the address it last listened on?"""
        address = self._registry.address()
        started_here = self._server.started_here
        if address is None:
            return ServerStatus(False, None, "", started_here)
        host, port = address
        running = port_answers("127.0.0.1", port) or port_answers(host, port)
        return ServerStatus(running, f"https://{host}:{port}", self._fingerprint(), started_here)

    def start_server(self, port: int | None = None) -> None:
        """Start `python main.py serve` for this event as a child process."""
        self._server.start(port)

    def start_if_stations_paired(self) -> bool:
        """Start the server with the console when this event has paired stations (True if so).

        An event whose doors run on the event folder never opens a port.
        """
        if not any(info.active for info in self._registry.stations(self._now())):
            return False
        if not self.status().running:
            self.start_server()
        return True

    def close(self) -> None:
        """Close the database connection (on the thread that used it)."""
        self._db.close()

    def pair(self, name: str) -> PairingCode:
        """A one-time pairing code for station ``name`` (ValueError for a bad name)."""
        address = self._registry.address()
        if address is None:
            address = (lan_address(), DEFAULT_PORT)
        now = self._now()
        token = self._registry.create_pairing(name, now)
        payload = PairingPayload(address[0], address[1], token, self._fingerprint())
        return PairingCode(" ".join(name.split()), payload.to_text(), now + PAIRING_LIFETIME)

    def stations(self) -> list[StationRow]:
        """Every station paired (or with a pairing code still usable)."""
        return [_station_row(info) for info in self._registry.stations(self._now())]

    def revoke(self, name: str) -> bool:
        """Revoke a station at once."""
        return self._registry.revoke(name, self._now())

    def conflicts(self) -> list[ConflictRow]:
        """Double admissions and other door conflicts, oldest first."""
        return [_conflict_row(conflict) for conflict in self._checkins.conflicts()]


def _station_row(info: StationInfo) -> StationRow:
    state = "revoked" if info.revoked_at else "active" if info.active else "pairing"
    return StationRow(info.name, state, info.last_seen_at, info.last_address, info.paired_at)


def _conflict_row(conflict: DoorConflict) -> ConflictRow:
    return ConflictRow(
        conflict.kind,
        conflict.name,
        conflict.code,
        conflict.first_station,
        conflict.first_at,
        conflict.second_station,
        conflict.second_at,
    )
