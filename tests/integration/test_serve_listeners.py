"""`serve` runs several apps in one process, each on its own port, with or without TLS."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from kiosk.server.event_server import build_event_server
from kiosk.server.serve import Listener, run_listeners
from kiosk.station.link import ServerLink, ServerRefusedError
from tests.doors_helpers import make_event


async def _hello(request: Request) -> PlainTextResponse:
    del request
    return PlainTextResponse("vote page here")


def test_a_second_app_runs_next_to_the_stations_api(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event")
    second = Listener("audience vote", Starlette(routes=[Route("/", _hello)]), 0, None, "127.0.0.1")
    server = build_event_server(
        folder, folder.load_config(), port=0, host="127.0.0.1", extra=(second,)
    )
    started = threading.Event()
    stop = threading.Event()
    thread = threading.Thread(
        target=run_listeners, args=(server.listeners, started.set, stop), daemon=True
    )
    thread.start()
    try:
        assert started.wait(20)
        plain = http.client.HTTPConnection("127.0.0.1", server.listeners[1].port, timeout=5)
        plain.request("GET", "/")
        assert plain.getresponse().read() == b"vote page here"
        link = ServerLink(  # patient: a loaded machine may take seconds to shake hands
            "127.0.0.1", server.station_port, server.identity.fingerprint, "nope", timeout=10
        )
        try:
            link.hello()
        except ServerRefusedError as refused:
            assert refused.status == 401  # TLS with the pinned certificate, then refused
        else:
            raise AssertionError("a made-up token was accepted")
        link.close()
    finally:
        stop.set()
        thread.join(20)
        server.close()
    assert not thread.is_alive()
