"""Putting a paired door station together from its station folder (CLI and door window)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.stations import PairingPayload
from kiosk.station.folder import StationCredentials, StationFolder
from kiosk.station.link import (
    SCAN_TIMEOUT_S,
    SYNC_TIMEOUT_S,
    ServerLink,
    ServerRefusedError,
    ServerUnreachableError,
    pair_station,
)
from kiosk.station.remote_doors import CHECK_TIMEOUT_S, RemoteDoors, StationSync
from kiosk.store.errors import StoreError
from kiosk.store.lock import InstanceLock

log = logging.getLogger(__name__)


@dataclass
class RemoteStation:
    """A paired station: its door operations and the sync that keeps it current."""

    doors: RemoteDoors
    sync: StationSync

    def catch_up(self) -> bool:
        """Upload queued offline check-ins before scanning online (one-shot use, e.g. the CLI).

        Only when something is queued: otherwise the scan itself finds out whether the server
        answers. Returns True when nothing is left waiting.
        """
        if self.doors.store.pending_count() == 0:
            return True
        return self.sync.sync_once(refresh_list=False)

    def close(self) -> None:
        """Stop the sync and close the connections."""
        self.sync.stop()
        self.doors.close()


def open_remote_station(
    folder: StationFolder,
    *,
    sync_timeout: float | None = SYNC_TIMEOUT_S,
    scan_timeout: float = SCAN_TIMEOUT_S,
) -> RemoteStation:
    """The station of a folder made by `join` (StoreError if it is not paired). A scan waits
    `scan_timeout` for the server's verdict before deciding offline (the door's 1 s).

    The door operations and the sync each get their own database connection and their own
    server connections (the sync's link check has a short timeout of its own), so the sync
    thread never blocks a scan.
    """
    credentials = folder.credentials()
    doors = RemoteDoors(
        credentials,
        folder.open_store(),
        ServerLink.for_station(credentials, timeout=scan_timeout),
        paired_zone=folder.paired_zone(),
    )
    sync_timeout = sync_timeout or SCAN_TIMEOUT_S
    sync_link = ServerLink.for_station(credentials, timeout=sync_timeout)
    # the link check never waits longer than the sync would (the CLI's 1 s, the window's 2 s)
    check_link = ServerLink.for_station(credentials, timeout=min(CHECK_TIMEOUT_S, sync_timeout))
    sync = StationSync(doors, folder.open_store(), sync_link, check_link=check_link)
    return RemoteStation(doors, sync)


@dataclass(frozen=True)
class JoinOutcome:
    """What pairing gave: the station's name, the server, the list (or why it is missing)."""

    station: str
    server: str
    tickets: int
    list_problem: str = ""


class JoinError(Exception):
    """Pairing failed; the message says why and what to do (bilingual where it can be)."""


class StationOpenError(Exception):
    """A station folder that cannot be opened (not paired, damaged, open elsewhere)."""


def is_paired(root: Path) -> bool:
    """True once `join` stored credentials in the station folder ``root``."""
    return StationFolder(root).is_paired()


@contextmanager
def station_window_lock(root: Path) -> Iterator[None]:
    """One door window per station folder on this laptop (StationOpenError if taken)."""
    root.mkdir(parents=True, exist_ok=True)
    lock = InstanceLock(root, "doors")
    try:
        lock.acquire()
    except StoreError as exc:
        raise StationOpenError(str(exc)) from exc
    try:
        yield
    finally:
        lock.release()


def open_station_at(root: Path) -> RemoteStation:
    """:func:`open_remote_station` on a folder path (StationOpenError when it cannot open)."""
    try:
        return open_remote_station(StationFolder(root))
    except StoreError as exc:
        raise StationOpenError(str(exc)) from exc


def join_station(folder: StationFolder | Path, payload_text: str) -> JoinOutcome:
    """Pair this laptop with the server a pairing payload names, and fetch the ticket list.

    The payload's fingerprint is checked on the TLS handshake before the one-time token is
    sent; the credentials are saved in ``folder`` only after the server accepted the token.
    """
    if isinstance(folder, Path):
        folder = StationFolder(folder)
    try:
        payload = PairingPayload.parse(payload_text)
        answer, cert_pem = pair_station(payload)
    except ValueError as exc:  # PairingError
        raise JoinError(str(exc)) from exc
    except ServerRefusedError as exc:
        raise JoinError(exc.message) from exc
    except ServerUnreachableError as exc:
        raise JoinError(f"Cannot reach the event server / 無法連線伺服器: {exc}") from exc
    name = answer.station
    folder.save_credentials(
        StationCredentials(
            name, payload.host, payload.port, payload.fingerprint, answer.token, cert_pem
        ),
        timezone=answer.timezone,
    )
    log.info("paired as %s with %s", name, payload.base_url)
    try:
        count = download_ticket_list(folder)
    except (ServerUnreachableError, ServerRefusedError, StoreError) as exc:
        return JoinOutcome(name, payload.base_url, 0, str(exc))
    return JoinOutcome(name, payload.base_url, count)


def download_ticket_list(folder: StationFolder) -> int:
    """Download the ticket list into the station folder now; returns its size."""
    credentials = folder.credentials()
    link = ServerLink.for_station(credentials, timeout=SYNC_TIMEOUT_S)
    store = folder.open_store()
    try:
        return store.replace_ticket_list(link.tickets(), _now())
    finally:
        link.close()
        store.close()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
