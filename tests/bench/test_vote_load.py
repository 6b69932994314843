"""Benchmark: 700 phones vote at once against a real `main.py vote serve` on 127.0.0.1.

Run with `make bench`. 700 admitted tickets each cast one ballot (POST /check, then POST
/vote, as the page does), arriving evenly over 40 s, each on its own connection: the time for
all 700 (target: under a minute) and the per-request latency p50 / p99 / max (target p99 <
100 ms). Then 700 more from 20 clients flat out, to show the server's ceiling (its latency is
queueing: 20 requests in flight). Checks every ballot was stored and a second vote refused.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kiosk.store.database import transaction
from tests.doors_helpers import seed_people
from tests.results_helpers import FILMS
from tests.vote_helpers import make_voting_event, open_vote
from tests.vote_server import vote_server

VOTERS = 700
ARRIVAL_S = 40.0  # the 700 arrive evenly over 40 s: faster than the target's minute
THREADS = 64
BURST_CLIENTS = 20


def _post(
    connection: http.client.HTTPConnection, path: str, body: dict[str, str]
) -> dict[str, Any]:
    connection.request(
        "POST", path, json.dumps(body), {"Content-Type": "application/json", "Cookie": "d=1"}
    )
    response = connection.getresponse()
    answer: dict[str, Any] = json.loads(response.read())
    return answer


def _figures(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


class Voters:
    """Casts ballots (check, then vote, as the page does) and keeps every request's latency."""

    def __init__(self, url: str, codes: list[str], films: list[str]) -> None:
        address = urlparse(url)
        self.host, self.port = str(address.hostname), int(address.port or 80)
        self.codes, self.films = codes, films
        self.latencies: list[float] = []
        self.refused: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def vote(self, index: int, connection: http.client.HTTPConnection | None = None) -> None:
        own = connection is None
        connection = connection or http.client.HTTPConnection(self.host, self.port, timeout=30)
        film = self.films[index % len(self.films)]
        for path, body in (
            ("/check", {"code": self.codes[index]}),
            ("/vote", {"code": self.codes[index], "film": film}),
        ):
            started = time.perf_counter()
            answer = _post(connection, path, body)
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                self.latencies.append(elapsed)
                if not answer.get("accepted"):
                    self.refused.append(answer)
        if own:
            connection.close()


def test_700_votes_from_700_tickets(tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event", admitted=0, absent=0)
    people = seed_people(voting.folder, count=2 * VOTERS)
    db = voting.folder.open_db()
    with transaction(db) as conn:
        conn.executemany(
            "INSERT INTO checkins (attendee_id, code, station, method, at) "
            "VALUES (?, ?, 'Door 1', 'scan', '2026-12-05T11:00:00.000+00:00')",
            [(p.attendee_id, p.code) for p in people],
        )
    open_vote(voting.folder).open_vote(30)
    codes = [voting.vote_code_of(p) for p in people]
    films = [film_id for film_id, _, _ in FILMS]

    with vote_server(voting.folder) as url:
        # 1. the night: 700 people arrive over 40 s, each on their own phone (connection)
        paced = Voters(url, codes[:VOTERS], films)
        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            for index in range(VOTERS):
                delay = started + index * ARRIVAL_S / VOTERS - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(paced.vote, index)
        paced_wall = time.perf_counter() - started

        # 2. a stress test: 700 more as fast as 20 clients can send them (keep-alive)
        burst = Voters(url, codes[VOTERS:], films)

        def client(share: list[int]) -> None:
            connection = http.client.HTTPConnection(burst.host, burst.port, timeout=30)
            for index in share:
                burst.vote(index, connection)
            connection.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(BURST_CLIENTS) as pool:
            for n in range(BURST_CLIENTS):
                pool.submit(client, list(range(n, VOTERS, BURST_CLIENTS)))
        burst_wall = time.perf_counter() - started

        connection = http.client.HTTPConnection(paced.host, paced.port, timeout=30)
        again = _post(connection, "/vote", {"code": codes[0], "film": films[1]})
        connection.close()

    status = open_vote(voting.folder).status()
    p50, p99, worst = _figures(paced.latencies)
    b50, b99, bworst = _figures(burst.latencies)
    print(
        f"\nvote load on 127.0.0.1 ({VOTERS} voters each: POST /check + POST /vote):\n"
        f"  paced, all {VOTERS} within {ARRIVAL_S:.0f} s: done in {paced_wall:.1f} s; "
        f"latency p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {worst:.1f} ms "
        f"(n={len(paced.latencies)})\n"
        f"  burst, {BURST_CLIENTS} clients flat out: {VOTERS} ballots in {burst_wall:.2f} s "
        f"({VOTERS / burst_wall:.0f} ballots/s); latency p50 {b50:.1f} ms  p99 {b99:.1f} ms  "
        f"max {bworst:.1f} ms\n"
        f"  stored ballots {status.ballots} / checked in {status.checked_in}; refused "
        f"{len(paced.refused) + len(burst.refused)}; a second vote: {again['reason']}"
    )
    assert paced.refused == [] and burst.refused == [] and status.ballots == 2 * VOTERS
    assert again["reason"] == "already_voted"
    assert paced_wall < 60 and p99 < 100
