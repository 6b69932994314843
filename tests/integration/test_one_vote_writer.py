"""Inside the event server, the phones' ballots and the voting stations' ballots are written by
the same thread, on the same `ViewerVote`: one writer for the vote (real SQLite, real app)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kiosk.server.event_server import EventServer, VotePage, build_event_server
from kiosk.services.vote import ViewerVote
from tests.vote_helpers import VOTE_FILMS, VotingEvent, make_voting_event, open_vote


@pytest.fixture
def open_vote_event(tmp_path: Path) -> VotingEvent:
    voting = make_voting_event(tmp_path / "event", admitted=2, absent=0)
    with open_vote(voting.folder) as vote:
        vote.open_vote(10)
    return voting


@pytest.fixture
def vote_server(open_vote_event: VotingEvent) -> Iterator[EventServer]:
    config = open_vote_event.folder.load_config()
    server = build_event_server(
        open_vote_event.folder, config, port=0, host="127.0.0.1", vote_page=VotePage(0, "127.0.0.1")
    )
    yield server
    server.close()


def test_phones_and_stations_cast_through_the_one_database_thread(
    open_vote_event: VotingEvent, vote_server: EventServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    voting, server = open_vote_event, vote_server
    casts: list[tuple[str, int, str]] = []  # (thread, which ViewerVote, channel)
    built: list[int] = []
    real_cast = ViewerVote.cast
    real_init = ViewerVote.__init__

    def counting_init(self: ViewerVote, *args: Any, **kwargs: Any) -> None:
        built.append(id(self))
        real_init(self, *args, **kwargs)

    def spying_cast(self: ViewerVote, text: str, film_id: str, channel: str, **kw: Any) -> Any:
        casts.append((threading.current_thread().name, id(self), channel))
        return real_cast(self, text, film_id, channel, **kw)

    monkeypatch.setattr(ViewerVote, "__init__", counting_init)
    monkeypatch.setattr(ViewerVote, "cast", spying_cast)
    (page,) = [bound for bound in server.listeners if bound.listener.name == "vote page"]
    phone = TestClient(page.listener.app)
    phone.get("/")
    first, second = voting.admitted
    answer = phone.post("/vote", json={"code": voting.vote_code_of(first), "film": VOTE_FILMS[0]})
    assert answer.status_code == 200 and answer.json()["accepted"] is True

    async def station_ballot() -> dict[str, Any]:
        def work(context: Any) -> dict[str, Any]:
            voting_api = context.voting
            return dict(
                voting_api.cast(
                    context.requests, "Door 1", "nonce-vote-0001", second.code, VOTE_FILMS[1]
                )
            )

        return await server.worker.run(work)

    assert asyncio.run(station_ballot())["accepted"] is True
    assert [(thread, channel) for thread, _vote, channel in casts] == [
        ("event-db", "phone"),
        ("event-db", "Door 1"),
    ]
    assert len({vote for _thread, vote, _channel in casts}) == 1  # the same ViewerVote
    assert len(built) == 1
