"""The vote page's HTTP API (Starlette's TestClient): the page, every refusal, the wrong-code
limit per device, and that nothing but the vote is reachable on its port."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from kiosk.core.vote import WrongCodeLimiter
from kiosk.server.vote_app import DEVICE_COOKIE, LockedVote, create_vote_app
from kiosk.store.journal import Journal
from tests.doors_helpers import reissue
from tests.vote_helpers import VotingEvent, open_vote


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(voting: VotingEvent, clock: Clock) -> TestClient:
    vote = open_vote(voting.folder)
    limiter = WrongCodeLimiter(clock, per_device=5, per_address=8, window_s=300)
    app = create_vote_app(LockedVote(vote), limiter=limiter)
    test_client = TestClient(app)
    test_client.get("/")  # the device cookie
    return test_client


def test_the_page_is_light_bilingual_and_self_contained(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert len(response.content) < 200_000
    page = response.text
    assert 'lang="zh-Hant-HK"' in page and "觀眾票選獎" in page and "Viewer's Award" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # no external assets
    assert "Nobody Names This Film" in page and "無人提及之片" in page
    assert page.count('class="film"') == 7
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert DEVICE_COOKIE in response.cookies or DEVICE_COOKIE in client.cookies


def test_nothing_but_the_vote_is_reachable(client: TestClient) -> None:
    for path in ("/status", "/api/checkin", "/stations", "/turnout", "/tally", "/../event.db"):
        assert client.get(path).status_code == 404, path
    assert client.get("/vote").status_code == 405
    state = client.get("/state").json()
    assert state == {"open": False, "phase": "not_open_yet", "seconds_left": None}  # no count


def test_a_vote_end_to_end_and_a_second_one(voting: VotingEvent, client: TestClient) -> None:
    open_vote(voting.folder).open_vote(10)
    code = voting.vote_code_of(voting.admitted[0])
    assert client.get("/state").json()["open"] is True
    assert client.post("/check", json={"code": code}).json()["accepted"] is True
    cast = client.post("/vote", json={"code": code, "film": "QZ-OTHER-07"}).json()
    assert cast["accepted"] is True and cast["reason"] is None
    second = client.post("/vote", json={"code": code, "film": "QZ-OTHER-06"}).json()
    assert second["reason"] == "already_voted" and "once" in second["message_en"]
    assert client.post("/check", json={"code": code}).json()["reason"] == "already_voted"


@pytest.mark.parametrize(
    ("who", "film", "reason"),
    [
        ("wrong", "QZ-OTHER-06", "invalid_code"),
        ("absent", "QZ-OTHER-06", "not_checked_in"),
        ("admitted", "NOPE", "unknown_film"),
        ("replaced", "QZ-OTHER-06", "revoked"),
    ],
)
def test_every_refusal(
    voting: VotingEvent, client: TestClient, who: str, film: str, reason: str
) -> None:
    open_vote(voting.folder).open_vote(10)
    codes = {
        "wrong": "ABCD-EFGH",
        "absent": voting.vote_code_of(voting.absent[0]),
        "admitted": voting.vote_code_of(voting.admitted[0]),
        "replaced": voting.vote_code_of(voting.admitted[1]),
    }
    if who == "replaced":
        reissue(voting.folder, voting.admitted[1])
    answer = client.post("/vote", json={"code": codes[who], "film": film}).json()
    assert answer["accepted"] is False and answer["reason"] == reason
    assert answer["message_en"] and answer["message_zh"]


def test_closed_vote(voting: VotingEvent, client: TestClient) -> None:
    code = voting.vote_code_of(voting.admitted[0])
    assert client.post("/check", json={"code": code}).json()["reason"] == "vote_not_open"
    open_vote(voting.folder).open_vote(10)
    open_vote(voting.folder).close_vote()
    answer = client.post("/vote", json={"code": code, "film": "QZ-OTHER-06"}).json()
    assert answer["reason"] == "vote_closed" and answer["message_zh"] == "投票已經結束。"


def test_bad_requests(voting: VotingEvent, client: TestClient) -> None:
    open_vote(voting.folder).open_vote(10)
    as_json = {"Content-Type": "application/json"}
    assert client.post("/vote", content=b"not json", headers=as_json).status_code == 400
    assert client.post("/vote", content=b"[1, 2]", headers=as_json).status_code == 400
    long_code = b'{"code": "' + b"A" * 2000 + b'"}'
    assert client.post("/vote", content=long_code, headers=as_json).status_code == 413
    code = voting.vote_code_of(voting.admitted[0])
    extra = client.post("/vote", json={"code": code, "film": "QZ-OTHER-06", "admin": True})
    assert extra.status_code == 400 and "admin" in extra.json()["error"]
    wrong_type = client.post("/check", json={"code": ["a", "b"]})
    assert wrong_type.status_code == 400 and "code must be text" in wrong_type.json()["error"]


def test_only_this_pages_own_json_requests_are_taken(
    voting: VotingEvent, client: TestClient
) -> None:
    open_vote(voting.folder).open_vote(10)
    code = voting.vote_code_of(voting.admitted[0])
    ballot = json.dumps({"code": code, "film": "QZ-OTHER-06"}).encode()
    form = client.post("/vote", content=ballot, headers={"Content-Type": "text/plain"})
    assert form.status_code == 415  # what a cross-site <form> can send
    elsewhere = client.post(
        "/vote",
        content=ballot,
        headers={"Content-Type": "application/json", "Origin": "http://evil.example"},
    )
    assert elsewhere.status_code == 403
    fetched = client.post(
        "/vote",
        content=ballot,
        headers={"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
    )
    assert fetched.status_code == 403
    own = client.post(
        "/vote",
        content=ballot,
        headers={"Content-Type": "application/json", "Origin": "http://testserver"},
    )
    assert own.status_code == 200 and own.json()["accepted"] is True


def test_the_phone_page_takes_vote_codes_only_not_ticket_codes(
    voting: VotingEvent, client: TestClient
) -> None:
    open_vote(voting.folder).open_vote(10)
    ticket = voting.admitted[0].code
    answer = client.post("/vote", json={"code": ticket, "film": "QZ-OTHER-06"}).json()
    assert answer["accepted"] is False and answer["reason"] == "invalid_code"
    check = client.post("/check", json={"code": voting.vote_code_of(voting.admitted[0])}).json()
    assert check["accepted"] is True
    assert "counted" not in check["message_en"] and "confirm" in check["message_en"]


def test_a_phone_that_typed_wrong_codes_backs_off_others_behind_the_nat_do_not(
    voting: VotingEvent, client: TestClient, clock: Clock
) -> None:
    open_vote(voting.folder).open_vote(10)
    for _ in range(5):
        assert client.post("/check", json={"code": "ABCD-EFGH"}).json()["reason"] == "invalid_code"
    blocked = client.post("/check", json={"code": voting.vote_code_of(voting.admitted[0])})
    assert blocked.status_code == 429
    assert blocked.json()["reason"] == "too_many_attempts" and blocked.json()["retry_after"] > 0
    # other phones (other cookies) behind the same address: wrong codes count for the address
    other = TestClient(client.app)
    other.get("/")
    for _ in range(2):
        assert other.post("/check", json={"code": "ABCD-EFGH"}).status_code == 200
    assert other.post("/check", json={"code": "ABCD-EFGH"}).status_code == 429  # 8 per address
    # ... and still a valid code from a phone at that address is taken
    third = TestClient(client.app)
    third.get("/")
    code = voting.vote_code_of(voting.admitted[1])
    assert third.post("/vote", json={"code": code, "film": "QZ-OTHER-06"}).json()["accepted"]
    clock.now += 301  # five minutes later the first phone is forgiven
    code = voting.vote_code_of(voting.admitted[0])
    assert client.post("/check", json={"code": code}).json()["accepted"] is True


def test_a_film_skipped_unseen_leaves_the_ballot_when_the_vote_opens(
    voting: VotingEvent, client: TestClient
) -> None:
    assert client.get("/").text.count('class="film"') == 7
    journal = Journal(voting.folder.open_db())
    journal.append("film_status", None, {"film": "QZ-OTHER-06", "status": "skipped"})
    open_vote(voting.folder).open_vote(10)
    page = client.get("/").text
    assert page.count('class="film"') == 6 and "Nobody Names This Film" not in page
    code = voting.vote_code_of(voting.admitted[0])
    answer = client.post("/vote", json={"code": code, "film": "QZ-OTHER-06"}).json()
    assert answer["reason"] == "unknown_film"
