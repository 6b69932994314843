"""The event database: SQLite through sqlite-utils, WAL, versioned forward migrations.

The schema version lives in `PRAGMA user_version`. Each migration is a function that takes the
database from version N-1 to N inside one transaction, so a crash mid-migration leaves the old
version intact. A database made by a newer version of the app is refused, never downgraded.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from kiosk.store.errors import AuditedError, DiskFullError, StoreError
from kiosk.store.private_files import private_database

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]


def execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one inside the caller's transaction.

    `executescript` would COMMIT first, breaking the one-transaction-per-migration rule.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]}")


def _v1_initial(conn: sqlite3.Connection) -> None:
    execute_script(
        conn,
        """
        CREATE TABLE journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,              -- ISO 8601, UTC, millisecond precision
            kind TEXT NOT NULL,            -- e.g. film_started, checkin, preflight_run
            subject TEXT,                  -- e.g. a film id or a ticket code
            data TEXT NOT NULL DEFAULT '{}'  -- JSON
        );
        CREATE INDEX journal_kind ON journal(kind, id);

        CREATE TABLE film_checks (
            film_id TEXT PRIMARY KEY,
            file TEXT NOT NULL,
            file_size INTEGER,
            file_mtime REAL,
            checked_at TEXT NOT NULL,
            ok INTEGER NOT NULL,
            duration_s REAL,
            width INTEGER,
            height INTEGER,
            display_aspect REAL,
            fps REAL,
            video_codec TEXT,
            audio_channels INTEGER,
            audio_codec TEXT,
            loudness_lufs REAL,
            peak_dbfs REAL,
            gain_db REAL,
            problems TEXT NOT NULL DEFAULT '[]',
            warnings TEXT NOT NULL DEFAULT '[]'
        );

        CREATE TABLE attendees (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            name_latin TEXT,
            email TEXT,
            phone TEXT,
            external_id TEXT,
            registered_at TEXT,
            source TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX attendees_email ON attendees(email);

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


def _v2_tickets_and_checkins(conn: sqlite3.Connection) -> None:
    execute_script(
        conn,
        """
        ALTER TABLE attendees ADD COLUMN status TEXT NOT NULL DEFAULT 'registered';
        -- 'registered' | 'gone' (no longer in the latest export; kept, never deleted)
        CREATE UNIQUE INDEX attendees_external_id ON attendees(external_id)
            WHERE external_id IS NOT NULL;

        -- One row per ticket ever issued. The attendee number in the code is attendees.id;
        -- reissuing revokes the old row and adds one with the next issue number.
        CREATE TABLE tickets (
            code TEXT PRIMARY KEY,
            attendee_id INTEGER NOT NULL REFERENCES attendees(id),
            issue_number INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT,
            revoked_reason TEXT,
            UNIQUE (attendee_id, issue_number)
        );
        CREATE UNIQUE INDEX tickets_one_valid ON tickets(attendee_id) WHERE revoked_at IS NULL;

        -- Admissions. The partial unique index is what makes "each ticket admitted exactly
        -- once" hold across any number of door processes: a second INSERT for the same
        -- attendee fails inside SQLite, whichever process gets there second.
        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            attendee_id INTEGER NOT NULL REFERENCES attendees(id),
            code TEXT,
            station TEXT NOT NULL,
            method TEXT NOT NULL,          -- 'scan' | 'camera' | 'manual' | 'walk-in'
            at TEXT NOT NULL,
            annulled_at TEXT,
            annulled_by TEXT
        );
        CREATE UNIQUE INDEX checkins_once ON checkins(attendee_id) WHERE annulled_at IS NULL;
        CREATE INDEX checkins_at ON checkins(at);
        """,
    )


def _v3_door_stations(conn: sqlite3.Connection) -> None:
    execute_script(
        conn,
        """
        -- Door stations paired with the event server. Tokens are stored as SHA-256 digests
        -- only; revoking sets revoked_at and the very next request is refused.
        CREATE TABLE stations (
            name TEXT PRIMARY KEY,
            token_hash TEXT UNIQUE,
            paired_at TEXT,
            revoked_at TEXT,
            last_seen_at TEXT,
            last_address TEXT
        );
        -- One-time pairing tokens (what the pairing QR carries), also stored as digests.
        CREATE TABLE station_pairings (
            token_hash TEXT PRIMARY KEY,
            station TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        );
        -- Every station request that changes state, by its client nonce, with the answer
        -- given: a retried request gets the same answer and never admits twice.
        CREATE TABLE station_requests (
            nonce TEXT PRIMARY KEY,
            station TEXT NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            response TEXT NOT NULL
        );
        -- What the doors did that cannot both be true: the same person admitted at two
        -- stations while they were apart (kind 'double_admission'), or a ticket admitted
        -- offline that the server had cancelled ('revoked_ticket'). Never merged silently.
        CREATE TABLE door_conflicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            attendee_id INTEGER,
            code TEXT,
            first_station TEXT,
            first_at TEXT,
            first_method TEXT,
            second_station TEXT NOT NULL,
            second_at TEXT NOT NULL,
            second_method TEXT NOT NULL,
            offline INTEGER NOT NULL,
            nonce TEXT,
            reported_at TEXT NOT NULL
        );
        """,
    )


def _v4_film_identity(conn: sqlite3.Connection) -> None:
    """Preflight results bound to the file they measured, and the true peak behind the gain."""
    execute_script(
        conn,
        """
        ALTER TABLE film_checks ADD COLUMN fingerprint TEXT;
        ALTER TABLE film_checks ADD COLUMN true_peak_dbtp REAL;
        ALTER TABLE film_checks ADD COLUMN gain_wanted_db REAL;
        ALTER TABLE film_checks ADD COLUMN gain_limited_by TEXT;
        CREATE INDEX film_checks_fingerprint ON film_checks(fingerprint);
        """,
    )


def _v5_viewers_vote(conn: sqlite3.Connection) -> None:
    execute_script(
        conn,
        """
        -- Who has voted (the register, not the choice). The unique index is what makes "one
        -- ballot per admitted person" hold across the vote page, stations and the CLI; a
        -- reissued ticket belongs to the same person and does not vote again.
        CREATE TABLE vote_voters (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            attendee_id INTEGER NOT NULL REFERENCES attendees(id),
            code TEXT NOT NULL,            -- the ticket that voted
            channel TEXT NOT NULL,         -- 'phone', 'cli' or a voting station's name
            at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX vote_voters_once ON vote_voters(attendee_id);

        -- The choices, each encrypted to the vote's public key (see store/ballot_crypto.py).
        -- A random key and no time: nothing ties a ballot to the voter written with it.
        CREATE TABLE vote_ballots (
            id BLOB PRIMARY KEY,
            sealed BLOB NOT NULL
        ) WITHOUT ROWID;
        """,
    )


def _v6_registration_sources(conn: sqlite3.Connection) -> None:
    execute_script(
        conn,
        """
        -- Which registration source (`attendees import --source NAME`) an attendee came from:
        -- an import reconciles only within its own source. Everyone imported so far came from
        -- the one source there was ('default'); walk-ins belong to none (NULL).
        ALTER TABLE attendees ADD COLUMN registration_source TEXT;
        UPDATE attendees SET registration_source = 'default'
            WHERE coalesce(source, '') <> 'walk-in';
        CREATE INDEX attendees_registration_source ON attendees(registration_source);
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial,
    _v2_tickets_and_checkins,
    _v3_door_stations,
    _v4_film_identity,
    _v5_viewers_vote,
    _v6_registration_sources,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    """The schema version recorded in the file (0 for a new, empty database)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring the schema up to date, one transaction per step; returns the final version."""
    current = schema_version(db)
    if current > len(migrations):
        raise StoreError(
            f"{db_path(db)} was written by a newer version of this app (schema {current}, "
            f"this app knows up to {len(migrations)}). Update the app; the file was not touched."
        )
    conn = db.conn
    for version in range(current + 1, len(migrations) + 1):
        log.info("migrating %s to schema version %d", db_path(db), version)
        try:
            conn.execute("BEGIN IMMEDIATE")
            migrations[version - 1](conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(migrations)


def db_path(db: sqlite_utils.Database) -> str:
    """File name of a database, for messages."""
    row = db.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else ":memory:"


def refuse_newer_schema(conn: sqlite3.Connection, path: Path, known: int) -> None:
    """StoreError (and the connection closed) if the file's schema is newer than `known`."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > known:
        conn.close()
        raise StoreError(
            f"{path} was written by a newer version of this app (schema {version}, this "
            f"app knows up to {known}). Update the app; the file was not touched."
        )


def open_database(path: Path, *, migrate_schema: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the event database with the settings the night needs.

    WAL lets door stations and the console read while one writes; `synchronous=FULL` makes a
    committed check-in or journal entry survive a power cut; the busy timeout lets several door
    processes queue for the write lock instead of failing.
    """
    try:
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        if migrate_schema:  # refuse before anything (even the journal mode) touches the file
            refuse_newer_schema(conn, path, SCHEMA_VERSION)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable SQLite database: {exc}") from exc
    private_database(path)  # every ticket code is in it
    db = sqlite_utils.Database(conn)
    if migrate_schema:
        with translate_errors(path):
            migrate(db)
    return db


BUSY_TIMEOUT_S = 10.0


@contextmanager
def transaction(
    db: sqlite_utils.Database, *, poll_s: float | None = None
) -> Iterator[sqlite3.Connection]:
    """One atomic write: BEGIN IMMEDIATE … COMMIT, rolled back on any error.

    Inside a transaction the caller already holds, it joins that one (the outer one commits),
    so a repository's write and the event server's nonce record commit together; ``poll_s``
    then does nothing, since the write lock is already held.

    ``poll_s``: instead of SQLite's busy handler (which sleeps longer and longer, up to 100 ms
    at a time, while another process holds the write lock), try for the lock again every
    ``poll_s`` seconds, so a door's scan gets in within a moment of another writer's commit.
    """
    conn = db.conn
    if _already_in_transaction(conn):
        yield conn
        return
    with translate_errors(Path(db_path(db))):
        if poll_s is None:
            conn.execute("BEGIN IMMEDIATE")
        else:
            _begin_polling(conn, poll_s)
        try:
            yield conn
        except BaseException as exc:
            if conn.in_transaction:  # SQLite already rolled back after e.g. a full disk
                conn.execute("ROLLBACK")
            if isinstance(exc, AuditedError):
                save_audit(conn, exc, own_transaction=True)
            raise
        conn.execute("COMMIT")


def save_audit(conn: sqlite3.Connection, refusal: AuditedError, *, own_transaction: bool) -> None:
    """Write a refusal's audit record after the rollback of the work it refused (once).

    ``own_transaction``: in a transaction of its own (else inside the caller's, which has
    rolled back to before the refused work and commits the rest)."""
    writer, refusal.audit = refusal.audit, None
    if writer is None:
        return
    if not own_transaction:
        writer(conn)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        writer(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _begin_polling(conn: sqlite3.Connection, poll_s: float) -> None:
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() > deadline:
                    raise
            time.sleep(poll_s)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def _already_in_transaction(conn: sqlite3.Connection) -> bool:
    return conn.in_transaction


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's terse errors into messages the operator can act on."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "disk is full" in text or "disk I/O error" in text:
            raise DiskFullError(
                f"The disk holding {path} is full or failing ({text}). Nothing was saved; "
                f"free some space and try again."
            ) from exc
        if "locked" in text or "busy" in text:
            raise StoreError(f"{path} stayed busy for 10 s ({text}); try again.") from exc
        if "readonly" in text:
            raise StoreError(f"{path} is read-only; check the folder's permissions.") from exc
        raise
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is damaged or not an event database: {exc}") from exc
