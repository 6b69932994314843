"""A door laptop's station folder: its credentials, the pinned certificate, its own SQLite.

Not an event folder: it never holds the signing key or the event database. It holds

* ``station.json`` — the server's address, this station's name, the pinned certificate's
  fingerprint and when it was paired;
* ``token`` — the station's bearer token (mode 0600);
* ``server-cert.pem`` — the server certificate seen at pairing, whose fingerprint matched;
* ``station.db`` — the ticket list (code digests, names, statuses, who was in) and the queue of
  check-ins decided here while the server could not be reached, until the server confirms them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import sqlite_utils

from kiosk.core.admissions import from_iso, to_iso
from kiosk.core.checkin import Admission
from kiosk.core.clock import zone_named
from kiosk.core.stations import ListedTicket, TicketStatus
from kiosk.store.database import Migration, execute_script, migrate, refuse_newer_schema
from kiosk.store.errors import StoreError
from kiosk.store.private_files import private_database, private_dir

log = logging.getLogger(__name__)


def _v1_station(conn: sqlite3.Connection) -> None:
    """The ticket list, the meta table and the offline queue. (`IF NOT EXISTS`: station.db
    files made before the schema was versioned already hold these tables and become v1.)"""
    execute_script(
        conn,
        """
        CREATE TABLE IF NOT EXISTS tickets (
            code_sha256 TEXT PRIMARY KEY,
            attendee_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            name_latin TEXT,
            status TEXT NOT NULL,
            admitted_at TEXT,
            admitted_station TEXT,
            admitted_method TEXT
        );
        CREATE INDEX IF NOT EXISTS tickets_attendee ON tickets(attendee_id);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- Check-ins decided here without the server, kept until the server has confirmed each one.
        CREATE TABLE IF NOT EXISTS queue (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            nonce TEXT NOT NULL UNIQUE,
            code TEXT,
            attendee_id INTEGER,
            method TEXT NOT NULL,
            at TEXT NOT NULL,
            verdict TEXT NOT NULL,
            name TEXT,
            undone_at TEXT,
            uploaded_at TEXT,
            recorded TEXT
        );
        CREATE INDEX IF NOT EXISTS queue_pending ON queue(uploaded_at, id);
        """,
    )


STATION_MIGRATIONS: tuple[Migration, ...] = (_v1_station,)


@dataclass(frozen=True)
class StationCredentials:
    """Who this station is and which server (and certificate) it trusts."""

    station: str
    host: str
    port: int
    fingerprint: str
    token: str
    cert_pem: bytes

    @property
    def base_url(self) -> str:
        """``https://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"


@dataclass(frozen=True)
class QueuedCheckin:
    """One check-in decided offline, waiting for (or confirmed by) the server."""

    id: int
    nonce: str
    code: str | None
    attendee_id: int | None
    method: str
    at: dt.datetime
    verdict: str
    name: str | None
    undone_at: dt.datetime | None
    uploaded_at: dt.datetime | None
    recorded: str | None

    def to_upload(self) -> dict[str, Any]:
        """The upload item the server expects."""
        return {
            "nonce": self.nonce,
            "code": self.code,
            "attendee_id": self.attendee_id,
            "method": self.method,
            "at": to_iso(self.at),
            "verdict": self.verdict,
            "undone_at": to_iso(self.undone_at) if self.undone_at else None,
        }


def default_station_dir() -> Path:
    """Where `doors --pair` keeps a station when no --station-dir is given."""
    return Path(platformdirs.user_data_dir("aiff-kiosk", appauthor=False)) / "station"


def new_nonce() -> str:
    """A client nonce for one request (random, 32 hex characters)."""
    return uuid.uuid4().hex


class StationFolder:
    """Paths and storage of one door laptop's station folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().absolute()

    @property
    def db_path(self) -> Path:
        """``station.db``."""
        return self.root / "station.db"

    @property
    def logs_dir(self) -> Path:
        """``logs/``."""
        return self.root / "logs"

    def is_paired(self) -> bool:
        """True once `join` stored credentials here."""
        return (self.root / "station.json").is_file() and (self.root / "token").is_file()

    def save_credentials(
        self, credentials: StationCredentials, *, timezone: str | None = None
    ) -> None:
        """Store what `join` received (token 0600), replacing earlier credentials; with the
        event's time zone the server told at pairing (None: an older server told none)."""
        private_dir(self.root)
        token_path = self.root / "token"
        fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(credentials.token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        (self.root / "server-cert.pem").write_bytes(credentials.cert_pem)
        info = {
            "station": credentials.station,
            "host": credentials.host,
            "port": credentials.port,
            "fingerprint": credentials.fingerprint,
            "paired_at": to_iso(dt.datetime.now(dt.UTC)),
        }
        if timezone is not None:
            info["timezone"] = timezone
        (self.root / "station.json").write_text(json.dumps(info, indent=2) + "\n")

    def paired_zone(self) -> dt.tzinfo | None:
        """The event's time zone the server told at pairing (None: not paired, or paired with
        a server that told none, or a zone this laptop does not know)."""
        try:
            info = json.loads((self.root / "station.json").read_text())
        except (OSError, ValueError):
            return None
        name = info.get("timezone") if isinstance(info, dict) else None
        if not isinstance(name, str) or not name:
            return None
        try:
            return zone_named(name)
        except ValueError as exc:
            log.warning("The time zone told at pairing is unusable here: %s", exc)
            return None

    def zone_or_none(self) -> dt.tzinfo | None:
        """The event's time zone from the last downloaded ticket list, else the one told at
        pairing, else None (read-only: looking never creates the station database)."""
        return self._list_zone() or self.paired_zone()

    def _list_zone(self) -> dt.tzinfo | None:
        if not self.db_path.is_file():
            return None
        try:
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=2.0)
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'timezone'").fetchone()
            finally:
                conn.close()
            return zone_named(str(row[0])) if row and row[0] else None
        except (sqlite3.Error, ValueError) as exc:
            log.warning("No event time zone in %s: %s", self.db_path, exc)
            return None

    def credentials(self) -> StationCredentials:
        """The stored credentials, or StoreError saying how to pair."""
        if not self.is_paired():
            raise StoreError(
                f"{self.root} is not a paired station folder; pair it first with "
                f"`python main.py --station-dir {self.root} join PAYLOAD`."
            )
        try:
            info = json.loads((self.root / "station.json").read_text())
            return StationCredentials(
                station=str(info["station"]),
                host=str(info["host"]),
                port=int(info["port"]),
                fingerprint=str(info["fingerprint"]),
                token=(self.root / "token").read_text().strip(),
                cert_pem=(self.root / "server-cert.pem").read_bytes(),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(f"{self.root}: the station credentials are damaged ({exc})") from exc

    def open_store(self) -> StationStore:
        """This folder's SQLite (ticket list and offline queue), created if needed."""
        private_dir(self.root)
        store = StationStore(self.db_path)
        private_database(self.db_path)
        return store


def _list_zone_name(data: dict[str, Any]) -> str:
    """The event's zone a ticket list names (the server's event.toml); StoreError if none."""
    name = str(data.get("timezone") or "")
    try:
        zone_named(name)
    except ValueError as exc:
        raise StoreError(f"The server's ticket list names no usable time zone: {exc}") from exc
    return name


class StationStore:
    """The station's own database: one connection per thread that uses it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(
                path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            # refuse a newer schema before anything (even the journal mode) touches the file
            refuse_newer_schema(self._conn, path, len(STATION_MIGRATIONS))
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")  # a queued admission survives
            self._conn.execute("PRAGMA busy_timeout = 10000")
            migrate(sqlite_utils.Database(self._conn), STATION_MIGRATIONS)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a usable station database: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # ------------------------------------------------------------ ticket list

    def replace_ticket_list(self, data: dict[str, Any], fetched_at: dt.datetime) -> int:
        """Store a freshly downloaded ticket list in one transaction; returns its size."""
        rows = [
            (
                t["code_sha256"],
                t["attendee_id"],
                t["name"],
                t.get("name_latin"),
                t["status"],
                t.get("admitted_at"),
                t.get("admitted_station"),
                t.get("admitted_method"),
            )
            for t in data["tickets"]
        ]
        meta = {
            "list_fetched_at": to_iso(fetched_at),
            "list_generated_at": str(data.get("generated_at", "")),
            "timezone": _list_zone_name(data),
            "capacity": "" if data.get("capacity") is None else str(data["capacity"]),
            "event": str(data.get("event", "")),
            "event_zh": str(data.get("event_zh", "")),
        }
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM tickets")
            conn.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(meta.items()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(rows)

    def meta(self, key: str) -> str | None:
        """One stored setting of the list (fetched time, zone, capacity, event name)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def zone(self) -> dt.tzinfo | None:
        """The event's time zone as the ticket list gave it (None before the first list)."""
        name = self.meta("timezone")
        return zone_named(name) if name else None

    def list_fetched_at(self) -> dt.datetime | None:
        """When the ticket list was last downloaded (None: never)."""
        text = self.meta("list_fetched_at")
        return from_iso(text) if text else None

    def capacity(self) -> int | None:
        """The hall's capacity as the list says."""
        text = self.meta("capacity")
        return int(text) if text else None

    def listed(self, digest: str) -> ListedTicket | None:
        """The list's row for a code digest."""
        row = self._conn.execute(
            "SELECT code_sha256, attendee_id, name, name_latin, status, admitted_at, "
            "admitted_station, admitted_method FROM tickets WHERE code_sha256 = ?",
            (digest,),
        ).fetchone()
        return None if row is None else _listed(row)

    def listed_by_attendee(self, attendee_id: int) -> ListedTicket | None:
        """The holder's valid ticket in the list (or any, if none is valid)."""
        row = self._conn.execute(
            "SELECT code_sha256, attendee_id, name, name_latin, status, admitted_at, "
            "admitted_station, admitted_method FROM tickets WHERE attendee_id = ? "
            "ORDER BY status = 'valid' DESC LIMIT 1",
            (attendee_id,),
        ).fetchone()
        return None if row is None else _listed(row)

    def search(self, text: str, limit: int = 50) -> list[ListedTicket]:
        """Valid tickets whose holder's name contains ``text`` (offline Find)."""
        pattern = f"%{text.strip()}%"
        rows = self._conn.execute(
            "SELECT code_sha256, attendee_id, name, name_latin, status, admitted_at, "
            "admitted_station, admitted_method FROM tickets WHERE status = 'valid' AND "
            "(name LIKE ? OR name_latin LIKE ?) ORDER BY coalesce(name_latin, name) LIMIT ?",
            (pattern, pattern, limit),
        ).fetchall()
        return [_listed(row) for row in rows]

    def mark_admitted(self, attendee_id: int, admission: Admission) -> None:
        """Note an admission the server confirmed, so offline verdicts know about it.

        A copy of what the server holds (the next list download rewrites it), so it is written
        without waiting for the disk: the verdict on screen does not wait for a cache.
        """
        self._write_cache(
            "UPDATE tickets SET admitted_at = ?, admitted_station = ?, admitted_method = ? "
            "WHERE attendee_id = ?",
            (to_iso(admission.at), admission.station, admission.method, attendee_id),
        )

    def clear_admission(self, attendee_id: int) -> None:
        """Forget an admission that was undone."""
        self._write_cache(
            "UPDATE tickets SET admitted_at = NULL, admitted_station = NULL, "
            "admitted_method = NULL WHERE attendee_id = ?",
            (attendee_id,),
        )

    def _write_cache(self, sql: str, params: tuple[Any, ...]) -> None:
        self._conn.execute("PRAGMA synchronous = OFF")
        try:
            self._conn.execute(sql, params)
        finally:
            self._conn.execute("PRAGMA synchronous = FULL")

    def admitted_count(self) -> int:
        """People in as far as this station knows: the list's plus its own queued admissions."""
        row = self._conn.execute(
            "SELECT (SELECT count(DISTINCT attendee_id) FROM tickets WHERE admitted_at IS NOT "
            "NULL) + (SELECT count(*) FROM queue WHERE verdict = 'admitted' AND undone_at IS "
            "NULL AND uploaded_at IS NULL)"
        ).fetchone()
        return int(row[0])

    def admission_times(self) -> list[dt.datetime]:
        """When each person this station knows to be in was admitted (list + own queue)."""
        rows = self._conn.execute(
            "SELECT min(admitted_at) FROM tickets WHERE admitted_at IS NOT NULL "
            "GROUP BY attendee_id UNION ALL SELECT at FROM queue WHERE verdict = 'admitted' "
            "AND undone_at IS NULL AND uploaded_at IS NULL"
        ).fetchall()
        return [from_iso(row[0]) for row in rows]

    def registered_count(self) -> int:
        """Holders of a valid ticket in the list, walk-ins left out (they count as walk-ins,
        as on the console and in the report): a walk-in is the one admitted as a walk-in."""
        row = self._conn.execute(
            "SELECT count(DISTINCT attendee_id) FROM tickets WHERE status = 'valid' "
            "AND coalesce(admitted_method, '') <> 'walk-in'"
        ).fetchone()
        return int(row[0])

    # ------------------------------------------------------------ offline queue

    def queued_admission(self, attendee_id: int) -> Admission | None:
        """This station's own not-yet-confirmed admission of a person, if any."""
        row = self._conn.execute(
            "SELECT at, method FROM queue WHERE attendee_id = ? AND verdict = 'admitted' "
            "AND undone_at IS NULL AND uploaded_at IS NULL ORDER BY id DESC LIMIT 1",
            (attendee_id,),
        ).fetchone()
        return None if row is None else Admission(from_iso(row[0]), "", row[1])

    def enqueue(
        self,
        *,
        nonce: str,
        code: str | None,
        attendee_id: int | None,
        method: str,
        at: dt.datetime,
        verdict: str,
        name: str | None,
    ) -> int:
        """Queue one offline decision durably (fsync) before the verdict is shown."""
        cursor = self._conn.execute(
            "INSERT INTO queue (nonce, code, attendee_id, method, at, verdict, name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (nonce, code, attendee_id, method, to_iso(at), verdict, name),
        )
        return int(cursor.lastrowid or 0)

    def pending(self, limit: int = 500) -> list[QueuedCheckin]:
        """Queued check-ins the server has not confirmed, oldest first."""
        rows = self._conn.execute(
            "SELECT id, nonce, code, attendee_id, method, at, verdict, name, undone_at, "
            "uploaded_at, recorded FROM queue WHERE uploaded_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()
        return [_queued(row) for row in rows]

    def pending_count(self) -> int:
        """How many queued check-ins wait for the server."""
        row = self._conn.execute("SELECT count(*) FROM queue WHERE uploaded_at IS NULL")
        return int(row.fetchone()[0])

    def confirm(self, answers: list[dict[str, Any]], now: dt.datetime) -> None:
        """Mark queued check-ins the server recorded (by nonce), with what it recorded."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany(
                "UPDATE queue SET uploaded_at = ?, recorded = ? WHERE nonce = ?",
                [(to_iso(now), str(a.get("recorded", "")), a["nonce"]) for a in answers],
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def last_own_admission(self) -> QueuedCheckin | None:
        """The latest queued (unconfirmed) admission made here offline, for Undo."""
        row = self._conn.execute(
            "SELECT id, nonce, code, attendee_id, method, at, verdict, name, undone_at, "
            "uploaded_at, recorded FROM queue WHERE verdict = 'admitted' AND undone_at IS NULL "
            "AND uploaded_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else _queued(row)

    def undo_queued(self, queue_id: int, now: dt.datetime) -> None:
        """Annul a queued offline admission (uploaded later as annulled, never dropped)."""
        self._conn.execute(
            "UPDATE queue SET undone_at = ? WHERE id = ? AND uploaded_at IS NULL",
            (to_iso(now), queue_id),
        )


def _listed(row: tuple[Any, ...]) -> ListedTicket:
    return ListedTicket(
        code_sha256=row[0],
        attendee_id=row[1],
        name=row[2],
        name_latin=row[3],
        status=TicketStatus(row[4]),
        admitted_at=from_iso(row[5]) if row[5] else None,
        admitted_station=row[6],
        admitted_method=row[7],
    )


def _queued(row: tuple[Any, ...]) -> QueuedCheckin:
    return QueuedCheckin(
        id=row[0],
        nonce=row[1],
        code=row[2],
        attendee_id=row[3],
        method=row[4],
        at=from_iso(row[5]),
        verdict=row[6],
        name=row[7],
        undone_at=from_iso(row[8]) if row[8] else None,
        uploaded_at=from_iso(row[9]) if row[9] else None,
        recorded=row[10],
    )
