"""The reveal's plan and state machine: steps in order, GO/back/black/holding, clips, resume."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from kiosk.core.awards import (
    REVEAL_BLACK,
    REVEAL_CLIP_ENDED,
    REVEAL_OPENED,
    REVEAL_RESET,
    REVEAL_STEP,
    CategoryResult,
    ClipRange,
    JuryResults,
    PlayClip,
    Present,
    Refused,
    RevealEffect,
    RevealMachine,
    RevealScreen,
    RevealStep,
    ShowHoldingSlide,
    StepKind,
    Sting,
    StopClip,
    build_plan,
    plan_fingerprint,
    reveal_resume_point,
)
from kiosk.core.event import AwardCategory
from kiosk.core.show import Black, Journal, Unblack

BEST = AwardCategory("best-film", "Best Film", "最佳影片")
NARRATIVE = AwardCategory("best-narrative", "Best Narrative", "最佳敘事")
VIEWERS = AwardCategory("viewers", "Viewer's Award", "觀眾獎", "audience")
AWARDS = (BEST, NARRATIVE, VIEWERS)

RESULTS = JuryResults(
    (
        CategoryResult(
            "best-film",
            "F11",
            ("F03", "F11", "F17"),
            citation_en="For maps.",
            citation_zh="地圖。",
            clip=ClipRange(5.0, 12.0),
        ),
        CategoryResult("best-narrative", "F18", ("F07", "F18"), honourable_mentions=("F07",)),
    )
)


def kinds(plan: tuple[RevealStep, ...]) -> list[str]:
    return [step.key for step in plan]


def presented(effects: Sequence[object]) -> list[str]:
    return [e.step.key for e in effects if isinstance(e, Present)]


def records(effects: Sequence[object]) -> list[Journal]:
    return [e for e in effects if isinstance(e, Journal)]


def test_plan_follows_the_configured_order_with_optional_steps() -> None:
    plan = build_plan(AWARDS, RESULTS)
    assert kinds(plan) == [
        "opening",
        "category:best-film",
        "nominees:best-film",
        "envelope:best-film",
        "winner:best-film",
        "clip:best-film",
        "category:best-narrative",
        "nominees:best-narrative",
        "mentions:best-narrative",
        "envelope:best-narrative",
        "winner:best-narrative",
        "category:viewers",
        "pending:viewers",
        "closing",
    ]
    assert [s.index for s in plan] == list(range(len(plan)))
    assert plan[1].award_number == 1 and plan[1].award_count == 3
    assert plan[12].award_number == 3


def test_an_unsealed_audience_award_has_a_result_to_follow_slot() -> None:
    plan = build_plan((VIEWERS,), JuryResults(()))
    assert kinds(plan) == ["opening", "category:viewers", "pending:viewers", "closing"]


def test_a_sealed_audience_award_is_revealed_like_a_jury_award() -> None:
    results = JuryResults((CategoryResult("viewers", "F02", ("F01", "F02")),))
    plan = build_plan((VIEWERS,), results)
    assert "winner:viewers" in kinds(plan)


def test_every_step_names_its_category_but_never_a_film() -> None:
    for step in build_plan(AWARDS, RESULTS):
        text = step.describe()
        if step.award is not None:
            assert step.award.name_en in text and step.award.name_zh in text
        for film_id in RESULTS.film_ids():
            assert film_id not in text and film_id not in step.key


def test_go_walks_the_plan_with_a_sting_and_the_clip() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS)
    opened = machine.open()
    assert records(opened)[0].kind == REVEAL_OPENED
    assert machine.snapshot().screen is RevealScreen.NOTHING_YET
    steps: list[list[RevealEffect]] = [machine.go() for _ in range(5)]
    assert presented(steps[0]) == ["opening"]
    assert presented(steps[3]) == ["envelope:best-film"]
    assert any(isinstance(e, Sting) for e in steps[3])
    assert not any(isinstance(e, Sting) for s in steps[:3] + steps[4:] for e in s)
    assert presented(steps[4]) == ["winner:best-film"]
    assert steps[4][0] == Present(machine.plan[4], entering=True)
    clip = machine.go()
    assert clip[0] == PlayClip(machine.plan[5], "F11", 5.0, 12.0)
    assert machine.snapshot().clip_playing
    # projector effects come before the journal
    for batch in [*steps, clip]:
        kinds_in_order = [isinstance(e, Journal) for e in batch]
        assert kinds_in_order == sorted(kinds_in_order)


def test_the_clip_ends_on_the_winner_card_and_go_moves_on() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS, resume_at=4)
    machine.open()
    machine.go()  # back from black, at the winner
    machine.go()  # the clip
    assert machine.clip_position(11.0) == []
    ended = machine.clip_position(12.05)
    assert isinstance(ended[0], StopClip)
    assert presented(ended) == ["winner:best-film"]
    assert ended[1] == Present(machine.plan[4], entering=False)
    assert records(ended)[0].kind == REVEAL_CLIP_ENDED
    assert machine.clip_finished() == []  # only once
    assert presented(machine.go()) == ["category:best-narrative"]


def test_go_during_the_clip_stops_it_and_moves_on() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS, resume_at=4)
    machine.open()
    machine.go()
    machine.go()
    effects = machine.go()
    assert isinstance(effects[0], StopClip)
    assert presented(effects) == ["category:best-narrative"]


def test_back_shows_the_previous_step_still_and_during_a_clip_the_winner() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS)
    machine.open()
    assert isinstance(machine.back()[0], Refused)
    for _ in range(6):
        machine.go()
    back = machine.back()
    assert isinstance(back[0], StopClip)
    assert back[1] == Present(machine.plan[4], entering=False)
    back = machine.back()  # the clip step itself -> step 4 (winner) -> now 3 (envelope)
    assert presented(back) == ["winner:best-film"]
    back = machine.back()
    assert presented(back) == ["envelope:best-film"]
    assert not any(isinstance(e, Sting) for e in back)
    assert all(not e.entering for e in back if isinstance(e, Present))


def test_black_holds_and_go_brings_the_same_step_back() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS, fade_s=1.5)
    machine.open()
    machine.go()
    machine.go()
    black = machine.fade_to_black()
    assert black[0] == Black(1.5)
    assert records(black)[0] == Journal(REVEAL_BLACK, {"on": True})
    assert machine.snapshot().screen is RevealScreen.BLACK
    back = machine.go()
    assert presented(back) == ["category:best-film"]
    assert Unblack(1.5) in back
    assert machine.current is not None and machine.current.kind is StepKind.CATEGORY
    assert machine.cut_to_black()[0] == Black(0.0)
    assert presented(machine.cut_to_black()) == ["category:best-film"]  # again: lift


def test_black_during_the_clip_stops_it() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS, resume_at=5)
    machine.open()
    machine.go()  # from black: clip step shown still = the winner card
    assert not machine.snapshot().clip_playing
    machine.back()
    machine.go()  # the clip, entered by GO
    assert machine.snapshot().clip_playing
    effects = machine.cut_to_black()
    assert isinstance(effects[0], StopClip)
    assert not machine.snapshot().clip_playing


def test_the_holding_slide_keeps_the_place() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS)
    machine.open()
    for _ in range(3):
        machine.go()
    held = machine.toggle_holding()
    assert isinstance(held[0], ShowHoldingSlide)
    assert machine.snapshot().screen is RevealScreen.HOLDING
    assert presented(machine.toggle_holding()) == ["nominees:best-film"]
    machine.toggle_holding()
    assert presented(machine.go()) == ["nominees:best-film"]  # GO also returns, no advance
    assert presented(machine.go()) == ["envelope:best-film"]


def test_the_end_refuses_go() -> None:
    plan = build_plan((VIEWERS,), JuryResults(()))
    machine = RevealMachine(plan, JuryResults(()))
    machine.open()
    for _ in range(len(plan)):
        machine.go()
    assert machine.snapshot().finished
    refused = machine.go()
    assert isinstance(refused[0], Refused) and "over" in refused[0].reason


def test_journal_records_never_name_a_film() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS)
    batches = [machine.open()]
    for _ in range(len(machine.plan) + 1):
        batches.append(machine.go())
        batches.append(machine.clip_position(1e9))
    batches += [machine.back(), machine.fade_to_black(), machine.go(), machine.toggle_holding()]
    text = json.dumps([r.data for b in batches for r in records(b)], ensure_ascii=False)
    for film_id in RESULTS.film_ids():
        assert film_id not in text
    assert "For maps." not in text and "地圖" not in text


def test_resume_from_the_journal_lands_on_the_same_step_under_black() -> None:
    plan = build_plan(AWARDS, RESULTS)
    machine = RevealMachine(plan, RESULTS)
    journal: list[tuple[str, dict[str, object]]] = []

    def keep(effects: Sequence[object]) -> None:
        journal.extend((r.kind, dict(r.data)) for r in records(effects))

    keep(machine.open())
    for _ in range(4):
        keep(machine.go())
    keep(machine.fade_to_black())
    point = reveal_resume_point(journal)
    assert point is not None and point.index == 3 and point.fingerprint == plan_fingerprint(plan)

    again = RevealMachine(plan, RESULTS, resume_at=point.index)
    opened = again.open()
    assert opened[0] == Black(0.0)
    assert again.snapshot().screen is RevealScreen.BLACK
    assert again.current == plan[3]
    assert presented(again.go()) == ["envelope:best-film"]
    assert not any(isinstance(e, Sting) for e in again.go())  # next: the winner, no sting

    keep(again.open())
    assert reveal_resume_point(journal) is not None
    journal.append((REVEAL_RESET, {}))
    assert reveal_resume_point(journal) is None
    assert reveal_resume_point([]) is None
    assert reveal_resume_point([(REVEAL_OPENED, {"plan": "x", "resume_at": -1})]) is None
    assert reveal_resume_point(
        [(REVEAL_OPENED, {"plan": "x", "resume_at": -1}), (REVEAL_STEP, {"step": 2})]
    ) == type(point)(2, "x")


def test_an_empty_plan_is_refused() -> None:
    with pytest.raises(ValueError):
        RevealMachine((), RESULTS)


def test_the_clip_fades_out_into_the_winner_card() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS, resume_at=4, clip_fade_s=0.8)
    machine.open()
    machine.go()  # the winner, back from black
    machine.go()  # the clip, 5 s to 12 s
    assert machine.clip_position(11.0) == []
    assert machine.clip_position(11.3) == [Black(0.8)]
    assert machine.clip_position(11.6) == []  # only once
    ended = machine.clip_position(12.0)
    assert ended[:3] == [StopClip(), Present(machine.plan[4], entering=False), Unblack(0.8)]
    assert machine.snapshot().screen is RevealScreen.STEP


def test_go_while_the_clip_fades_out_lifts_the_black_for_the_next_step() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS, resume_at=4)
    machine.open()
    machine.go()
    machine.go()
    machine.clip_position(11.5)
    effects = machine.go()
    assert effects[0] == StopClip()
    assert presented(effects) == ["category:best-narrative"]
    assert Unblack(0.0) in effects


def test_black_while_the_clip_fades_out_holds_black() -> None:
    machine = RevealMachine(build_plan(AWARDS, RESULTS), RESULTS, resume_at=4)
    machine.open()
    machine.go()
    machine.go()
    machine.clip_position(11.5)
    effects = machine.cut_to_black()
    assert effects[:2] == [StopClip(), Black(0.0)]
    assert not any(isinstance(e, Unblack) for e in effects)
    assert machine.snapshot().black and not machine.snapshot().clip_playing
