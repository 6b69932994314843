"""The booth checklist's judgments: each line green, amber or red from the facts it is given."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.booth_check import CheckLine, CheckState
from kiosk.core.booth_lines import (
    Endpoint,
    FilmState,
    Monitor,
    OutputModes,
    ToneResult,
    judge_audio,
    judge_clock,
    judge_disk,
    judge_films,
    judge_projector,
    judge_seal,
    judge_server,
    judge_vote_key,
    parse_monitors,
    parse_output_modes,
)
from kiosk.services.booth_checklist import Provider, gather

GREEN, AMBER, RED = CheckState.GREEN, CheckState.AMBER, CheckState.RED

LISTMONITORS = """Monitors: 2
 0: +*eDP-1 1366/344x768/193+0+0  eDP-1
 1: +HDMI-1 1280/698x720/393+1366+0  HDMI-1
"""
QUERY = """Screen 0: minimum 320 x 200, current 2646 x 768, maximum 16384 x 16384
eDP-1 connected primary 1366x768+0+0 (normal left inverted right x axis y axis) 344mm x 193mm
   1366x768      60.00*+  48.00
   1280x720      60.00
HDMI-1 connected 1280x720+1366+0 (normal left inverted right x axis y axis) 698mm x 393mm
   1920x1080     60.00 +  50.00    59.94
   1280x720      60.00*   50.00
DP-1 disconnected (normal left inverted right x axis y axis)
"""


def assert_actionable(found: CheckLine) -> None:
    """Every line speaks both languages; a line that is not green says what to do."""
    assert found.detail_en and found.detail_zh and found.title_zh
    if found.state is not GREEN:
        assert found.fix and " · " in found.fix, found  # English · 中文
    else:
        assert found.fix == ""


def test_xrandr_parsing() -> None:
    monitors = parse_monitors(LISTMONITORS)
    assert monitors == [Monitor("eDP-1", 1366, 768, True), Monitor("HDMI-1", 1280, 720, False)]
    assert parse_output_modes(QUERY) == [
        OutputModes("eDP-1", (1366, 768), (1366, 768)),
        OutputModes("HDMI-1", (1280, 720), (1920, 1080)),
    ]


def test_projector_lines() -> None:
    monitors, outputs = parse_monitors(LISTMONITORS), parse_output_modes(QUERY)
    scaled = judge_projector(monitors, outputs, None)
    assert scaled.state is AMBER and "1920x1080" in scaled.detail_en and "HDMI-1" in scaled.fix
    native = [OutputModes("HDMI-1", (1280, 720), (1280, 720))]
    assert judge_projector(monitors, native, "HDMI-1").state is GREEN
    gone = judge_projector(monitors, outputs, "DP-2")
    assert gone.state is RED and "DP-2" in gone.detail_en
    alone = judge_projector(monitors[:1], outputs, None)
    assert alone.state is RED and "Only one screen" in alone.detail_en
    unknown = judge_projector([Monitor("A", 1920, 1080, True), Monitor("B", 1280, 720)], [], None)
    assert unknown.state is GREEN and "B at 1280x720" in unknown.detail_en
    assert "no native mode" in unknown.detail_en
    # no primary marked (Xvfb): Qt's primary is the first screen, the stage takes the second
    unmarked = judge_projector([Monitor("A", 1366, 768), Monitor("B", 1920, 1080)], [], None)
    assert "B at 1920x1080" in unmarked.detail_en
    assert judge_projector(None, [], None).state is AMBER
    for found in (scaled, gone, alone, unknown, judge_projector(None, [], None)):
        assert_actionable(found)


def test_audio_lines() -> None:
    sinks = ["hall", "laptop"]
    assert judge_audio("hall", None, None).state is RED
    assert judge_audio("hall", [], None).state is RED
    missing = judge_audio("desk", sinks, None)
    assert missing.state is RED and "desk" in missing.detail_en
    untested = judge_audio("hall", sinks, None)
    assert untested.state is AMBER and "test tone" in untested.fix
    assert judge_audio("hall", sinks, ToneResult("hall", None)).state is AMBER
    heard = judge_audio("hall", sinks, ToneResult("hall", True))
    assert heard.state is GREEN
    assert judge_audio("hall", sinks, ToneResult("hall", False)).state is RED
    assert judge_audio("hall", sinks, ToneResult("hall", None, "no device")).state is RED
    # a tone heard on another device says nothing about the chosen one
    assert judge_audio("hall", sinks, ToneResult("laptop", True)).state is AMBER
    assert judge_audio(None, sinks, ToneResult("", True)).state is GREEN
    for found in (missing, untested, heard, judge_audio("hall", None, None)):
        assert_actionable(found)


@pytest.mark.parametrize(
    ("free", "state"), [(100 * 10**6, RED), (10**9, AMBER), (50 * 10**9, GREEN)]
)
def test_disk_line(free: int, state: CheckState) -> None:
    found = judge_disk(free, "/events/night")
    assert found.state is state and "/events/night" in found.detail_en
    assert_actionable(found)


def test_films_line() -> None:
    ready = [FilmState("F01", "same", True), FilmState("F02", "same", True)]
    assert judge_films(ready).state is GREEN
    found = judge_films(
        [
            FilmState("F01", "changed", True),
            FilmState("F02", "same", False),
            FilmState("F03", "unchecked", None),
            FilmState("F04", "missing", True),
        ]
    )
    assert found.state is RED
    assert "F01, F04" in found.detail_en and "F02" in found.detail_en and "F03" in found.detail_en
    assert "F01, F04" in found.detail_zh
    assert_actionable(found)


def test_seal_and_vote_key_lines() -> None:
    assert judge_seal(needed=False, sealed=False, problems=[], warnings=[]).state is GREEN
    unsealed = judge_seal(needed=True, sealed=False, problems=[], warnings=[])
    assert unsealed.state is RED and "results seal" in unsealed.fix
    bad = judge_seal(needed=True, sealed=True, problems=["changed since sealing"], warnings=[])
    assert bad.state is RED and "changed since sealing" in bad.detail_en
    weak = judge_seal(needed=True, sealed=True, problems=[], warnings=["test-strength"])
    assert weak.state is AMBER
    assert judge_seal(needed=True, sealed=True, problems=[], warnings=[]).state is GREEN
    assert judge_vote_key(needed=False, problem=None, matches_seal=None).state is GREEN
    assert judge_vote_key(needed=True, problem="No vote key", matches_seal=None).state is RED
    assert judge_vote_key(needed=True, problem=None, matches_seal=False).state is RED
    assert judge_vote_key(needed=True, problem=None, matches_seal=True).state is GREEN
    for found in (unsealed, bad, weak):
        assert_actionable(found)


def test_server_line() -> None:
    lan = "192.168.1.20"
    never = judge_server([], lan)
    assert never.state is AMBER and "serve" in never.fix
    up = [
        Endpoint("door stations", "門口站", lan, 8443, True),
        Endpoint("vote page", "投票網頁", lan, 8080, True),
    ]
    assert judge_server(up, lan).state is GREEN
    down = judge_server([up[0], Endpoint("vote page", "投票網頁", lan, 8080, False)], lan)
    assert down.state is RED and "vote page" in down.detail_en and "8443" not in down.detail_en
    local = judge_server([Endpoint("door stations", "門口站", "127.0.0.1", 8443, True)], lan)
    assert local.state is AMBER and "only on this laptop" in local.detail_en
    moved = judge_server(up, "10.0.0.5")
    assert moved.state is AMBER and "10.0.0.5" in moved.detail_en
    for found in (never, down, local, moved):
        assert_actionable(found)


def test_clock_line() -> None:
    hk = ZoneInfo("Asia/Hong_Kong")
    start = dt.datetime(2026, 12, 5, 19, 30, tzinfo=hk)
    eight = dt.timedelta(hours=8)
    now = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)  # 17:00 in Hong Kong
    good = judge_clock(now, start, eight, True)
    assert good.state is GREEN and "2026-12-05 17:00" in good.detail_en
    assert judge_clock(now, start, eight, None).state is GREEN  # cannot tell: said so
    assert "unknown" in judge_clock(now, start, eight, None).detail_en
    assert judge_clock(now, start, eight, False).state is AMBER
    assert judge_clock(now, start, dt.timedelta(0), True).state is AMBER
    late = judge_clock(now + dt.timedelta(days=3), start, eight, True)
    assert late.state is AMBER and "after the event" in late.detail_en
    early = judge_clock(now - dt.timedelta(days=400), start, eight, True)
    assert early.state is AMBER and "before the event" in early.detail_en
    for found in (late, early, judge_clock(now, start, eight, False)):
        assert_actionable(found)


def test_gather_keeps_order_and_turns_a_broken_check_red() -> None:
    def broken() -> CheckLine:
        raise OSError("xrandr exploded")

    lines = gather(
        [
            Provider("disk", lambda: judge_disk(10**12, "/x")),
            Provider("projector", broken),
            Provider(
                "vote_key", lambda: judge_vote_key(needed=False, problem=None, matches_seal=None)
            ),
        ]
    )
    assert [entry.id for entry in lines.lines] == ["disk", "projector", "vote_key"]
    assert lines.lines[1].state is RED and "xrandr exploded" in lines.lines[1].detail_en
    assert not lines.ok
    assert lines.as_json()["ok"] is False
    assert gather([Provider("disk", lambda: judge_disk(10**12, "/x"))]).ok
