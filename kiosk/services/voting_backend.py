"""What a voting station needs from wherever ballots are decided.

Two implementations: :class:`~kiosk.services.vote.ViewerVote` on the local event folder, and
:class:`~kiosk.station.remote_vote.RemoteVoting` on a paired station, through the event
server. The voting station window only sees this protocol and :class:`BallotFilm`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.core.vote import BallotOutcome


@dataclass(frozen=True)
class BallotFilm:
    """One film on the ballot as a voting station shows it: titles, director, a thumbnail."""

    id: str
    position: int
    title_zh: str
    title_en: str
    director: str
    thumbnail_jpeg: bytes | None = None


class VotingBackend(Protocol):
    """Check a ticket, list the films, cast a ballot (VoteError when it cannot be done)."""

    def ballot_films(self) -> tuple[BallotFilm, ...]:
        """The films a ballot may name, in run order."""
        ...

    def check(self, text: str) -> BallotOutcome:
        """Whether this ticket (or vote code) may vote now; records nothing."""
        ...

    def cast(self, text: str, film_id: str, channel: str) -> BallotOutcome:
        """Cast one ballot; when accepted it is committed before this returns."""
        ...

    def close_database(self) -> None:
        """Close the backend's connection (the station's window closes); twice is fine."""
        ...
