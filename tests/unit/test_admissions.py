"""kiosk.core.admissions: one place decides every scan and builds every scan result."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.admissions import (
    Attempt,
    Lookup,
    OfflineOutcome,
    OfflineRecord,
    admitted,
    arrival_buckets,
    judge,
    judge_listed,
    judge_walk_in,
    lost_race,
    registered,
    settle_offline,
)
from kiosk.core.checkin import Admission, TicketRecord, Verdict
from kiosk.core.stations import ListedTicket, TicketStatus, code_digest
from kiosk.core.tickets import TicketCodec, normalise_scanned

HK = ZoneInfo("Asia/Hong_Kong")
CODEC = TicketCodec(b"k" * 32)
CODE = CODEC.issue(7)
NOW = dt.datetime(2026, 12, 5, 11, 30, 0, 123456, tzinfo=dt.UTC)
EARLIER = Admission(dt.datetime(2026, 12, 5, 11, 2, tzinfo=dt.UTC), "Door 2", "scan")
TICKET = TicketRecord(CODE, 7, "陳大文", "Chan Tai Man")


def test_a_scan_result_carries_the_decision_and_the_person() -> None:
    attempt = Attempt("Door 1", "scan", NOW)
    result = judge(
        CODEC.check(CODE),
        Lookup(TICKET, None, 3, "a@b.hk"),
        attempt,
        code=CODE,
        capacity=10,
        zone=HK,
    )
    assert result.verdict is Verdict.ADMITTED and result.admission is None
    assert (result.attendee_id, result.name, result.email, result.code) == (
        7,
        "陳大文",
        "a@b.hk",
        CODE,
    )
    recorded = admitted(result, 41)
    assert recorded.checkin_id == 41
    assert recorded.admission == Admission(
        dt.datetime(2026, 12, 5, 11, 30, 0, 123000, tzinfo=dt.UTC), "Door 1", "scan"
    )
    assert recorded.to_json()["admitted_at"] == "2026-12-05T11:30:00.123+00:00"


def test_a_lost_race_turns_amber_with_the_other_doors_admission() -> None:
    result = judge(
        None,
        Lookup(TICKET, None, 0),
        Attempt("Door 1", "manual", NOW),
        code=CODE,
        capacity=None,
        zone=HK,
    )
    raced = lost_race(result, EARLIER, HK)
    assert raced.verdict is Verdict.ALREADY_CHECKED_IN and raced.admission == EARLIER
    assert "19:02 at Door 2" in raced.decision.detail_en


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown check-in method"):
        judge(
            None,
            Lookup(TICKET, None, 0),
            Attempt("Door 1", "teleport", NOW),
            code=None,
            capacity=None,
            zone=HK,
        )


def test_offline_verdicts_follow_the_server_rules() -> None:
    listed = ListedTicket(code_digest(CODE), 7, "陳大文", "Chan Tai Man", TicketStatus.VALID)
    attempt = Attempt("Door 3", "scan", NOW, offline=True)

    welcome = judge_listed(
        normalise_scanned(CODE.lower()),
        listed,
        Lookup(None, None, 0),
        attempt,
        capacity=10,
        zone=HK,
    )
    assert welcome.verdict is Verdict.ADMITTED and welcome.offline and welcome.attendee_id == 7
    amber = judge_listed(CODE, listed, Lookup(None, EARLIER, 1), attempt, capacity=10, zone=HK)
    assert (
        amber.verdict is Verdict.ALREADY_CHECKED_IN
        and "19:02 at Door 2" in amber.decision.detail_en
    )
    full = judge_listed(CODE, listed, Lookup(None, None, 10), attempt, capacity=10, zone=HK)
    assert full.verdict is Verdict.CAPACITY_REACHED
    replaced = ListedTicket(code_digest(CODE), 7, "陳大文", None, TicketStatus.REPLACED)
    refused = judge_listed(CODE, replaced, Lookup(None, None, 0), attempt, capacity=10, zone=HK)
    assert refused.verdict is Verdict.REVOKED and "newer" in refused.decision.detail_en
    unlisted = judge_listed(CODE, None, Lookup(None, None, 0), attempt, capacity=10, zone=HK)
    assert unlisted.verdict is Verdict.UNKNOWN_TICKET and "offline" in unlisted.decision.detail_en
    assert unlisted.code == CODE and unlisted.attendee_id is None
    nothing = judge_listed(None, None, Lookup(None, None, 0), attempt, capacity=10, zone=HK)
    assert nothing.verdict is Verdict.INVALID_CODE


def test_a_walk_in_is_welcome_until_the_hall_is_full() -> None:
    attempt = Attempt("Door 1", "walk-in", NOW)
    welcome = judge_walk_in("陳大文", None, None, 9, attempt, capacity=10)
    assert welcome.verdict is Verdict.ADMITTED and welcome.attendee_id is None
    assert registered(welcome, 12, CODE).attendee_id == 12
    full = judge_walk_in("陳大文", None, None, 10, attempt, capacity=10)
    assert full.verdict is Verdict.CAPACITY_REACHED and full.name == "陳大文"
    assert judge_walk_in("x", None, None, 10**6, attempt, capacity=None).verdict is Verdict.ADMITTED


@pytest.mark.parametrize(
    ("verdict", "attendee", "undone", "earlier", "outcome"),
    [
        ("unknown_ticket", 7, False, None, OfflineOutcome.REFUSED),
        ("admitted", None, False, None, OfflineOutcome.REFUSED),
        ("admitted", 7, True, EARLIER, OfflineOutcome.ANNULLED),
        ("admitted", 7, False, EARLIER, OfflineOutcome.DOUBLE_ADMISSION),
        ("admitted", 7, False, None, OfflineOutcome.ADMITTED),
    ],
)
def test_offline_uploads_are_settled_in_order(
    verdict: str,
    attendee: int | None,
    undone: bool,
    earlier: Admission | None,
    outcome: OfflineOutcome,
) -> None:
    assert settle_offline(verdict, attendee, undone, earlier) is outcome


def test_an_offline_record_answers_what_happened() -> None:
    skew = {"clock_skew": True, "station_time": "2016-12-05T11:00:00.000+00:00"}
    assert (
        OfflineRecord(OfflineOutcome.DOUBLE_ADMISSION, 3, skew).to_json()
        == {
            "recorded": "double_admission",
            "conflict": 3,
        }
        | skew
    )
    assert OfflineRecord(OfflineOutcome.ADMITTED).to_json() == {"recorded": "admitted"}


def test_arrivals_are_counted_per_slot_with_gaps_in_the_events_zone() -> None:
    base = dt.datetime(2026, 12, 5, 11, 0, tzinfo=dt.UTC)
    moments = [base, base + dt.timedelta(minutes=1), base + dt.timedelta(minutes=12)]
    buckets = arrival_buckets(moments, 5, HK)
    assert [b.count for b in buckets] == [2, 0, 1]
    assert buckets[0].start == base and buckets[0].start.utcoffset() == dt.timedelta(hours=8)
    window = (base + dt.timedelta(minutes=10), base + dt.timedelta(hours=1))
    assert [b.count for b in arrival_buckets(moments, 5, HK, within=window)] == [1]
    assert arrival_buckets([], 5, HK) == []
    with pytest.raises(ValueError, match="positive"):
        arrival_buckets(moments, 0, HK)
