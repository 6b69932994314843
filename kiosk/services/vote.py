"""The Viewer's Award vote as the CLI, the vote page, the console and a voting station use it.

`ViewerVote` is one event's vote: open and close it (journalled), cast and check ballots, show
turnout. `ViewerVote.count` opens the vote key with the results passphrase(s) and counts: it is the
only way to a tally, and it is called only when the results are opened for the reveal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kiosk.core.awards import CategoryResult, JuryResults
from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, Programme
from kiosk.core.tickets import TicketCodec
from kiosk.core.vote import (
    SHOW_KINDS,
    BallotOutcome,
    Tally,
    Turnout,
    VotePhase,
    VoteWindow,
    count_votes,
    films_on_the_ballot,
    viewer_result,
)
from kiosk.media.stills import STILL_AT_FRACTION, StillProvider, cache_dir_for
from kiosk.media.thumbnails import ThumbnailCache, ThumbnailSource
from kiosk.services.voting_backend import BallotFilm
from kiosk.store.ballot_crypto import (
    VoteKeyError,
    open_ballot,
    open_vote_key,
    read_vote_key,
)
from kiosk.store.ballots import BallotBox, VoteCodeIndex
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.store.sealed_results import Progress, read_seal

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class VoteStatus:
    """`vote status`: whether ballots are taken, and turnout only — never a count per film."""

    open: bool
    ballots: int
    checked_in: int
    closes_at: dt.datetime | None
    seconds_left: float | None
    phase: VotePhase = VotePhase.NOT_OPEN_YET

    def to_json(self) -> dict[str, object]:
        """`{"open", "phase", "ballots", "checked_in", "closes_at"}`."""
        return {
            "open": self.open,
            "phase": self.phase.value,
            "ballots": self.ballots,
            "checked_in": self.checked_in,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
        }


class VoteError(StoreError):
    """The vote cannot be opened, read, cast into or counted; the message says what to do.

    Every `ViewerVote` method raises this (never a bare StoreError), so callers in the UI need
    nothing from the store.
    """


@contextmanager
def _as_vote_errors() -> Iterator[None]:
    try:
        yield
    except VoteError:
        raise
    except StoreError as exc:
        raise VoteError(str(exc)) from exc


class ViewerVote:
    """One event's vote: the window, ballots, turnout, the films to choose from."""

    def __init__(
        self,
        folder: EventFolder,
        config: EventConfig,
        programme: Programme,
        secret_key: bytes,
        db: sqlite_utils.Database,
        clock: Clock = utc_now,
        *,
        owns_db: bool = True,
    ) -> None:
        """What the event's one opening read (see
        :meth:`kiosk.services.open_event.OpenEvent.viewer_vote`, the one way to a vote): its
        config, programme and ticket key, and ``db``, a connection for the calling thread.
        ``owns_db`` False: the connection is its owner's to close (the event server's own, so
        a station's ballot commits with its nonce record). ``folder`` gives the vote key's and
        the seal's paths only."""
        self.folder = folder
        self.config = config
        self.programme = programme
        self._clock = clock
        self._db = db
        self._owns_db = owns_db
        self._box = ballot_box(secret_key, db)
        self._public_key: bytes | None = None
        self._films: tuple[Film, ...] | None = None
        self._films_opened_at: dt.datetime | None = None
        self._thumbnails: ThumbnailCache | None = None
        self._connected = True

    def close_database(self) -> None:
        """Close the database connection (its owner is done with it; twice is fine).

        Not :meth:`close_vote`, which closes the *vote*. Usable as
        ``with event.viewer_vote() as vote``.
        """
        if self._connected:
            self._connected = False
            if self._owns_db:
                self._db.close()

    def __enter__(self) -> ViewerVote:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close_database()

    @property
    def films(self) -> tuple[Film, ...]:
        """The films a ballot may name, in run order: the programme's, less any the show
        skipped or lost without showing it (read again each time the vote is opened)."""
        with _as_vote_errors():
            opened = self._box.window().opened_at
            if self._films is None or opened != self._films_opened_at:
                self._films = self._ballot_films()
                self._films_opened_at = opened
        return self._films

    def _ballot_films(self) -> tuple[Film, ...]:
        entries = Journal(self._db).entries(*SHOW_KINDS)
        on_ballot = set(
            films_on_the_ballot([f.id for f in self.programme], ((e.kind, e.data) for e in entries))
        )
        return tuple(f for f in self.programme if f.id in on_ballot)

    @property
    def award_id(self) -> str | None:
        """The id of the audience award in event.toml (None if the event has none)."""
        return next((a.id for a in self.config.awards if a.kind == "audience"), None)

    def now(self) -> dt.datetime:
        """The vote's clock."""
        return self._clock()

    def window(self) -> VoteWindow:
        """Open or closed, and until when."""
        with _as_vote_errors():
            return self._box.window()

    def status(self) -> VoteStatus:
        """Open or not, ballots cast, people checked in."""
        now = self._clock()
        with _as_vote_errors():
            window = self._box.window()
            turnout = self._box.turnout()
        return VoteStatus(
            window.is_open(now),
            turnout.ballots,
            turnout.checked_in,
            window.closes_at if window.is_open(now) else None,
            window.seconds_left(now),
            window.phase(now),
        )

    def turnout(self) -> Turnout:
        """Ballots cast and people checked in."""
        with _as_vote_errors():
            return self._box.turnout()

    def open_vote(self, minutes: int | None = None) -> VoteStatus:
        """Open the vote (VoteError if the ballots could not be sealed: no vote key)."""
        if self.award_id is None:
            raise VoteError('event.toml declares no audience award (kind = "audience")')
        self._require_public_key()
        with _as_vote_errors():
            self._box.open(self._clock(), minutes or self.config.vote.minutes)
        return self.status()

    def close_vote(self) -> VoteStatus:
        """Close the vote now."""
        with _as_vote_errors():
            self._box.close(self._clock())
        return self.status()

    def check(self, text: str, *, ticket_codes: bool = True) -> BallotOutcome:
        """Whether a code may vote now (nothing recorded). ``ticket_codes`` False: a vote code
        only (the phone page: a ticket code is what a door laptop handles, not a phone)."""
        with _as_vote_errors():
            return self._box.check(text, self._clock(), ticket_codes=ticket_codes)

    def cast(
        self, text: str, film_id: str, channel: str, *, ticket_codes: bool = True
    ) -> BallotOutcome:
        """Cast one ballot; when accepted it is committed before this returns."""
        public_key = self._require_public_key()
        with _as_vote_errors():
            outcome = self._box.cast(
                text,
                film_id,
                [f.id for f in self.films],
                public_key,
                channel,
                self._clock(),
                ticket_codes=ticket_codes,
            )
        # accepted ballots are few (one per person); refusals can be a flood: not one line each
        log.log(
            logging.INFO if outcome.accepted else logging.DEBUG,
            "ballot via %s: %s",
            channel,
            outcome.verdict.value,
        )
        return outcome

    def ballot_films(self) -> tuple[BallotFilm, ...]:
        """The films on the ballot with their thumbnails, as a voting station shows them."""
        films = self.films
        if self._thumbnails is None:
            self._thumbnails = ballot_thumbnails(self)
        return tuple(
            BallotFilm(
                film.id,
                film.position,
                film.title_zh,
                film.title_en,
                film.director,
                self._thumbnails.get(film.id) if self._thumbnails.has(film.id) else None,
            )
            for film in films
        )

    def count(
        self,
        passphrases: Sequence[str],
        *,
        progress: Progress | None = None,
        derived: bytes | None = None,
    ) -> Tally:
        """Open the vote key with the results passphrase(s), decrypt every ballot, count them.

        `derived`: the results key already derived from `passphrases` (see `open_vote_key`)."""
        seal = read_seal(self.folder.sealed_results_path)
        private = open_vote_key(
            read_vote_key(self.folder.root), passphrases, seal.header.kdf, progress, derived=derived
        )
        sealed = sorted(self._box.sealed_ballots())
        choices = [open_ballot(private, ballot) for ballot in sealed]
        seed = hashlib.sha256(b"".join(sealed)).digest()
        log.info("vote counted: %d ballot(s)", len(choices))
        return count_votes(choices, [f.id for f in self.programme], self.config.vote, lot_seed=seed)

    def with_viewer_result(
        self,
        results: JuryResults,
        passphrases: Sequence[str],
        *,
        now: dt.datetime | None = None,
        progress: Progress | None = None,
        derived: bytes | None = None,
    ) -> JuryResults:
        """The opened results with the Viewer's Award counted in, once the vote is over.

        Nothing changes while the vote is open, when it never took a ballot, or when the event
        has no audience award or no vote key (the reveal then shows "result to follow").
        """
        award = next((a for a in self.config.awards if a.kind == "audience"), None)
        if award is None or not _vote_key_exists(self.folder.root):
            return results
        if not (self._box.window().has_closed(now or utc_now()) and self._box.has_ballots()):
            log.info("the vote is not over or has no ballots: its award stays to follow")
            return results
        tally = self.count(passphrases, progress=progress, derived=derived)
        result: CategoryResult | None = viewer_result(award.id, tally, self.programme)
        if result is None:
            return results
        others = tuple(r for r in results.results if r.category != award.id)
        return JuryResults((*others, result))

    def _require_public_key(self) -> bytes:
        if self._public_key is None:
            try:
                self._public_key = read_vote_key(self.folder.root).public_key
            except VoteKeyError as exc:
                raise VoteError(f"The vote cannot take ballots: {exc}") from None
        return self._public_key


def ballot_thumbnails(vote: ViewerVote) -> ThumbnailCache:
    """Thumbnails from each film's own still or the one prepared for the reveal, if any
    (made on first use, in memory)."""
    return programme_thumbnails(vote.folder, vote.programme)


def programme_thumbnails(folder: EventFolder, programme: Programme) -> ThumbnailCache:
    """Thumbnails of every film of ``programme`` (made on first use): from its own still or
    the one prepared for the reveal, else a frame of the film itself a third of the way in.
    The phone page showed a still for every third film of the demo (those with their own)
    and a bare number for the rest until preflight had prepared the others."""
    provider = StillProvider(cache_dir_for(folder.root))
    sources = {}
    for film in programme:
        still = provider.own_still(film) or provider.prepared_still(film)
        if still is not None:
            sources[film.id] = ThumbnailSource(still)
        elif film.file.is_file():
            at_s = film.declared_runtime_s * STILL_AT_FRACTION
            sources[film.id] = ThumbnailSource(film.file, at_s)
    return ThumbnailCache(sources)


def ballot_box(secret_key: bytes, db: sqlite_utils.Database) -> BallotBox:
    """The event's ballot box on ``db`` (its codes checked with the event's key)."""
    return BallotBox(db, TicketCodec(secret_key), VoteCodeIndex(secret_key))


def _vote_key_exists(root: Path) -> bool:
    try:
        read_vote_key(root)
    except VoteKeyError:
        return False
    return True
