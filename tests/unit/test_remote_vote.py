"""The station side of a remote ballot: an unconfirmed try re-sends its nonce, never a new one;
an unreachable server, a revoked station and a refusal each say what happened (logic only:
tests/integration/test_station_vote.py casts through a real server)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from kiosk.station.link import (
    CertificateMismatchError,
    ServerLink,
    ServerRefusedError,
    ServerUnreachableError,
)
from kiosk.station.remote_doors import RemoteDoors
from kiosk.station.remote_vote import (
    RemoteVoting,
    VoteServerUnreachableError,
    VoteStationRevokedError,
    VoteUnconfirmedError,
)


class FakeDoors:
    """What RemoteVoting uses of the station's check-in side."""

    station = "Vote 1"

    def __init__(self) -> None:
        self.revoked = False
        self.online: list[bool] = []

    def is_revoked(self) -> bool:
        return self.revoked

    def mark_revoked(self) -> None:
        self.revoked = True

    def set_online(self, online: bool, error: str = "") -> None:
        self.online.append(online)


class FakeLink:
    """Answers from a script: an exception to raise or a dict to return, in turn."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str, str]] = []

    def _next(self) -> dict[str, Any]:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return cast(dict[str, Any], answer)

    def vote(self, nonce: str, code: str, film_id: str) -> dict[str, Any]:
        self.sent.append((nonce, code, film_id))
        return self._next()

    def vote_check(self, code: str) -> dict[str, Any]:
        return self._next()

    def close(self) -> None:
        pass


ACCEPTED = {"accepted": True, "reason": None, "replayed": False}


def voting(link: FakeLink, doors: FakeDoors | None = None) -> RemoteVoting:
    return RemoteVoting(
        cast(RemoteDoors, doors or FakeDoors()), cast(ServerLink, link), cast(ServerLink, link)
    )


def test_an_unconfirmed_ballot_is_sent_again_with_the_same_nonce() -> None:
    link = FakeLink(ServerUnreachableError("reset"), ACCEPTED | {"replayed": True})
    desk = voting(link)
    with pytest.raises(VoteUnconfirmedError) as unconfirmed:
        desk.cast_once("CODE-1", "F01")
    assert "NOT confirmed" in str(unconfirmed.value) and "未能確認" in str(unconfirmed.value)
    answer = desk.cast_once("CODE-1", "F01")
    assert answer.outcome.accepted and answer.replayed
    assert link.sent[0][0] == link.sent[1][0] == unconfirmed.value.nonce


def test_a_new_ballot_gets_a_new_nonce() -> None:
    link = FakeLink(ServerUnreachableError("reset"), ACCEPTED, ACCEPTED)
    desk = voting(link)
    with pytest.raises(VoteUnconfirmedError):
        desk.cast_once("CODE-1", "F01")
    desk.cast_once("CODE-2", "F01")  # another voter: the first try's nonce is not theirs
    desk.cast_once("CODE-3", "F02")
    nonces = [nonce for nonce, _c, _f in link.sent]
    assert len(set(nonces)) == 3


def test_a_check_without_the_server_says_nothing_was_recorded() -> None:
    doors = FakeDoors()
    desk = voting(FakeLink(ServerUnreachableError("refused")), doors)
    with pytest.raises(VoteServerUnreachableError) as down:
        desk.check("CODE-1")
    assert down.value.reason == "server_unreachable" and "Nothing was recorded" in str(down.value)
    assert doors.online == [False]


def test_a_revoked_station_is_refused_and_stays_refused() -> None:
    doors = FakeDoors()
    link = FakeLink(ServerRefusedError(401, "revoked"))
    desk = voting(link, doors)
    with pytest.raises(VoteStationRevokedError):
        desk.cast_once("CODE-1", "F01")
    assert doors.revoked
    with pytest.raises(VoteStationRevokedError):
        desk.cast_once("CODE-2", "F01")  # not even sent
    assert len(link.sent) == 1


def test_a_server_with_the_wrong_certificate_got_nothing_and_the_station_says_so() -> None:
    link = FakeLink(CertificateMismatchError("pinned certificate differs"))
    with pytest.raises(VoteServerUnreachableError) as refused:
        voting(link).cast_once("CODE-1", "F01")
    message = str(refused.value)
    assert "Nothing was sent" in message and "未有傳送" in message
    assert "may" not in message  # not "may have been recorded": it was not
