"""The OSC gate: who may send, the passcode, the rate, and what each address means."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from kiosk.core.problems import Problem
from kiosk.core.remote import (
    COMMAND_RATE_LIMIT,
    OSC_COMMANDS,
    WRONG_PASSCODE_LIMIT,
    Need,
    RemoteGate,
    RemoteSettings,
    Verdict,
    remote_settings_from_dict,
)

SETTINGS = RemoteSettings(
    osc=True,
    passcode="booth-2026",
    allowed=(ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("10.0.5.0/24")),
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gate() -> tuple[RemoteGate, Clock]:
    clock = Clock()
    return RemoteGate(SETTINGS, clock), clock


def test_a_sender_not_allowed_gets_nothing_back() -> None:
    g, _ = gate()
    for address in ("/connect", "/go", "/state"):
        assert g.decide("192.168.1.9", address, ("booth-2026",)).verdict is Verdict.DROP
    assert g.dropped == 3


def test_commands_need_the_passcode_first() -> None:
    g, _ = gate()
    refused = g.decide("10.0.5.20", "/go", ())
    assert refused.verdict is Verdict.REPLY and refused.status == "denied"
    wrong = g.decide("10.0.5.20", "/connect", ("guess",))
    assert wrong.status == "badpass"
    assert g.decide("10.0.5.20", "/connect", ("booth-2026",)).status == "ok"
    run = g.decide("10.0.5.20", "/go", ())
    assert run.verdict is Verdict.RUN and run.command is OSC_COMMANDS["/go"]
    assert [host for host, _ in g.connected()] == ["10.0.5.20"]
    assert g.decide("10.0.5.20", "/disconnect", ()).status == "ok"
    assert g.decide("10.0.5.20", "/go", ()).status == "denied"


def test_guessing_the_passcode_is_stopped_for_a_minute() -> None:
    g, clock = gate()
    for _ in range(WRONG_PASSCODE_LIMIT):
        assert g.decide("10.0.5.20", "/connect", ("guess",)).status == "badpass"
    assert g.decide("10.0.5.20", "/connect", ("booth-2026",)).status == "denied"
    clock.now += 61
    assert g.decide("10.0.5.20", "/connect", ("booth-2026",)).status == "ok"


def test_a_flood_is_refused_past_the_rate_without_reaching_the_console() -> None:
    g, clock = gate()
    g.decide("127.0.0.1", "/connect", ("booth-2026",))
    verdicts = [g.decide("127.0.0.1", "/volume/up", ()).verdict for _ in range(1000)]
    assert verdicts.count(Verdict.RUN) == COMMAND_RATE_LIMIT
    clock.now += 1.0
    assert g.decide("127.0.0.1", "/volume/up", ()).verdict is Verdict.RUN


def test_turning_remotes_off_drops_everything_and_forgets_connections() -> None:
    g, _ = gate()
    g.decide("127.0.0.1", "/connect", ("booth-2026",))
    g.set_enabled(False)
    assert g.decide("127.0.0.1", "/go", ()).verdict is Verdict.DROP
    assert g.connected() == []
    g.set_enabled(True)
    assert g.decide("127.0.0.1", "/go", ()).status == "denied"  # must connect again


def test_nothing_reaches_the_sealed_results_or_closes_the_night() -> None:
    names = {c.command for c in OSC_COMMANDS.values()}
    assert names.isdisjoint({"open_reveal", "end_reveal", "start_over", "quit", "outputs"})
    assert OSC_COMMANDS["/reveal/go"].need is Need.REVEAL
    assert OSC_COMMANDS["/resume"].need is Need.PAUSED


def test_unknown_addresses_get_an_error_reply() -> None:
    g, _ = gate()
    g.decide("127.0.0.1", "/connect", ("booth-2026",))
    answer = g.decide("127.0.0.1", "/cue/1/start", ())
    assert answer.verdict is Verdict.REPLY and answer.status == "error"


def test_ipv4_mapped_addresses_are_read_as_ipv4() -> None:
    assert SETTINGS.allows("::ffff:10.0.5.7")
    assert not SETTINGS.allows("not an address")


def test_the_remote_table_is_checked() -> None:
    problems: list[Problem] = []
    path = Path("event.toml")
    assert remote_settings_from_dict(None, path, problems) == RemoteSettings()
    settings = remote_settings_from_dict(
        {"osc": True, "port": 53000, "passcode": "booth-2026", "allowed": ["10.0.5.0/24"]},
        path,
        problems,
    )
    assert problems == [] and settings.osc and settings.allows("10.0.5.99")
    assert not settings.allows("127.0.0.1")  # only what was listed
    remote_settings_from_dict(
        {"osc": True, "port": 80, "passcode": "x", "allowed": ["nowhere"], "colour": 1},
        path,
        problems,
    )
    said = " | ".join(str(p) for p in problems)
    assert "colour" in said and "port" in said and "passcode" in said and "nowhere" in said
