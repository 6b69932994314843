"""Paired door stations of one event: pairing tokens, station tokens, revocation.

Only digests of tokens are stored. A pairing token is used once and expires; joining with it
gives the station a bearer token, which :meth:`StationRegistry.authenticate` checks against the
database on every request, so revoking a station takes effect with its very next request.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlite_utils

from kiosk.core.admissions import from_iso, to_iso
from kiosk.core.stations import hash_token, new_pairing_token, new_station_token
from kiosk.store.database import transaction
from kiosk.store.errors import AuditedError
from kiosk.store.journal import Journal

log = logging.getLogger(__name__)

PAIRING_LIFETIME = dt.timedelta(minutes=2)  # a pairing QR is a bearer code: short-lived
MAX_STATION_NAME = 40


class PairingRefusedError(AuditedError):
    """A pairing token that is unknown, used already or expired (message bilingual)."""


@dataclass(frozen=True)
class StationInfo:
    """One paired (or once paired) station, as the console and `stations list` show it."""

    name: str
    paired_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    last_address: str | None
    pending_pairing: bool

    @property
    def active(self) -> bool:
        """Paired and not revoked."""
        return self.paired_at is not None and self.revoked_at is None

    def to_json(self) -> dict[str, object]:
        """The `stations list --json` entry."""
        return {
            "name": self.name,
            "active": self.active,
            "paired_at": _iso_or_none(self.paired_at),
            "revoked_at": _iso_or_none(self.revoked_at),
            "last_seen_at": _iso_or_none(self.last_seen_at),
            "last_address": self.last_address,
            "pending_pairing": self.pending_pairing,
        }


def _iso_or_none(moment: dt.datetime | None) -> str | None:
    return None if moment is None else to_iso(moment)


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else from_iso(text)


def check_station_name(name: str) -> str:
    """A clean station name, or ValueError saying what is wrong (bilingual)."""
    clean = " ".join(name.split())
    if not clean:
        raise ValueError(
            "A station needs a name, e.g. 'Door 2'. / 請為入口站命名，例如「Door 2」。"
        )
    if len(clean) > MAX_STATION_NAME:
        raise ValueError(
            f"Station names are at most {MAX_STATION_NAME} characters. "
            f"/ 入口站名稱最多 {MAX_STATION_NAME} 個字元。"
        )
    return clean


class StationRegistry:
    """The stations table of an event database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def create_pairing(self, name: str, now: dt.datetime) -> str:
        """A new one-time pairing token for station ``name`` (returned once, stored hashed)."""
        station = check_station_name(name)
        token = new_pairing_token()
        with transaction(self._db) as conn:
            conn.execute(
                "INSERT INTO station_pairings (token_hash, station, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (hash_token(token), station, to_iso(now), to_iso(now + PAIRING_LIFETIME)),
            )
            Journal.append_in(conn, "station_pairing_created", station, {})
        log.info("pairing token created for station %s", station)
        return token

    def join(self, pairing_token: str, address: str | None, now: dt.datetime) -> tuple[str, str]:
        """Use a pairing token once: (station name, new token); PairingRefusedError if not."""
        digest = hash_token(pairing_token)
        with transaction(self._db) as conn:
            row = conn.execute(
                "SELECT station, expires_at, used_at FROM station_pairings WHERE token_hash = ?",
                (digest,),
            ).fetchone()
            if row is None:
                raise PairingRefusedError(
                    "This pairing code is not known to the server; make a new one on the "
                    "console. / 伺服器不認識此配對碼，請在控制台重新產生。"
                )
            station, expires_at, used_at = row
            if used_at is not None:
                raise PairingRefusedError(
                    "This pairing code was used already; make a new one on the console. "
                    "/ 此配對碼已被使用，請在控制台重新產生。",
                    audit=lambda conn: Journal.append_in(
                        conn, "station_pairing_replayed", station, {"from": address}
                    ),
                )
            if from_iso(expires_at) < now:
                raise PairingRefusedError(
                    "This pairing code has expired; make a new one on the console. "
                    "/ 此配對碼已過期，請在控制台重新產生。"
                )
            token = new_station_token()
            stamp = to_iso(now)
            conn.execute(
                "UPDATE station_pairings SET used_at = ? WHERE token_hash = ?", (stamp, digest)
            )
            conn.execute(
                "INSERT INTO stations (name, token_hash, paired_at, last_seen_at, last_address) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "token_hash = excluded.token_hash, paired_at = excluded.paired_at, "
                "revoked_at = NULL, last_seen_at = excluded.last_seen_at, "
                "last_address = excluded.last_address",
                (station, hash_token(token), stamp, stamp, address),
            )
            Journal.append_in(conn, "station_paired", station, {"from": address})
        log.info("station %s paired from %s", station, address)
        return station, token

    def authenticate(self, token: str) -> str | None:
        """The name of the active station holding ``token``, or None (unknown or revoked)."""
        row = self._db.execute(
            "SELECT name FROM stations WHERE token_hash = ? AND revoked_at IS NULL",
            (hash_token(token),),
        ).fetchone()
        return None if row is None else str(row[0])

    def touch(self, station: str, address: str | None, now: dt.datetime) -> None:
        """Remember when and from where a station was last heard (inside or outside a tx)."""
        with transaction(self._db) as conn:
            conn.execute(
                "UPDATE stations SET last_seen_at = ?, last_address = ? WHERE name = ?",
                (to_iso(now), address, station),
            )

    def revoke(self, name: str, now: dt.datetime) -> bool:
        """Revoke a station's token at once (and its unused pairing codes); False if unknown."""
        with transaction(self._db) as conn:
            changed = conn.execute(
                "UPDATE stations SET revoked_at = ?, token_hash = NULL WHERE name = ? "
                "AND revoked_at IS NULL",
                (to_iso(now), name),
            ).rowcount
            pending = conn.execute(
                "UPDATE station_pairings SET used_at = ? WHERE station = ? AND used_at IS NULL",
                (to_iso(now), name),
            ).rowcount
            if changed or pending:
                Journal.append_in(conn, "station_revoked", name, {"pairings_cancelled": pending})
        log.info("station %s revoked (%d pending pairing codes cancelled)", name, pending)
        return bool(changed or pending)

    def remember_address(self, host: str, port: int) -> None:
        """Where the event server listens (written by `serve`, read by `stations pair`)."""
        with transaction(self._db) as conn:
            conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [("server_host", host), ("server_port", str(port))],
            )

    def address(self) -> tuple[str, int] | None:
        """The address the event server last listened on, if it ever ran."""
        rows = dict(
            self._db.execute(
                "SELECT key, value FROM settings WHERE key IN ('server_host', 'server_port')"
            ).fetchall()
        )
        if "server_host" not in rows or "server_port" not in rows:
            return None
        return str(rows["server_host"]), int(rows["server_port"])

    def remember_vote_address(self, host: str | None, port: int | None = None) -> None:
        """Where the phone vote page listens (written by `serve` and `vote serve`, read by the
        console's voting slide); None: the page is not served."""
        with transaction(self._db) as conn:
            if host is None or port is None:
                conn.execute("DELETE FROM settings WHERE key IN ('vote_host', 'vote_port')")
                return
            conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [("vote_host", host), ("vote_port", str(port))],
            )

    def vote_address(self) -> tuple[str, int] | None:
        """The address the vote page was last served at, if it is served."""
        rows = dict(
            self._db.execute(
                "SELECT key, value FROM settings WHERE key IN ('vote_host', 'vote_port')"
            ).fetchall()
        )
        if "vote_host" not in rows or "vote_port" not in rows:
            return None
        return str(rows["vote_host"]), int(rows["vote_port"])

    def stations(self, now: dt.datetime) -> list[StationInfo]:
        """Every station ever paired or with a pairing code still usable, by name."""
        rows = self._db.execute(
            """
            SELECT n.name, s.paired_at, s.revoked_at, s.last_seen_at, s.last_address,
                   EXISTS (SELECT 1 FROM station_pairings p WHERE p.station = n.name
                           AND p.used_at IS NULL AND p.expires_at > ?)
            FROM (SELECT name FROM stations UNION SELECT station FROM station_pairings) n
            LEFT JOIN stations s ON s.name = n.name
            ORDER BY n.name
            """,
            (to_iso(now),),
        ).fetchall()
        return [
            StationInfo(
                name=row[0],
                paired_at=_moment(row[1]),
                revoked_at=_moment(row[2]),
                last_seen_at=_moment(row[3]),
                last_address=row[4],
                pending_pairing=bool(row[5]),
            )
            for row in rows
            if row[1] is not None or row[5]
        ]
