"""The ballot box: who may vote, one sealed ballot per admitted person, turnout, open/close.

Each ballot is looked up, decided and stored in ONE ``BEGIN IMMEDIATE`` transaction with its
journal entry and committed (``synchronous=FULL``) before the voter is thanked. "Once per
person" rests on the unique index ``vote_voters_once``: if a phone and a station race with the
same ticket, the second INSERT fails inside SQLite and is reported as already voted.

The register (``vote_voters``: who voted, when, where) and the ballots (``vote_ballots``: a
random id and 92 sealed bytes) are separate tables with nothing to join them on. The journal's
``vote_cast`` entry names the ticket and the channel, never the film.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from kiosk.core.tickets import TicketCodec
from kiosk.core.vote import (
    VOTE_CAST,
    VOTE_CLOSED,
    VOTE_KINDS,
    VOTE_OPENED,
    BallotOutcome,
    BallotVerdict,
    Turnout,
    Voter,
    VoteWindow,
    decide_ballot,
    normalise_vote_code,
    vote_code,
    vote_window,
)
from kiosk.store.ballot_crypto import seal_ballot
from kiosk.store.database import transaction
from kiosk.store.journal import Journal

log = logging.getLogger(__name__)

_VOTER_SQL = """
    SELECT t.attendee_id, t.code, t.revoked_at IS NOT NULL,
           EXISTS (SELECT 1 FROM checkins c WHERE c.attendee_id = t.attendee_id
                   AND c.annulled_at IS NULL),
           EXISTS (SELECT 1 FROM vote_voters v WHERE v.attendee_id = t.attendee_id)
    FROM tickets t WHERE t.code = ?
"""


class VoteCodeIndex:
    """Vote code → ticket code for every ticket of the event, recomputed when tickets change.

    Vote codes are derived (HMAC), not stored: this index is rebuilt from the tickets table
    when a code is not found and tickets were added since (a walk-in, a reissue).
    """

    def __init__(self, secret_key: bytes) -> None:
        self._key = secret_key
        self._codes: dict[str, str] = {}
        self._tickets_seen = -1

    def find(self, conn: sqlite3.Connection, code: str) -> str | None:
        """The ticket code whose vote code is `code` (canonical), or None."""
        found = self._codes.get(code)
        if found is not None:
            return found
        count = int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
        if count != self._tickets_seen:
            tickets = [row[0] for row in conn.execute("SELECT code FROM tickets")]
            self._codes = {vote_code(self._key, ticket): ticket for ticket in tickets}
            self._tickets_seen = count
        return self._codes.get(code)


class BallotBox:
    """Casts, counts turnout, opens and closes the vote, on one event database."""

    def __init__(self, db: sqlite_utils.Database, codec: TicketCodec, index: VoteCodeIndex) -> None:
        self._db = db
        self._codec = codec
        self._index = index

    # -- the window -----------------------------------------------------------------------

    def window(self) -> VoteWindow:
        """Open or closed, as the journal says."""
        entries = Journal(self._db).entries(*VOTE_KINDS)
        return vote_window((entry.kind, entry.data) for entry in entries)

    def open(self, now: dt.datetime, minutes: int) -> VoteWindow:
        """Open the vote for `minutes` from now (journalled); reopening starts a new countdown."""
        closes_at = now + dt.timedelta(minutes=minutes)
        data = {"at": _iso(now), "closes_at": _iso(closes_at), "minutes": minutes}
        Journal(self._db).append(VOTE_OPENED, None, data)
        log.info("vote opened for %d minute(s)", minutes)
        return self.window()

    def close(self, now: dt.datetime) -> VoteWindow:
        """Close the vote now (journalled; nothing happens if it is not open)."""
        window = self.window()
        if window.is_open(now):
            Journal(self._db).append(VOTE_CLOSED, None, {"at": _iso(now)})
            log.info("vote closed by hand")
        return self.window()

    # -- ballots --------------------------------------------------------------------------

    def check(self, text: str, now: dt.datetime, *, ticket_codes: bool = True) -> BallotOutcome:
        """Whether this code may vote now (before the voter chooses); records nothing.

        ``ticket_codes`` False: only a vote code is a credential (the phone page)."""
        conn = self._db.conn
        voter = self._voter(conn, text, ticket_codes)
        verdict = decide_ballot(phase=self.window().phase(now), voter=voter, film_id=None, films=())
        return BallotOutcome(verdict, voter.ticket_code if voter else None)

    def cast(
        self,
        text: str,
        film_id: str,
        films: Sequence[str],
        public_key: bytes,
        channel: str,
        now: dt.datetime,
        *,
        ticket_codes: bool = True,
    ) -> BallotOutcome:
        """Decide and, if it counts, store one sealed ballot; committed before returning.

        ``ticket_codes`` False: only a vote code is a credential (the phone page)."""
        sealed = seal_ballot(public_key, film_id) if film_id in films else b""
        with transaction(self._db) as conn:
            window = vote_window((entry.kind, entry.data) for entry in _window_entries(conn))
            voter = self._voter(conn, text, ticket_codes)
            verdict = decide_ballot(
                phase=window.phase(now), voter=voter, film_id=film_id, films=films
            )
            if verdict is BallotVerdict.ACCEPTED and voter is not None:
                try:
                    conn.execute(
                        "INSERT INTO vote_voters (attendee_id, code, channel, at) "
                        "VALUES (?, ?, ?, ?)",
                        (voter.attendee_id, voter.ticket_code, channel, _iso(now)),
                    )
                except sqlite3.IntegrityError:
                    verdict = BallotVerdict.ALREADY_VOTED  # lost a race to another channel
                else:
                    conn.execute(
                        "INSERT INTO vote_ballots (id, sealed) VALUES (?, ?)",
                        (secrets.token_bytes(16), sealed),
                    )
            Journal.append_in(
                conn,
                VOTE_CAST if verdict is BallotVerdict.ACCEPTED else "vote_refused",
                voter.ticket_code if voter else None,
                {"verdict": verdict.value, "channel": channel},
            )
        return BallotOutcome(verdict, voter.ticket_code if voter else None)

    def _voter(self, conn: sqlite3.Connection, text: str, ticket_codes: bool) -> Voter | None:
        ticket = self._codec.verify(text) if ticket_codes else None
        ticket_code = ticket.code if ticket else None
        if ticket_code is None:
            code = normalise_vote_code(text)
            ticket_code = self._index.find(conn, code) if code else None
        if ticket_code is None:
            return None
        row = conn.execute(_VOTER_SQL, (ticket_code,)).fetchone()
        if row is None:
            return None  # a correctly signed code this event never issued
        return Voter(int(row[0]), str(row[1]), bool(row[2]), bool(row[3]), bool(row[4]))

    # -- reading --------------------------------------------------------------------------

    def turnout(self) -> Turnout:
        """Ballots cast and people checked in, read in one snapshot."""
        row = self._db.execute(
            "SELECT (SELECT count(*) FROM vote_ballots), "
            "(SELECT count(*) FROM checkins WHERE annulled_at IS NULL)"
        ).fetchone()
        return Turnout(int(row[0]), int(row[1]))

    def sealed_ballots(self) -> list[bytes]:
        """Every sealed ballot, in the table's (random) order."""
        return [bytes(row[0]) for row in self._db.execute("SELECT sealed FROM vote_ballots")]

    def has_ballots(self) -> bool:
        """True once any ballot was cast."""
        return self._db.execute("SELECT 1 FROM vote_ballots LIMIT 1").fetchone() is not None


def _window_entries(conn: sqlite3.Connection) -> list[_Entry]:
    rows = conn.execute(
        f"SELECT kind, data FROM journal WHERE kind IN ({', '.join('?' * len(VOTE_KINDS))}) "
        "ORDER BY id",
        VOTE_KINDS,
    ).fetchall()
    return [_Entry(str(kind), json.loads(data)) for kind, data in rows]


@dataclass(frozen=True)
class _Entry:
    kind: str
    data: dict[str, object]


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("vote times must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
