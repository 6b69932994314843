"""Station requests that changed state, by their client nonce, with the answer each got.

A retried request (its reply lost, the server killed before answering) finds its nonce here
and gets the same answer again; the work it asked for is never done twice. The log joins the
caller's transaction, so the work and its answer commit together.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from kiosk.core.admissions import to_iso


@dataclass(frozen=True)
class LoggedRequest:
    """A request already answered: which station sent it, what kind, what it was told."""

    station: str
    kind: str
    answer: dict[str, Any]


class RequestLog:
    """The ``station_requests`` table of an event database (on the caller's connection)."""

    @staticmethod
    def find(conn: sqlite3.Connection, nonce: str) -> LoggedRequest | None:
        """The request answered under ``nonce``, if any."""
        row = conn.execute(
            "SELECT station, kind, response FROM station_requests WHERE nonce = ?", (nonce,)
        ).fetchone()
        return None if row is None else LoggedRequest(row[0], row[1], json.loads(row[2]))

    @staticmethod
    def remember(
        conn: sqlite3.Connection,
        nonce: str,
        station: str,
        kind: str,
        answer: dict[str, Any],
        at: dt.datetime,
    ) -> None:
        """Store the answer under its nonce and note that the station was seen."""
        conn.execute(
            "INSERT INTO station_requests (nonce, station, kind, at, response) "
            "VALUES (?, ?, ?, ?, ?)",
            (nonce, station, kind, to_iso(at), json.dumps(answer)),
        )
        conn.execute("UPDATE stations SET last_seen_at = ? WHERE name = ?", (to_iso(at), station))
