"""The Viewer's Award for paired door stations in voting mode, inside the event server.

A voting station on another laptop sends the ticket it scanned and the film the attendee
tapped; the server decides and stores the ballot exactly as the phone page does — encrypted on
arrival to the vote's public key (the server's one :class:`~kiosk.services.vote.ViewerVote`, on
its database thread, which the phone page writes through too), one ballot per admitted person,
only while the vote is open. Each cast
carries the station's client nonce and is recorded under it in the same transaction as the
ballot (:meth:`~kiosk.server.station_requests.StationRequests.record_once`), so a retried
upload — the reply lost, the server killed and restarted — gets the first answer and never
counts twice.

What a station can learn here: whether the vote is open, the films on the ballot (titles and
thumbnails), and the answer to its own ballot (accepted, or why not). The answer stored under
the nonce names no film. No route gives turnout or any count per film.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

import sqlite_utils

from kiosk.core.problems import ConfigError
from kiosk.media.thumbnails import ThumbnailCache
from kiosk.server.station_requests import RequestRefusedError, StationRequests
from kiosk.services.open_event import OpenEvent
from kiosk.services.vote import ViewerVote, VoteError, ballot_thumbnails
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder

log = logging.getLogger(__name__)

MAX_CODE_LENGTH = 1024
MAX_FILM_ID_LENGTH = 64


class StationVoting:
    """One database thread's view of the vote for stations (built lazily: a doors-only event
    without a programme still serves its doors, and its vote routes say why there is no vote)."""

    def __init__(
        self,
        folder: EventFolder,
        db: sqlite_utils.Database,
        thumbnails: ThumbnailCache | None = None,
    ) -> None:
        self._folder = folder
        self._db = db
        self._viewer_vote: ViewerVote | None = None
        self._thumbnails = thumbnails
        self._films_cache: tuple[tuple[str, ...], list[dict[str, Any]]] | None = None

    def viewer_vote(self) -> ViewerVote:
        """The event's vote on this thread's connection (VoteError: the event has none)."""
        if self._viewer_vote is None:
            try:
                self._viewer_vote = OpenEvent.open(self._folder).viewer_vote(db=self._db)
            except (ConfigError, StoreError) as exc:
                raise VoteError(str(exc)) from exc
        return self._viewer_vote

    def _vote(self) -> ViewerVote:
        try:
            return self.viewer_vote()
        except VoteError as exc:
            raise RequestRefusedError(f"this event has no vote: {exc}", 409) from exc

    def cast(
        self, stations: StationRequests, station: str, nonce: str, code: object, film: object
    ) -> dict[str, Any]:
        """One ballot from a station, decided and stored once per nonce."""
        text = _text(code, "code", MAX_CODE_LENGTH)
        film_id = _text(film, "film", MAX_FILM_ID_LENGTH)
        vote = self._vote()

        def work(_conn: object) -> dict[str, Any]:
            try:
                outcome = vote.cast(text, film_id, station)
            except VoteError as exc:  # no vote key: nothing can be sealed
                raise RequestRefusedError(str(exc), 409) from exc
            return outcome.to_json()  # accepted / reason / messages: never the film

        return stations.record_once(station, nonce, "vote", work)

    def check(self, code: object) -> dict[str, Any]:
        """Whether a scanned ticket may vote now (nothing recorded)."""
        text = _text(code, "code", MAX_CODE_LENGTH)
        try:
            return self._vote().check(text).to_json()
        except VoteError as exc:
            raise RequestRefusedError(str(exc), 409) from exc

    def films(self) -> dict[str, Any]:
        """Open or not, and the films on the ballot with their thumbnails (JPEG, base64)."""
        vote = self._vote()
        try:
            status = vote.status()
            films = vote.films
        except VoteError as exc:
            raise RequestRefusedError(str(exc), 409) from exc
        ids = tuple(film.id for film in films)
        if self._films_cache is None or self._films_cache[0] != ids:
            thumbnails = self._thumbnails or self._own_thumbnails(vote)
            listed = []
            for film in films:
                jpeg = thumbnails.get(film.id) if thumbnails and thumbnails.has(film.id) else None
                listed.append(
                    {
                        "id": film.id,
                        "position": film.position,
                        "title_zh": film.title_zh,
                        "title_en": film.title_en,
                        "director": film.director,
                        "thumbnail_jpeg": base64.b64encode(jpeg).decode("ascii") if jpeg else None,
                    }
                )
            self._films_cache = (ids, listed)
        left = None if status.seconds_left is None else round(status.seconds_left)
        return {"open": status.open, "seconds_left": left, "films": self._films_cache[1]}

    def _own_thumbnails(self, vote: ViewerVote) -> ThumbnailCache:
        """The films' stills, made here when the server was given none (made on first use)."""
        self._thumbnails = ballot_thumbnails(vote)
        return self._thumbnails


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise RequestRefusedError(f"{field} must be text of 1 to {limit} characters")
    return value
