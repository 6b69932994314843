"""The Viewer's Award rules: vote codes, who may vote, the window, wrong-code limits, the tally."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.core.event import event_config_from_dict
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.programme import Film, Programme
from kiosk.core.tickets import CROCKFORD_ALPHABET, TicketCodec
from kiosk.core.vote import (
    VOTE_CLOSED,
    VOTE_CODE_LENGTH,
    VOTE_OPENED,
    BallotVerdict,
    VotePhase,
    Voter,
    WrongCodeLimiter,
    count_votes,
    decide_ballot,
    display_vote_code,
    films_on_the_ballot,
    normalise_vote_code,
    viewer_result,
    vote_code,
    vote_state_text,
    vote_window,
)
from kiosk.core.vote_settings import TieRule, VoteSettings, vote_settings_from_dict

KEY = b"k" * 32
ORDER = ["F01", "F02", "F03", "F04", "F05"]
T0 = dt.datetime(2026, 12, 5, 14, 0, tzinfo=dt.UTC)
NOT_YET, OPEN, CLOSED = VotePhase.NOT_OPEN_YET, VotePhase.OPEN, VotePhase.CLOSED


# --- vote codes --------------------------------------------------------------------------


def test_vote_code_is_8_crockford_characters_derived_from_the_ticket() -> None:
    codec = TicketCodec(KEY)
    codes = {vote_code(KEY, codec.issue(n)) for n in range(1, 1001)}
    assert len(codes) == 1000  # no collision among a thousand tickets
    for code in codes:
        assert len(code) == VOTE_CODE_LENGTH
        assert set(code) <= set(CROCKFORD_ALPHABET)
        assert not set(code) & set("ILOU")


def test_vote_code_depends_on_key_and_ticket_and_is_stable() -> None:
    codec = TicketCodec(KEY)
    ticket = codec.issue(7)
    assert vote_code(KEY, ticket) == vote_code(KEY, ticket)
    assert vote_code(b"x" * 32, ticket) != vote_code(KEY, ticket)
    assert vote_code(KEY, codec.issue(7, 1)) != vote_code(KEY, ticket)  # a reissue: a new code


def test_vote_code_is_not_a_piece_of_the_ticket_code() -> None:
    ticket = TicketCodec(KEY).issue(42)
    assert vote_code(KEY, ticket) not in ticket.replace("-", "")


@pytest.mark.parametrize(
    "typed",
    ["7QK3M9T2", "7qk3-m9t2", " 7QK3 M9T2 ", "７ＱＫ３－Ｍ９Ｔ２", "7qk3m9t2\n"],
)
def test_normalise_tolerates_case_spaces_hyphens_and_full_width(typed: str) -> None:
    assert normalise_vote_code(typed) == "7QK3M9T2"


def test_normalise_reads_look_alikes_as_digits() -> None:
    assert normalise_vote_code("ABOI-L234") == "AB011234"


@pytest.mark.parametrize("typed", ["", "7QK3M9T", "7QK3M9T22", "7QK3M9U2", "7QK3#9T2", "x" * 65])
def test_normalise_refuses_what_cannot_be_a_code(typed: str) -> None:
    assert normalise_vote_code(typed) is None


def test_display_groups_in_fours() -> None:
    assert display_vote_code("7QK3M9T2") == "7QK3-M9T2"
    assert normalise_vote_code(display_vote_code("7QK3M9T2")) == "7QK3M9T2"


# --- settings ----------------------------------------------------------------------------


def test_vote_settings_defaults_and_values() -> None:
    problems: list[Problem] = []
    assert vote_settings_from_dict(None, Path("e.toml"), problems) == VoteSettings()
    got = vote_settings_from_dict(
        {"nominees": 5, "tie_rule": "lot", "minutes": 15}, Path("e.toml"), problems
    )
    assert got == VoteSettings(5, TieRule.LOT, 15)
    assert problems == []


def test_vote_settings_report_every_problem() -> None:
    problems: list[Problem] = []
    vote_settings_from_dict(
        {"nominees": 0, "tie_rule": "coin", "minutes": True, "extra": 1}, Path("e.toml"), problems
    )
    text = "\n".join(str(p) for p in problems)
    assert "nominees" in text and "tie_rule" in text and "minutes" in text and "extra" in text
    assert '"programme_order"' in text and '"lot"' in text


def test_event_toml_reads_the_vote_table() -> None:
    base = {
        "event": {
            "name_en": "N",
            "name_zh": "名",
            "date": "2026-12-05",
            "start": "19:30",
            "end": "23:00",
            "venue_en": "V",
            "venue_zh": "場",
            "capacity": 700,
            "programme": "p.toml",
        }
    }
    config = event_config_from_dict({**base, "vote": {"nominees": 4}}, Path("event.toml"))
    assert config.vote.nominees == 4 and config.vote.tie_rule is TieRule.PROGRAMME_ORDER
    with pytest.raises(ConfigError, match="tie_rule"):
        event_config_from_dict({**base, "vote": {"tie_rule": "x"}}, Path("event.toml"))


# --- the window --------------------------------------------------------------------------


def _at(minutes: float) -> str:
    return (T0 + dt.timedelta(minutes=minutes)).isoformat()


def test_window_never_opened_is_closed() -> None:
    window = vote_window([])
    assert not window.is_open(T0) and not window.has_closed(T0)


def test_window_open_until_its_countdown_ends() -> None:
    window = vote_window([(VOTE_OPENED, {"at": _at(0), "closes_at": _at(10)})])
    assert window.is_open(T0 + dt.timedelta(minutes=9, seconds=59))
    assert window.seconds_left(T0 + dt.timedelta(minutes=9)) == 60
    assert not window.is_open(T0 + dt.timedelta(minutes=10))
    assert window.has_closed(T0 + dt.timedelta(minutes=10))


def test_window_closed_by_hand_and_reopened() -> None:
    entries = [
        (VOTE_OPENED, {"at": _at(0), "closes_at": _at(10)}),
        (VOTE_CLOSED, {"at": _at(3)}),
    ]
    assert not vote_window(entries).is_open(T0 + dt.timedelta(minutes=4))
    entries.append((VOTE_OPENED, {"at": _at(5), "closes_at": _at(8)}))
    assert vote_window(entries).is_open(T0 + dt.timedelta(minutes=6))


def test_close_before_any_open_is_ignored() -> None:
    assert vote_window([(VOTE_CLOSED, {"at": _at(0)})]).opened_at is None


# --- who may vote ------------------------------------------------------------------------


def voter(**changes: bool) -> Voter:
    facts = {"revoked": False, "checked_in": True, "has_voted": False} | changes
    return Voter(attendee_id=1, ticket_code="AIFF-…", **facts)


@pytest.mark.parametrize(
    ("phase", "who", "film", "expected"),
    [
        (OPEN, voter(), "F01", BallotVerdict.ACCEPTED),
        (OPEN, voter(), None, BallotVerdict.ACCEPTED),  # only the code, before choosing
        (CLOSED, voter(), "F01", BallotVerdict.VOTE_CLOSED),
        (CLOSED, None, "F01", BallotVerdict.VOTE_CLOSED),  # closed says so first
        (NOT_YET, voter(), "F01", BallotVerdict.VOTE_NOT_OPEN),  # not "closed": come back
        (NOT_YET, None, "F01", BallotVerdict.VOTE_NOT_OPEN),
        (OPEN, None, "F01", BallotVerdict.INVALID_CODE),
        (OPEN, voter(revoked=True), "F01", BallotVerdict.REVOKED),
        (OPEN, voter(checked_in=False), "F01", BallotVerdict.NOT_CHECKED_IN),
        (OPEN, voter(has_voted=True), "F01", BallotVerdict.ALREADY_VOTED),
        (OPEN, voter(), "F99", BallotVerdict.UNKNOWN_FILM),
    ],
)
def test_decide_ballot(
    phase: VotePhase, who: Voter | None, film: str | None, expected: BallotVerdict
) -> None:
    assert decide_ballot(phase=phase, voter=who, film_id=film, films=ORDER) is expected


def test_the_window_tells_not_open_yet_from_closed() -> None:
    assert vote_window([]).phase(T0 + dt.timedelta(minutes=0)) is NOT_YET
    opened = vote_window([(VOTE_OPENED, {"at": _at(0), "closes_at": _at(10)})])
    assert opened.phase(T0 + dt.timedelta(minutes=5)) is OPEN
    assert opened.phase(T0 + dt.timedelta(minutes=11)) is CLOSED  # the countdown ran out
    by_hand = vote_window(
        [(VOTE_OPENED, {"at": _at(0), "closes_at": _at(10)}), (VOTE_CLOSED, {"at": _at(3)})]
    )
    assert by_hand.phase(T0 + dt.timedelta(minutes=4)) is CLOSED
    assert vote_state_text(OPEN, 581) == ("Voting is open · 9:41 left", "投票進行中 · 尚餘 9:41")
    assert vote_state_text(NOT_YET, None) == ("Voting has not opened yet", "投票尚未開始")
    assert vote_state_text(CLOSED, None) == ("Voting has closed", "投票已經結束")


def test_every_verdict_has_a_bilingual_message() -> None:
    for verdict in BallotVerdict:
        en, zh = verdict.message
        assert en and zh and en != zh
        assert any("\u4e00" <= c <= "\u9fff" for c in zh)


# --- wrong codes per device ----------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_backs_a_phone_off_after_five_wrong_codes_doubling_each_time() -> None:
    clock = Clock()
    limiter = WrongCodeLimiter(clock, per_device=5, per_address=200, window_s=300, backoff_s=2)
    for _ in range(4):
        limiter.wrong("10.0.0.5", "cookie-a")
        assert limiter.device_wait("10.0.0.5", "cookie-a") == 0
        clock.now += 1
    limiter.wrong("10.0.0.5", "cookie-a")
    assert limiter.device_wait("10.0.0.5", "cookie-a") == pytest.approx(2)
    assert limiter.device_wait("10.0.0.5", "cookie-b") == 0  # another phone, same NAT address
    clock.now += 2
    limiter.wrong("10.0.0.5", "cookie-a")
    assert limiter.device_wait("10.0.0.5", "cookie-a") == pytest.approx(4)
    clock.now += 301
    assert limiter.device_wait("10.0.0.5", "cookie-a") == 0  # forgiven when the window passes


def test_limiter_backoff_never_exceeds_the_window() -> None:
    clock = Clock()
    limiter = WrongCodeLimiter(clock, per_device=5, window_s=300, backoff_s=2)
    for _ in range(40):
        limiter.wrong("10.0.0.5", "cookie-a")
    assert limiter.device_wait("10.0.0.5", "cookie-a") == pytest.approx(300)


def test_a_hall_of_typos_behind_one_address_does_not_reach_the_address_threshold() -> None:
    clock = Clock()
    limiter = WrongCodeLimiter(clock, per_device=5, per_address=200, window_s=300)
    for phone in range(60):  # 60 phones behind one NAT, each typing 3 wrong codes
        for _ in range(3):
            limiter.wrong("10.0.0.5", f"phone-{phone}")
    assert limiter.address_wait("10.0.0.5") == 0
    assert limiter.device_wait("10.0.0.5", "phone-61") == 0


def test_the_address_threshold_counts_wrong_codes_whatever_the_cookies() -> None:
    clock = Clock()
    limiter = WrongCodeLimiter(clock, per_device=5, per_address=8, window_s=300)
    for n in range(8):
        limiter.wrong("10.0.0.5", f"fresh-cookie-{n}")
    assert limiter.address_wait("10.0.0.5") > 0
    assert limiter.address_wait("10.0.0.9") == 0


# --- the tally ---------------------------------------------------------------------------


def test_tally_winner_and_top_nominees_in_programme_order() -> None:
    choices = ["F03"] * 5 + ["F01"] * 3 + ["F05"] * 4 + ["F02"] * 1
    tally = count_votes(choices, ORDER, VoteSettings(nominees=3))
    assert tally.winner == "F03" and tally.winner_votes == 5 and tally.ballots == 13
    assert tally.nominees == ("F01", "F03", "F05")  # top three, shown in run order
    assert tally.tied_with == () and tally.tie_rule is None
    assert tally.winner_share == pytest.approx(5 / 13)


def test_tally_takes_every_film_tied_at_the_cut_off() -> None:
    choices = ["F01"] * 4 + ["F02"] * 2 + ["F03"] * 2 + ["F04"] * 2 + ["F05"]
    assert count_votes(choices, ORDER, VoteSettings(nominees=2)).nominees == (
        "F01",
        "F02",
        "F03",
        "F04",
    )


def test_tie_by_programme_order_is_said_honestly() -> None:
    choices = ["F04", "F02", "F04", "F02", "F01"]
    tally = count_votes(choices, ORDER, VoteSettings(tie_rule=TieRule.PROGRAMME_ORDER))
    assert tally.winner == "F02" and tally.tied_with == ("F04",)
    assert tally.tie_rule is TieRule.PROGRAMME_ORDER


def test_tie_by_lot_is_replayable_from_the_seed_and_fair() -> None:
    choices = ["F01", "F02", "F03"]
    settings = VoteSettings(tie_rule=TieRule.LOT)
    first = count_votes(choices, ORDER, settings, lot_seed=b"ballots-digest")
    again = count_votes(list(reversed(choices)), ORDER, settings, lot_seed=b"ballots-digest")
    assert first.winner == again.winner and first.tie_rule is TieRule.LOT
    assert set(first.tied_with) | {first.winner} == {"F01", "F02", "F03"}
    winners = {count_votes(choices, ORDER, settings, lot_seed=bytes([n])).winner for n in range(60)}
    assert winners == {"F01", "F02", "F03"}  # every tied film can win the draw


def test_tally_without_votes_has_no_winner_and_ignores_unknown_films() -> None:
    assert count_votes([], ORDER, VoteSettings()).winner is None
    tally = count_votes(["F99", "F02"], ORDER, VoteSettings())
    assert tally.winner == "F02" and tally.ballots == 2 and "F99" not in tally.counts


def _programme() -> Programme:
    films = tuple(
        Film(
            id=film_id,
            position=n,
            title_en=f"Film {n}",
            title_zh=f"電影{n}",
            director="D",
            country="HK",
            year=2026,
            file=Path(f"{film_id}.mp4"),
            declared_runtime_s=200,
            block="A",
        )
        for n, film_id in enumerate(ORDER, start=1)
    )
    return Programme(Path("p.toml"), "P", "節目", films, ())


def test_viewer_result_carries_share_and_tie_in_the_citation() -> None:
    tally = count_votes(["F04", "F02", "F04", "F02", "F01"], ORDER, VoteSettings(nominees=3))
    result = viewer_result("viewers", tally, _programme())
    assert result is not None
    assert (result.category, result.winner) == ("viewers", "F02")
    assert result.nominees == ("F01", "F02", "F04")
    assert result.citation_en.startswith("2 of 5 votes (40%).")
    assert "Tied with ‘Film 4’ at 2 votes each" in result.citation_en
    assert "programme order" in result.citation_en
    assert "《電影4》" in result.citation_zh and "放映次序" in result.citation_zh


def test_viewer_result_without_votes_is_none() -> None:
    assert viewer_result("viewers", count_votes([], ORDER, VoteSettings()), _programme()) is None


# --- the films on the ballot ---------------------------------------------------------------


def test_every_film_is_on_the_ballot_before_the_show() -> None:
    assert films_on_the_ballot(ORDER, []) == tuple(ORDER)


def test_skipped_or_failed_films_never_shown_are_not_on_the_ballot() -> None:
    entries: list[tuple[str, dict[str, object]]] = [
        ("film_started", {"film": "F01", "position": 0.0}),
        ("film_status", {"film": "F01", "status": "played"}),
        ("film_status", {"film": "F02", "status": "skipped"}),  # skipped before it started
        ("film_started", {"film": "F03", "position": 0.0}),
        ("film_status", {"film": "F03", "status": "skipped"}),  # skipped part-way: was shown
        ("film_status", {"film": "F04", "status": "failed"}),  # never a frame
    ]
    assert films_on_the_ballot(ORDER, entries) == ("F01", "F03", "F05")  # F05 not reached yet


def test_a_start_over_forgets_the_earlier_run() -> None:
    entries: list[tuple[str, dict[str, str]]] = [
        ("film_status", {"film": "F02", "status": "skipped"}),
        ("show_reset", {}),
        ("film_status", {"film": "F02", "status": "pending"}),
    ]
    assert "F02" in films_on_the_ballot(ORDER, entries)


def test_an_address_only_this_laptop_answers_is_not_for_phones() -> None:
    from kiosk.services.vote_address import phones_can_reach

    assert not phones_can_reach("http://127.0.0.1:8080/")
    assert not phones_can_reach("http://[::1]:8080/")
    assert not phones_can_reach("http://localhost:8080/")
    assert phones_can_reach("http://192.168.1.23:8080/")
    assert phones_can_reach("http://aiff-console.lan/")
