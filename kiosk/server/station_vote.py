"""The Viewer's Award for paired door stations in voting mode, inside the event server.

A voting station on another laptop sends the ticket it scanned and the film the attendee
tapped; the server decides and stores the ballot exactly as the phone page does — encrypted on
arrival to the vote's public key (:class:`~kiosk.services.vote.VoteDesk` on the server's own
database connection), one ballot per admitted person, only while the vote is open. Each cast
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
from collections.abc import Callable
from typing import Any

import sqlite_utils

from kiosk.core.problems import ConfigError
from kiosk.media.thumbnails import ThumbnailCache
from kiosk.server.station_requests import RequestRefusedError, StationRequests
from kiosk.services.event import EventFolder
from kiosk.services.vote import VoteDesk, VoteError
from kiosk.store.errors import StoreError

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
        make_thumbnails: Callable[[VoteDesk], ThumbnailCache] | None = None,
    ) -> None:
        self._folder = folder
        self._db = db
        self._make_thumbnails = make_thumbnails
        self._desk: VoteDesk | None = None
        self._thumbnails: ThumbnailCache | None = None
        self._films_cache: tuple[tuple[str, ...], list[dict[str, Any]]] | None = None

    def _vote(self) -> VoteDesk:
        if self._desk is None:
            try:
                self._desk = VoteDesk(self._folder, db=self._db)
            except (ConfigError, StoreError, VoteError) as exc:
                raise RequestRefusedError(f"this event has no vote: {exc}", 409) from exc
        return self._desk

    def cast(
        self, stations: StationRequests, station: str, nonce: str, code: object, film: object
    ) -> dict[str, Any]:
        """One ballot from a station, decided and stored once per nonce."""
        text = _text(code, "code", MAX_CODE_LENGTH)
        film_id = _text(film, "film", MAX_FILM_ID_LENGTH)
        desk = self._vote()

        def work(_conn: object) -> dict[str, Any]:
            try:
                outcome = desk.cast(text, film_id, station)
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
        desk = self._vote()
        try:
            status = desk.status()
            films = desk.films
        except VoteError as exc:
            raise RequestRefusedError(str(exc), 409) from exc
        ids = tuple(film.id for film in films)
        if self._films_cache is None or self._films_cache[0] != ids:
            thumbnails = self._thumbnail_cache(desk)
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

    def _thumbnail_cache(self, desk: VoteDesk) -> ThumbnailCache | None:
        if self._thumbnails is None and self._make_thumbnails is not None:
            self._thumbnails = self._make_thumbnails(desk)
        return self._thumbnails


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise RequestRefusedError(f"{field} must be text of 1 to {limit} characters")
    return value
