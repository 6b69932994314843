"""A paired door station in voting mode: ballots go to the event server, or nowhere.

The server decides every ballot (vote open, ticket admitted tonight, not voted yet) and seals
it to the vote's public key, exactly as for a phone. The station keeps nothing: no ballot, no
choice, no count.

**No offline voting.** Unlike a check-in, a ballot is never decided from the station's ticket
list: whether a ticket has already voted (by phone, at another station) and whether the vote
is still open are known only to the server, and an offline "thank you" that the server later
refused would have told the voter something false. So when the server cannot be reached the
station says so, in both languages, and records nothing.

**Exactly once across a lost reply.** Each ballot carries a client nonce, stored on the server
with the answer in the ballot's own transaction. If the request was sent but no answer came
(server killed, Wi-Fi cut), the vote is *unconfirmed*: the station says exactly that, keeps
the nonce, and the next try with the same ticket and film re-sends the same nonce — the server
then either returns the answer it stored (the ballot counted once) or decides it now. Scanning
the ticket again also tells: "already voted" if the first try was recorded.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.core.vote import BallotOutcome, BallotVerdict
from kiosk.services.vote import VoteError
from kiosk.services.voting_backend import BallotFilm
from kiosk.station.folder import StationCredentials, new_nonce
from kiosk.station.link import (
    CertificateMismatchError,
    ServerLink,
    ServerRefusedError,
    ServerUnreachableError,
)
from kiosk.station.remote_doors import RemoteDoors

log = logging.getLogger(__name__)

VOTE_TIMEOUT_S = 3.0  # a ballot is one fsync'd commit on the server: allow for a busy disk
FILMS_TIMEOUT_S = 20.0  # the first film list makes the thumbnails (ffmpeg, once per server)
FILMS_REFRESH = dt.timedelta(minutes=2)

SERVER_NEEDED = (
    "Voting needs the event server, and this station cannot reach it now. Nothing was "
    "recorded. Try again in a moment, or vote by phone.",
    "投票需要連線活動伺服器，本站現時無法連線，未有記錄任何投票。請稍後再試，或用手機投票。",
)
UNCONFIRMED = (
    "The server did not answer, so this vote is NOT confirmed (it may or may not have been "
    "recorded). Tap “Cast my vote” again: it is never counted twice.",
    "伺服器沒有回應，這一票未能確認（可能已記錄，也可能未有）。請再按「確認投票」，"
    "同一票絕不會重複計算。",
)
WRONG_SERVER = (
    "Nothing was sent: the server's certificate is not the one this station was paired with "
    "(another machine, or a new certificate). No vote was recorded. Pair this station again.",
    "未有傳送任何資料：伺服器證書與配對時的不同（另一部電腦或新證書），未有記錄任何投票。"
    "請重新配對本站。",
)
REVOKED = (
    "This station was revoked on the console; it cannot take ballots. Pair it again.",
    "此站已在控制台被撤銷，不能接受投票，請重新配對。",
)


class RemoteVoteError(VoteError):
    """A ballot the server did not decide: ``reason`` (for `vote cast --json`) and messages."""

    reason = "server_error"

    def __init__(self, message: tuple[str, str], nonce: str | None = None) -> None:
        self.message_en, self.message_zh = message
        super().__init__(f"{self.message_en} / {self.message_zh}")
        self.nonce = nonce

    def to_json(self) -> dict[str, object]:
        """`vote cast --json` for a ballot the server did not decide."""
        return {
            "accepted": False,
            "reason": self.reason,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
            "nonce": self.nonce,
        }


class VoteServerUnreachableError(RemoteVoteError):
    """The server could not be reached before anything was sent: nothing was recorded."""

    reason = "server_unreachable"


class VoteUnconfirmedError(RemoteVoteError):
    """A ballot was sent and no answer came: retry with the same nonce (never counted twice)."""

    reason = "unconfirmed"


class VoteStationRevokedError(RemoteVoteError):
    """The server no longer accepts this station's token."""

    reason = "station_revoked"


@dataclass(frozen=True)
class _Attempt:
    code: str
    film_id: str
    nonce: str


@dataclass(frozen=True)
class RemoteOutcome:
    """A ballot's answer from the server, and whether it was the replay of an earlier try."""

    outcome: BallotOutcome
    replayed: bool
    nonce: str


class RemoteVoting:
    """The voting operations of a paired station (one thread at a time: the station's worker).

    ``doors`` is the station's check-in side, whose online/revoked state this shares, so the
    header and the check-in window learn at once when the server is gone or the station was
    revoked; ``link`` is this mode's own connection to the server for ballots, ``films_link``
    one with a longer timeout for the film list (its first fetch makes the thumbnails).
    """

    def __init__(
        self,
        doors: RemoteDoors,
        link: ServerLink,
        films_link: ServerLink,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._doors = doors
        self._link = link
        self._films_link = films_link
        self._clock = clock
        self._films: tuple[BallotFilm, ...] | None = None
        self._films_at: dt.datetime | None = None
        self._attempt: _Attempt | None = None

    @property
    def station(self) -> str:
        """The station's name (as the server knows it)."""
        return self._doors.station

    def close(self) -> None:
        """Close this mode's server connections (a later request opens them again)."""
        self._link.close()
        self._films_link.close()

    def close_database(self) -> None:
        """As :meth:`close` (the voting station's window closes)."""
        self.close()

    # ------------------------------------------------------------ the backend protocol

    def ballot_films(self) -> tuple[BallotFilm, ...]:
        """The films on the ballot (fetched from the server, kept a couple of minutes)."""
        now = self._clock()
        fresh = self._films_at is not None and now - self._films_at < FILMS_REFRESH
        if self._films is not None and fresh:
            return self._films
        answer = self._call(self._films_link.vote_films, sent=False)
        self._films = tuple(_film_from_wire(item) for item in answer.get("films", []))
        self._films_at = now
        return self._films

    def check(self, text: str) -> BallotOutcome:
        """May this ticket vote now? (The server decides; nothing is recorded.)"""
        answer = self._call(lambda: self._link.vote_check(text), sent=False)
        return _outcome_from_wire(answer)

    def cast(self, text: str, film_id: str, channel: str) -> BallotOutcome:
        """Cast one ballot through the server (see :meth:`cast_once`)."""
        del channel  # the server records the station its token belongs to
        return self.cast_once(text, film_id).outcome

    def cast_once(self, text: str, film_id: str, nonce: str | None = None) -> RemoteOutcome:
        """Cast one ballot, exactly once.

        The nonce of an unconfirmed try of the same ticket and film is sent again (or
        ``nonce``, given by a script retrying). VoteUnconfirmedError when the request may have
        reached the server but no answer came back.
        """
        attempt = self._attempt
        if nonce is None:
            same = attempt is not None and (attempt.code, attempt.film_id) == (text, film_id)
            nonce = attempt.nonce if same and attempt is not None else new_nonce()
        self._attempt = _Attempt(text, film_id, nonce)
        answer = self._call(lambda: self._link.vote(nonce, text, film_id), sent=True, nonce=nonce)
        self._attempt = None
        outcome = _outcome_from_wire(answer)
        if outcome.verdict is BallotVerdict.UNKNOWN_FILM:
            self._films = None  # the ballot changed (the vote was opened again): fetch it anew
        replayed = bool(answer.get("replayed"))
        log.info("station ballot: %s%s", outcome.verdict.value, " (replayed)" if replayed else "")
        return RemoteOutcome(outcome, replayed, nonce)

    # ------------------------------------------------------------ inside

    def _call(
        self,
        request: Callable[[], dict[str, Any]],
        *,
        sent: bool,
        nonce: str = "",
    ) -> dict[str, Any]:
        if self._doors.is_revoked():
            raise VoteStationRevokedError(REVOKED)
        try:
            answer = request()
        except ServerUnreachableError as exc:
            self._doors.set_online(False, str(exc))
            log.warning("voting: the server did not answer: %s", exc)
            if isinstance(exc, CertificateMismatchError):  # refused before a byte was sent
                raise VoteServerUnreachableError(WRONG_SERVER) from exc
            if sent:
                raise VoteUnconfirmedError(UNCONFIRMED, nonce) from exc
            raise VoteServerUnreachableError(SERVER_NEEDED) from exc
        except ServerRefusedError as exc:
            if exc.revoked:
                self._doors.mark_revoked()
                raise VoteStationRevokedError(REVOKED) from exc
            raise RemoteVoteError(
                (f"The server refused: {exc.message}", f"伺服器拒絕：{exc.message}"), nonce or None
            ) from exc
        self._doors.set_online(True)
        return answer


def _outcome_from_wire(answer: dict[str, Any]) -> BallotOutcome:
    reason = answer.get("reason")
    if answer.get("accepted") is True:
        return BallotOutcome(BallotVerdict.ACCEPTED)
    try:
        return BallotOutcome(BallotVerdict(str(reason)))
    except ValueError as exc:
        raise VoteError(f"The server gave an answer this station does not know: {reason}") from exc


def _film_from_wire(item: dict[str, Any]) -> BallotFilm:
    thumbnail = item.get("thumbnail_jpeg")
    jpeg: bytes | None = None
    if isinstance(thumbnail, str):
        try:
            jpeg = base64.b64decode(thumbnail, validate=True)
        except (binascii.Error, ValueError):
            jpeg = None
    return BallotFilm(
        id=str(item["id"]),
        position=int(item.get("position") or 0),
        title_zh=str(item.get("title_zh") or ""),
        title_en=str(item.get("title_en") or ""),
        director=str(item.get("director") or ""),
        thumbnail_jpeg=jpeg,
    )


def remote_voting(doors: RemoteDoors) -> RemoteVoting:
    """Voting mode for a paired station, with its own connections to the server."""
    credentials: StationCredentials = doors.credentials
    return RemoteVoting(
        doors,
        ServerLink.for_station(credentials, timeout=VOTE_TIMEOUT_S),
        ServerLink.for_station(credentials, timeout=FILMS_TIMEOUT_S),
    )
