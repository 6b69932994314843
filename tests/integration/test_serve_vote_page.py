"""`serve` runs the phone vote page next to the door stations' API: plain HTTP on its own
port, in the same real process; a taken vote port leaves the doors served without it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from kiosk.services.vote import VoteDesk
from tests.station_helpers import MAIN, ROOT, start_server
from tests.vote_helpers import make_voting_event
from tests.vote_server import free_port


def _post(port: int, path: str, body: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, object] = json.loads(response.read())
    return answer


def test_serve_runs_the_vote_page_beside_the_stations(tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event")
    server = start_server(voting.folder.root)
    try:
        assert server.port and server.vote_port and server.vote_port != server.port
        with urllib.request.urlopen(f"http://127.0.0.1:{server.vote_port}/", timeout=10) as page:
            assert "觀眾票選獎" in page.read().decode()
        VoteDesk(voting.folder).open(10)
        code = voting.vote_code_of(voting.admitted[0])
        assert _post(server.vote_port, "/vote", {"code": code, "film": "QZ-OTHER-06"}) == {
            "accepted": True,
            "reason": None,
            "message_en": "Thank you! Your vote is counted.",
            "message_zh": "多謝！你的一票已經記錄。",
        }
        assert VoteDesk(voting.folder).status().ballots == 1
        with socket.create_connection(("127.0.0.1", server.port), timeout=5):
            pass  # the stations' port is open too
    finally:
        server.kill()


def test_a_taken_vote_port_leaves_the_doors_served(tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event")
    taken = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", taken))
        holder.listen(1)
        proc = subprocess.Popen(
            [sys.executable, str(MAIN), "--event", str(voting.folder.root), "serve",
             "--host", "127.0.0.1", "--port", "0", "--vote-port", str(taken)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        try:
            assert proc.stdout is not None and proc.stderr is not None
            line = proc.stdout.readline()
            while line and not line.startswith("certificate SHA-256"):
                assert not line.startswith("vote page:")
                line = proc.stdout.readline()
            assert line.startswith("certificate SHA-256")  # the server runs
        finally:
            proc.kill()
            _out, err = proc.communicate(timeout=10)
    assert f"The vote page is not served: vote page: port {taken}" in err
