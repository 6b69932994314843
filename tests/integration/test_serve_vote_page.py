"""`serve` runs the phone vote page next to the door stations' API: plain HTTP on its own
port, in the same real process; a taken vote port leaves the doors served without it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from kiosk.services.vote_address import DEFAULT_VOTE_PORT, VotePageAddress, vote_urls
from tests.station_helpers import MAIN, ROOT, start_server
from tests.vote_helpers import make_voting_event, open_vote
from tests.vote_server import free_port, vote_server


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
        open_vote(voting.folder).open_vote(10)
        code = voting.vote_code_of(voting.admitted[0])
        assert _post(server.vote_port, "/vote", {"code": code, "film": "QZ-OTHER-06"}) == {
            "accepted": True,
            "reason": None,
            "message_en": "Thank you! Your vote is counted.",
            "message_zh": "多謝！你的一票已經記錄。",
        }
        assert open_vote(voting.folder).status().ballots == 1
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


def test_the_slide_gets_the_address_the_server_really_listens_on(tmp_path: Path) -> None:
    """`serve` on all interfaces records the address it advertises to the door stations
    (lan_address()) with the vote page's real port; the voting slide's QR code reads as exactly
    that URL, and the page answers there. Stopped, the console says nothing answers."""
    from PySide6.QtCore import QSize

    from kiosk.render.vote_card import VoteCard
    from kiosk.services.vote_address import URL_ENV, vote_page_answers, vote_urls
    from kiosk.store.server_identity import lan_address
    from kiosk.ui.app import make_application
    from kiosk.ui.doors.decoder import decode_qr
    from kiosk.ui.stage.card_view import render_card

    make_application()
    voting = make_voting_event(tmp_path / "event")
    proc = subprocess.Popen(
        [sys.executable, str(MAIN), "--event", str(voting.folder.root), "serve",
         "--port", "0", "--vote-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != URL_ENV},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        printed = ""
        line = proc.stdout.readline()
        while line and not line.startswith("certificate SHA-256"):
            printed += line
            line = proc.stdout.readline()
        vote_line = next(x for x in printed.splitlines() if x.startswith("vote page: "))
        vote_port = int(vote_line.rsplit(":", 1)[-1])
        expected = f"http://{lan_address()}:{vote_port}/"
        assert vote_line == f"vote page: {expected[:-1]}"
        assert vote_urls(voting.folder) == [expected]
        assert vote_page_answers(voting.folder)
        paired = subprocess.run(
            [sys.executable, str(MAIN), "--event", str(voting.folder.root), "stations",
             "pair", "Door 1", "--json"],
            capture_output=True, text=True, cwd=ROOT, check=True,
        )  # fmt: skip
        pairing = json.loads(paired.stdout)["payload"]
        assert f"{lan_address()}:" in pairing  # the same host the stations are given
        card = VoteCard.counting(voting.folder.load_config(), vote_urls(voting.folder)[0], 600)
        assert decode_qr(render_card(card, QSize(1920, 1080)).image) == [expected]
        with urllib.request.urlopen(expected, timeout=10) as page:
            assert "觀眾票選獎" in page.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert not vote_page_answers(voting.folder)
    assert vote_urls(voting.folder) == [f"http://{lan_address()}:8080/"]


def test_vote_host_puts_the_page_on_its_own_network_and_the_stations_on_theirs(
    tmp_path: Path,
) -> None:
    """`serve --host A --vote-host B`: the vote page listens on B only, the stations' API on A
    only, and the slide's address is B (loopback addresses stand in for two Wi-Fi networks)."""
    from kiosk.services.vote_address import vote_urls

    voting = make_voting_event(tmp_path / "event")
    server = start_server(voting.folder.root, extra_args=("--vote-host", "127.0.0.5"))
    try:
        with urllib.request.urlopen(f"http://127.0.0.5:{server.vote_port}/", timeout=10) as page:
            assert "觀眾票選獎" in page.read().decode()
        for host, port in (("127.0.0.1", server.vote_port), ("127.0.0.5", server.port)):
            with socket.socket() as probe:
                probe.settimeout(5)
                assert probe.connect_ex((host, port)) != 0, f"{host}:{port} should not listen"
        assert vote_urls(voting.folder) == [f"http://127.0.0.5:{server.vote_port}/"]
    finally:
        server.stop()


def test_vote_serve_on_any_free_port_says_and_records_which(tmp_path: Path) -> None:
    """`vote serve --port 0`: the system picks the port, the command prints it (`listening on
    port N`, read by `vote_server`) and records it, so the voting slide's QR code and the
    console point at the page where it really is; stopped, it records that it is gone."""
    voting = make_voting_event(tmp_path / "event")
    with vote_server(voting.folder) as url:
        port = int(url.rsplit(":", 1)[1])
        assert port not in (0, DEFAULT_VOTE_PORT)
        assert VotePageAddress(voting.folder.open_db).served() == ("127.0.0.1", port)
        assert vote_urls(voting.folder) == [f"{url}/"]
        with urllib.request.urlopen(f"{url}/", timeout=10) as page:
            assert "觀眾票選獎" in page.read().decode()
