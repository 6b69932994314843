"""The rules of the hostile hall that need no network: request schemas, refusal summaries,
masked codes, the connection ledger and the body limit (through Starlette's TestClient)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from kiosk.core.refusals import RefusalTally
from kiosk.core.tickets import TicketCodec, mask_ticket_code
from kiosk.core.wire_schema import Integer, ListOf, Schema, SchemaError, Text, parse_json
from kiosk.server.limits import BodyLimit, ConnectionLedger, ListenerLimits
from kiosk.server.station_api import SCHEMAS


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------ schemas


def test_a_schema_refuses_wrong_types_ranges_lengths_and_unknown_keys() -> None:
    schema = Schema({"nonce": Text(80, min_length=8), "attendee_id": Integer(1, 2**31 - 1)})
    assert schema.check({"nonce": "n" * 8, "attendee_id": 7}) == {
        "nonce": "n" * 8,
        "attendee_id": 7,
    }
    refused = [
        {"nonce": "n" * 8, "attendee_id": 10**30},
        {"nonce": "n" * 8, "attendee_id": True},
        {"nonce": "n" * 8, "attendee_id": "7"},
        {"nonce": "short", "attendee_id": 7},
        {"nonce": "n" * 8},
        {"nonce": "n" * 8, "attendee_id": 7, "admin": 1},
        ["not", "an", "object"],
    ]
    for data in refused:
        with pytest.raises(SchemaError):
            schema.check(data)


def test_optional_fields_may_be_missing_or_null_and_lists_are_bounded() -> None:
    schema = Schema({"items": ListOf(Schema({"name": Text(5, optional=True)}), max_items=2)})
    assert schema.check({"items": [{}, {"name": None}]}) == {
        "items": [{"name": None}, {"name": None}]
    }
    with pytest.raises(SchemaError, match="at most 2"):
        schema.check({"items": [{}, {}, {}]})
    with pytest.raises(SchemaError, match="name must be text"):
        schema.check({"items": [{"name": ["a", "b"]}]})


def test_json_nested_100k_deep_is_a_schema_error_not_a_recursion_error() -> None:
    with pytest.raises(SchemaError, match="must be JSON"):
        parse_json(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(SchemaError):
        parse_json(b"\xff\xfe")


def test_every_station_route_has_a_schema_for_what_the_station_sends() -> None:
    assert SCHEMAS["/walk-in"].check(
        {"nonce": "n" * 16, "name": "陳大文", "name_latin": None, "email": None}
    )
    with pytest.raises(SchemaError):
        SCHEMAS["/walk-in"].check({"nonce": "n" * 16, "name": "X", "name_latin": ["a"]})
    upload = {
        "items": [
            {
                "nonce": "n" * 16, "code": None, "attendee_id": 3, "method": "manual",
                "at": "2026-12-05T11:00:00.000+00:00", "verdict": "admitted", "undone_at": None,
            }
        ]
    }  # fmt: skip
    assert SCHEMAS["/upload"].check(upload)["items"][0]["attendee_id"] == 3


# ------------------------------------------------------------------ refusals in the log


def test_refusals_are_one_line_per_kind_per_minute_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    tally = RefusalTally(logging.getLogger("test.refusals"), clock, every_s=60)
    with caplog.at_level(logging.WARNING, "test.refusals"):
        for _ in range(2000):
            tally.refused("unknown token", "10.0.0.9")
            clock.now += 0.01
        tally.refused("bad body", "10.0.0.8")
        clock.now += 60
        tally.flush()
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == "refused (unknown token) 10.0.0.9"
    assert "refused (bad body) 10.0.0.8" in lines
    assert any("refused (unknown token) 1999 times" in line for line in lines)
    assert len(lines) <= 4


# ------------------------------------------------------------------ masked codes


def test_a_masked_code_shows_the_numbers_and_four_signature_characters_only() -> None:
    code = TicketCodec(b"k" * 32).issue(42, 0)
    masked = mask_ticket_code(code)
    assert masked is not None and masked != code
    assert masked.startswith(code[:10]) and masked.endswith(code[-5:])
    assert masked.count("•") == 11 and len(masked) == len(code)
    assert mask_ticket_code(None) is None and mask_ticket_code("garbage") == "•" * 7


# ------------------------------------------------------------------ connections


def test_the_ledger_caps_connections_per_address_and_in_total() -> None:
    ledger = ConnectionLedger(per_address=2, total=3)
    assert ledger.admit("a") and ledger.admit("a")
    assert not ledger.admit("a")
    assert ledger.admit("b")
    assert not ledger.admit("c")  # total reached
    ledger.release("a")
    assert ledger.admit("c") and ledger.open_count() == 3


def test_limits_fit_the_open_files_allowed() -> None:
    limits = ListenerLimits(max_body_bytes=1024, per_address=160, total=640)
    fitted = limits.within(256)
    assert fitted.total == 128 and fitted.per_address == 128
    assert limits.within(100_000).total == 640


# ------------------------------------------------------------------ bodies


def _echo_app() -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"read": len(await request.body())})

    return Starlette(routes=[Route("/", echo, methods=["POST"])])


def test_a_body_over_the_cap_is_refused_from_its_content_length_or_while_streaming() -> None:
    limits = ListenerLimits(max_body_bytes=1000, per_address=4, total=4)
    tally = RefusalTally(logging.getLogger("test.bodies"), Clock())
    client = TestClient(BodyLimit(_echo_app(), limits, tally))
    assert client.post("/", content=b"x" * 1000).json() == {"read": 1000}
    assert client.post("/", content=b"x" * 1001).status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 500

    streamed = client.post("/", content=chunks())  # chunked: no Content-Length
    assert streamed.status_code == 413
    assert client.post("/", content=b"1", headers={"Content-Length": "abc"}).status_code == 400
