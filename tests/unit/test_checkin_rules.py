"""Door verdict rules (kiosk.core.checkin): every verdict, in the right order, in both languages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.checkin import (
    Admission,
    TicketRecord,
    Tone,
    Verdict,
    decide,
    mask_email,
    mask_phone,
    station_label_zh,
)
from kiosk.core.tickets import TicketCodec

HK = ZoneInfo("Asia/Hong_Kong")
CODEC = TicketCodec(b"k" * 32)
CODE = CODEC.issue(7, 0)
TICKET = TicketRecord(CODE, 7, "陳大文", "Chan Tai Man")
EARLIER = Admission(dt.datetime(2026, 12, 5, 11, 2, tzinfo=dt.UTC), "Door 2", "scan")


def test_valid_ticket_is_welcomed() -> None:
    decision = decide(CODEC.check(CODE), TICKET, None, 10, 100, HK)
    assert decision.verdict is Verdict.ADMITTED
    assert decision.headline == "Welcome / 歡迎"
    assert decision.verdict.admits and decision.verdict.tone is Tone.GO


def test_second_scan_says_when_and_where_in_local_time() -> None:
    decision = decide(CODEC.check(CODE), TICKET, EARLIER, 10, 100, HK)
    assert decision.verdict is Verdict.ALREADY_CHECKED_IN
    assert decision.detail_en == "Already checked in at 19:02 at Door 2"
    assert decision.detail_zh == "已於 19:02 在 2 號門入場"
    assert decision.verdict.tone is Tone.CAUTION and not decision.verdict.admits


def test_already_in_wins_over_a_full_house() -> None:
    assert decide(CODEC.check(CODE), TICKET, EARLIER, 100, 100, HK).verdict is (
        Verdict.ALREADY_CHECKED_IN
    )


def test_full_house_refuses_newcomers() -> None:
    decision = decide(CODEC.check(CODE), TICKET, None, 100, 100, HK)
    assert decision.verdict is Verdict.CAPACITY_REACHED
    assert "100" in decision.detail_en and "100" in decision.detail_zh
    assert decision.verdict.tone is Tone.STOP
    assert decide(CODEC.check(CODE), TICKET, None, 10**6, None, HK).verdict is Verdict.ADMITTED


@pytest.mark.parametrize(
    ("text", "fragment_zh"),
    [("hello world", "不是 AIFF"), (TicketCodec(b"x" * 32).issue(7, 0), "並非本活動")],
)
def test_invalid_codes_say_why(text: str, fragment_zh: str) -> None:
    decision = decide(CODEC.check(text), None, None, 0, 100, HK)
    assert decision.verdict is Verdict.INVALID_CODE
    assert decision.headline == "Not a valid ticket / 無效門票"
    assert fragment_zh in decision.detail_zh and decision.detail_en


def test_signed_code_without_a_ticket_is_unknown() -> None:
    decision = decide(CODEC.check(CODEC.issue(9, 0)), None, None, 0, 100, HK)
    assert decision.verdict is Verdict.UNKNOWN_TICKET
    assert decision.headline == "Ticket not found / 查無此票"


def test_revoked_tickets_say_whether_a_newer_one_exists() -> None:
    revoked = TicketRecord(CODE, 7, "陳大文", None, "2026-11-02", "refund")
    decision = decide(CODEC.check(CODE), revoked, None, 0, 100, HK)
    assert decision.verdict is Verdict.REVOKED
    assert decision.detail_en == "This ticket was cancelled: refunded"
    assert decision.detail_zh == "此票已被取消：已退款"  # the usher reads why in Chinese too
    own_words = TicketRecord(CODE, 7, "陳大文", None, "2026-11-02", "Sold on a resale site")
    other = decide(CODEC.check(CODE), own_words, None, 0, 100, HK)
    assert other.detail_en.endswith(": Sold on a resale site")
    assert other.detail_zh == "此票已被取消：Sold on a resale site"
    replaced = TicketRecord(CODE, 7, "陳大文", None, "2026-11-02", "lost", replaced=True)
    assert "newer" in decide(CODEC.check(CODE), replaced, None, 0, 100, HK).detail_en
    # a revoked ticket says so even if its holder already came in on the new one
    assert decide(CODEC.check(CODE), replaced, EARLIER, 0, 100, HK).verdict is Verdict.REVOKED


def test_admission_by_hand_skips_the_code_checks() -> None:
    assert decide(None, TICKET, None, 0, 100, HK).verdict is Verdict.ADMITTED
    manual = Admission(EARLIER.at, "Side door", "manual")
    decision = decide(None, TICKET, manual, 0, 100, HK)
    assert decision.detail_en == "Already checked in at 19:02 at Side door (admitted by hand)"
    assert decision.detail_zh == "已於 19:02 在 Side door 人手入場"


def test_station_labels_and_masked_emails() -> None:
    assert station_label_zh("Door 2") == "2 號門"
    assert station_label_zh("gate 11") == "11 號門"
    assert station_label_zh("VIP entrance") == "VIP entrance"
    assert mask_email("taiman.chan@example.com") == "t•••@e•••.com"
    assert mask_email("x@localhost") == "x•••@l•••"
    assert mask_email(None) == "" and mask_email("broken") == "b•••"
    assert "chan" not in mask_email("taiman.chan@example.com")


def test_masked_phones_tell_namesakes_apart_and_hide_the_number() -> None:
    assert mask_phone("+852 9123 4567") == "•••567"
    assert mask_phone("•••567") == "•••567"  # masked by the server already: left as it is
    assert mask_phone(None) == "" and mask_phone("12") == "" and mask_phone("n/a") == ""
    assert "9123" not in mask_phone("+852 9123 4567")
