"""Voting stations paired with the event server, as real processes on 127.0.0.1.

A real `serve` process; the station side is the real command line (`--station-dir DIR vote
cast`) and a real voting-station process (vote_station_child.py) that casts through the server.
Accepted, second vote, not checked in, vote closed, revoked station, a retried nonce counted
once, a reply lost after the server recorded the ballot answered from the nonce record, the
server SIGKILLed mid-cast and restarted (every ballot exactly once or clearly refused), a
station token that reaches no tally, and the tally opened with the passphrase counting the
stations' ballots.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kiosk.station.folder import StationFolder
from kiosk.station.link import ServerLink, ServerRefusedError
from tests.results_helpers import PASSPHRASE, find_secrets
from tests.sqlite_helpers import connected
from tests.station_helpers import ROOT, pair_station, read_results, run_cli, start_server
from tests.vote_helpers import VOTE_FILMS, VotingEvent, make_voting_event, open_vote

pytestmark = pytest.mark.slow

CHILD = Path(__file__).resolve().parent / "vote_station_child.py"


@pytest.fixture
def voting_hall(tmp_path: Path) -> VotingEvent:
    return make_voting_event(tmp_path / "event", admitted=48, absent=2)


def cast(station_dir: Path, code: str, film: str, *extra: str) -> tuple[int, dict[str, Any]]:
    """`--station-dir DIR vote cast CODE FILM --json` as its own process."""
    done = run_cli("--station-dir", str(station_dir), "vote", "cast", code, film, "--json", *extra)
    assert done.stdout, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, answer


def voters(event_dir: Path) -> list[tuple[int, str]]:
    with connected(event_dir / "event.db") as conn:
        return conn.execute("SELECT attendee_id, channel FROM vote_voters").fetchall()


def ballots(event_dir: Path) -> int:
    with connected(event_dir / "event.db") as conn:
        return int(conn.execute("SELECT count(*) FROM vote_ballots").fetchone()[0])


def test_a_paired_station_casts_through_the_server(
    tmp_path: Path, voting_hall: VotingEvent
) -> None:
    event_dir = voting_hall.folder.root
    station_dir = tmp_path / "vote1"
    server = start_server(event_dir)
    cast_films: Counter[str] = Counter()
    try:
        pair_station(event_dir, "Vote 1", station_dir)
        person = voting_hall.admitted[0]

        status, closed = cast(station_dir, person.code, VOTE_FILMS[0])
        assert status == 1 and not closed["accepted"] and closed["reason"] == "vote_not_open"
        assert run_cli("--event", str(event_dir), "vote", "open").returncode == 0

        status, first = cast(station_dir, person.code, VOTE_FILMS[0])
        assert status == 0, first
        assert first["accepted"] is True and first["reason"] is None
        assert first["message_zh"] and first["message_en"] and first["replayed"] is False
        cast_films[VOTE_FILMS[0]] += 1

        status, again = cast(station_dir, voting_hall.vote_code_of(person), VOTE_FILMS[1])
        assert status == 1 and again["reason"] == "already_voted"
        assert "已經投過票" in again["message_zh"]

        status, absent = cast(station_dir, voting_hall.absent[0].code, VOTE_FILMS[1])
        assert status == 1 and absent["reason"] == "not_checked_in"

        status, unknown = cast(station_dir, voting_hall.admitted[1].code, "NO-SUCH-FILM")
        assert status == 1 and unknown["reason"] == "unknown_film"

        # a retried upload (same nonce): the stored answer, one ballot
        retried = voting_hall.admitted[2].code
        status, once = cast(station_dir, retried, VOTE_FILMS[2], "--nonce", "retry-nonce-0001")
        assert status == 0 and once["replayed"] is False
        status, twice = cast(station_dir, retried, VOTE_FILMS[2], "--nonce", "retry-nonce-0001")
        assert status == 0 and twice["accepted"] is True and twice["replayed"] is True
        cast_films[VOTE_FILMS[2]] += 1
        assert ballots(event_dir) == 2 and len(voters(event_dir)) == 2

        # what the station's token can read: the ballot's films, never a count
        link = ServerLink.for_station(StationFolder(station_dir).credentials(), timeout=20)
        films = link.vote_films()
        assert set(films) == {"open", "seconds_left", "films"} and films["open"] is True
        assert [f["id"] for f in films["films"]][:2] == ["QZ-WIN-01", "QZ-NOM-02"]
        assert {"title_zh", "title_en", "director", "thumbnail_jpeg"} <= set(films["films"][0])
        assert "ballot" not in json.dumps(films) and "votes" not in json.dumps(films)
        for path in ("/vote/tally", "/vote/status", "/vote/turnout", "/vote/count", "/results"):
            for method in ("GET", "POST"):
                with pytest.raises(ServerRefusedError) as missing:
                    link.request(method, path, {"nonce": "nonce-tally-0001"})
                assert missing.value.status in (404, 405)
        assert "ballots" not in link.figures()
        link.close()
        status_of = run_cli("--station-dir", str(station_dir), "vote", "status", "--json")
        assert status_of.returncode == 1 and "console laptop" in status_of.stderr

        # the vote closes: refused, clearly
        assert run_cli("--event", str(event_dir), "vote", "close").returncode == 0
        status, late = cast(station_dir, voting_hall.admitted[3].code, VOTE_FILMS[0])
        assert status == 1 and late["reason"] == "vote_closed"
        assert "投票已經結束" in late["message_zh"]
        assert run_cli("--event", str(event_dir), "vote", "open").returncode == 0

        # a revoked station is refused at once, and says so
        assert run_cli("--event", str(event_dir), "stations", "revoke", "Vote 1").returncode == 0
        status, revoked = cast(station_dir, voting_hall.admitted[4].code, VOTE_FILMS[0])
        assert status == 1 and revoked["reason"] == "station_revoked"
        assert "撤銷" in revoked["message_zh"]
    finally:
        server.stop()

    status, down = cast(station_dir, voting_hall.admitted[5].code, VOTE_FILMS[0])
    assert status == 1 and down["reason"] in ("unconfirmed", "server_unreachable")
    assert ballots(event_dir) == 2
    assert sorted(channel for _a, channel in voters(event_dir)) == ["Vote 1", "Vote 1"]
    # nothing on either laptop names a film chosen: not the nonce records, logs, station.db
    chosen = [VOTE_FILMS[0], VOTE_FILMS[2]]
    assert find_secrets(event_dir, chosen) == [] and find_secrets(station_dir, chosen) == []
    tally = open_vote(voting_hall.folder).count([PASSPHRASE])
    assert tally.ballots == 2 and dict(tally.counts) == dict(cast_films)


def test_server_killed_mid_cast_and_restarted(tmp_path: Path, voting_hall: VotingEvent) -> None:
    event_dir = voting_hall.folder.root
    server = start_server(event_dir)
    port = server.port
    pair_station(event_dir, "Vote 1", tmp_path / "vote1")
    pair_station(event_dir, "Vote 2", tmp_path / "vote2")
    assert run_cli("--event", str(event_dir), "vote", "open", "--minutes", "30").returncode == 0
    # two stations: 20 people each, and 4 people both stations try (each votes once, somewhere)
    people = voting_hall.admitted[:44]
    plan: dict[str, list[tuple[str, str]]] = {"vote1": [], "vote2": []}
    for index, person in enumerate(people[:40]):
        plan["vote1" if index % 2 else "vote2"].append((person.code, VOTE_FILMS[index % 3]))
    for person in people[40:44]:
        plan["vote1"].append((person.code, VOTE_FILMS[0]))
        plan["vote2"].append((person.code, VOTE_FILMS[1]))
    procs, outs = [], {}
    for name, items in plan.items():
        ballots_file = tmp_path / f"{name}.ballots"
        ballots_file.write_text("".join(f"{code} {film}\n" for code, film in items))
        outs[name] = tmp_path / f"{name}.jsonl"
        command = [sys.executable, str(CHILD), str(tmp_path / name), str(ballots_file)]
        command += [str(outs[name]), "60", "90"]
        procs.append(
            subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT
            )
        )
    deadline = time.monotonic() + 60
    while sum(len(read_results(out)) for out in outs.values()) < 10:
        assert time.monotonic() < deadline, "the stations did not start voting"
        time.sleep(0.02)
    server.kill()  # SIGKILL mid-cast
    killed_at = sum(len(read_results(out)) for out in outs.values())
    time.sleep(1.5)
    server = start_server(event_dir, port=port)
    try:
        for proc in procs:
            assert proc.wait(timeout=180) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        server.stop()
    results = {name: read_results(out) for name, out in outs.items()}
    rows = [row for found in results.values() for row in found]
    assert len(rows) == 48
    unconfirmed = sum(int(str(row["unconfirmed_tries"])) for row in rows)
    replayed = sum(1 for row in rows if row.get("replayed"))
    accepted = [row for row in rows if row["accepted"]]
    print(
        f"\nkilled after {killed_at} ballots; {unconfirmed} unconfirmed tries retried; "
        f"{replayed} answered from the nonce record; {len(accepted)} accepted"
    )
    assert 0 < killed_at < 48
    # every person voted exactly once: 40 alone, the 4 tried at both stations once
    by_code = Counter(str(row["code"]) for row in accepted)
    assert sorted(by_code.values()) == [1] * 44
    refused = [row for row in rows if not row["accepted"]]
    assert len(refused) == 4 and all(row["reason"] == "already_voted" for row in refused)
    # the database agrees: one voter and one sealed ballot per accepted ballot, nothing double
    in_db = voters(event_dir)
    assert len(in_db) == 44 == ballots(event_dir)
    assert len({attendee for attendee, _c in in_db}) == 44
    # and the tally, opened with the passphrase, is exactly what the stations were told
    tally = open_vote(voting_hall.folder).count([PASSPHRASE])
    assert tally.ballots == 44
    assert dict(tally.counts) == dict(Counter(str(row["film"]) for row in accepted))


def test_a_lost_reply_is_answered_from_the_nonce_record(
    tmp_path: Path, voting_hall: VotingEvent
) -> None:
    """The ballot reaches the server, the station hangs up before the answer (a reply lost on
    the Wi-Fi); the retry with the same nonce gets the stored answer: one ballot."""
    event_dir = voting_hall.folder.root
    station_dir = tmp_path / "vote1"
    server = start_server(event_dir)
    try:
        pair_station(event_dir, "Vote 1", station_dir)
        assert run_cli("--event", str(event_dir), "vote", "open").returncode == 0
        credentials = StationFolder(station_dir).credentials()
        body = json.dumps(
            {
                "nonce": "lost-reply-0001",
                "code": voting_hall.admitted[0].code,
                "film": VOTE_FILMS[1],
            }
        ).encode()
        request = (
            f"POST /api/v1/vote HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {credentials.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with (
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw,
            context.wrap_socket(raw) as tls,
        ):
            tls.sendall(request)  # and hang up without reading the answer
        wait_until = time.monotonic() + 15
        while not voters(event_dir):
            assert time.monotonic() < wait_until, "the server did not record the ballot"
            time.sleep(0.05)
        status, retried = cast(
            station_dir, voting_hall.admitted[0].code, VOTE_FILMS[1], "--nonce", "lost-reply-0001"
        )
        assert status == 0 and retried["accepted"] is True and retried["replayed"] is True
        status, other = cast(station_dir, voting_hall.admitted[0].code, VOTE_FILMS[2])
        assert status == 1 and other["reason"] == "already_voted"
    finally:
        server.stop()
    assert len(voters(event_dir)) == 1 == ballots(event_dir)
    assert dict(open_vote(voting_hall.folder).count([PASSPHRASE]).counts) == {VOTE_FILMS[1]: 1}
