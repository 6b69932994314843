"""The append-only journal: every state change that matters on the night, in order.

Crash resume and the show report read it back. Appends go through `transaction()` together
with the state they describe, so the journal and the state can never disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from kiosk.store.database import transaction


def utc_now_iso() -> str:
    """Current time as ISO 8601 UTC with milliseconds (sortable as text)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class JournalEntry:
    """One journal line as read back."""

    id: int
    at: str
    kind: str
    subject: str | None
    data: dict[str, Any]


class Journal:
    """Appends and reads journal entries of one event database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    @staticmethod
    def append_in(
        conn: sqlite3.Connection,
        kind: str,
        subject: str | None = None,
        data: Mapping[str, Any] | None = None,
        *,
        at: str | None = None,
    ) -> int:
        """Append inside a transaction the caller already holds; returns the entry id.

        ``at``: when it happened (ISO 8601 UTC, as :func:`utc_now_iso`), if not now."""
        cursor = conn.execute(
            "INSERT INTO journal (at, kind, subject, data) VALUES (?, ?, ?, ?)",
            (at or utc_now_iso(), kind, subject, json.dumps(dict(data or {}), ensure_ascii=False)),
        )
        return int(cursor.lastrowid or 0)

    def append(
        self, kind: str, subject: str | None = None, data: Mapping[str, Any] | None = None
    ) -> int:
        """Append one entry in its own durable transaction; returns the entry id."""
        with transaction(self._db) as conn:
            return self.append_in(conn, kind, subject, data)

    def append_all(self, entries: Iterable[tuple[str, str | None, Mapping[str, Any]]]) -> None:
        """Append (kind, subject, data) entries in order, in one durable transaction."""
        with transaction(self._db) as conn:
            for kind, subject, data in entries:
                self.append_in(conn, kind, subject, data)

    def entries(self, *kinds: str, after_id: int = 0) -> Iterator[JournalEntry]:
        """Entries in order, optionally only of some kinds and after a given id."""
        sql = "SELECT id, at, kind, subject, data FROM journal WHERE id > ?"
        params: list[Any] = [after_id]
        if kinds:
            sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params.extend(kinds)
        for row in self._db.execute(sql + " ORDER BY id", params):
            yield JournalEntry(row[0], row[1], row[2], row[3], json.loads(row[4]))
