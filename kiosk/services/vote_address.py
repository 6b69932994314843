"""The vote page's address on the venue network, for the projector's QR code and the console.

The address is the one the event server really serves the page at: `serve` (and `vote serve`)
record it when they start — the host it advertises to the door stations (the address of the
interface that routes to the venue network, `lan_address()`, or the `--host` it was given) and
the vote page's real port. Before any server ran, it is `lan_address()` on the default port.
`KIOSK_VOTE_URL` overrides it (e.g. a DNS name the venue's router gives the laptop).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable

import sqlite_utils

from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.stations import StationRegistry

log = logging.getLogger(__name__)

URL_ENV = "KIOSK_VOTE_URL"
DEFAULT_VOTE_PORT = 8080  # plain HTTP, its own port: see docs/security.md


def vote_url(host: str, port: int) -> str:
    """``http://host:port/`` (no port for 80)."""
    suffix = "" if port == 80 else f":{port}"
    return f"http://{host}{suffix}/"


def phones_can_reach(url: str) -> bool:
    """False for an address only this laptop answers (127.0.0.1, ::1, localhost): a phone
    scanning it would reach itself, not the vote."""
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return False
    try:
        return not ip_address(host).is_loopback
    except ValueError:
        return True  # a name (e.g. the venue router's DNS name for this laptop)


def advertised_host(host: str) -> str:
    """The host phones reach a server listening on ``host`` at (all interfaces: the LAN's)."""
    from kiosk.store.server_identity import lan_address  # (cryptography: only when needed)

    return host if host not in ("0.0.0.0", "") else lan_address()


def remember_vote_address(folder: EventFolder, host: str | None, port: int | None = None) -> None:
    """Record where the vote page listens (None: not served), on a connection closed at once
    (`serve` and `vote serve` call it when they start and stop)."""
    db = folder.open_db()
    try:
        StationRegistry(db).remember_vote_address(host, port)
    finally:
        db.close()


class VotePageAddress:
    """Where phones open the vote page, for one event; keeps one database connection (the
    console asks every second whether the page answers) until :meth:`close`."""

    def __init__(self, connect: Callable[[], sqlite_utils.Database]) -> None:
        """``connect`` opens the event database; it is called on first use, on the thread
        asking (one address per thread)."""
        self._connect = connect
        self._db: sqlite_utils.Database | None = None
        self._registry: StationRegistry | None = None

    def close(self) -> None:
        """Close its connection (on the thread that used it); a later question opens another."""
        db, self._db, self._registry = self._db, None, None
        if db is not None:
            db.close()

    def served(self) -> tuple[str, int] | None:
        """Where the event server last said it serves the vote page (None: not recorded)."""
        try:
            if self._registry is None:
                self._db = self._connect()
                self._registry = StationRegistry(self._db)
            return self._registry.vote_address()
        except StoreError as exc:
            log.warning("could not read the vote page's address: %s", exc)
            return None

    def urls(self) -> list[str]:
        """The address a phone opens the vote page at (the override, else the server's own)."""
        override = os.environ.get(URL_ENV)
        if override:
            return [override]
        served = self.served()
        if served is not None:
            return [vote_url(*served)]
        return [vote_url(advertised_host(""), DEFAULT_VOTE_PORT)]

    def answers(self, timeout_s: float = 0.2) -> bool:
        """Whether something listens where the vote page is said to be served."""
        host, port = self.served() or ("127.0.0.1", DEFAULT_VOTE_PORT)
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                return True
        except OSError:
            return False


def vote_urls(folder: EventFolder) -> list[str]:
    """:meth:`VotePageAddress.urls` once (the CLI)."""
    address = VotePageAddress(folder.open_db)
    try:
        return address.urls()
    finally:
        address.close()


def vote_page_answers(folder: EventFolder, timeout_s: float = 0.2) -> bool:
    """:meth:`VotePageAddress.answers` once."""
    address = VotePageAddress(folder.open_db)
    try:
        return address.answers(timeout_s)
    finally:
        address.close()
