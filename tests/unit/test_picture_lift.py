"""When the curtain may come off a film fading up from black: libvlc's line, then a black
picture proved drawn, or the bounded fallback."""

from __future__ import annotations

import pytest

from kiosk.core.picture_lift import PROOF_WITHIN_S, PictureLift, added_filter, dark, ease


def steps(lift: PictureLift, *times: float) -> list[tuple[float, bool, bool]]:
    """(level, lift the curtain, finished) at each time, in order."""
    return [(round(s.level, 3), s.lift_curtain, s.finished) for s in map(lift.step, times)]


def waiting(lift: PictureLift) -> tuple[bool, bool]:
    """(held at black, proving a picture drawn)."""
    return lift.held, lift.proving


def test_libvlc_line_for_the_adjust_filter_is_read() -> None:
    assert added_filter("main", "Adding 'adjust' as interactive") == "adjust"
    assert added_filter("main", "Adding 'deinterlace' as static") == "deinterlace"
    assert added_filter("main", 'using video filter module "adjust"') is None
    assert added_filter("main", "Adding a filter to compensate for format changes") is None
    assert added_filter("pulse", "Adding 'adjust' as interactive") is None


def test_a_snapshot_is_black_only_when_dark_throughout() -> None:
    assert dark(bytes(64 * 36)) and dark(bytes([8]) * 100)
    assert not dark(bytes([175]) * 100) and not dark(b"")
    assert not dark(bytes(90) + bytes([255]) * 10)  # a bright corner is a picture


def test_the_picture_is_held_black_and_the_curtain_kept_until_a_filtered_picture_is_drawn() -> None:
    lift = PictureLift(switched_on_at=10.0, seconds=1.0)
    # however long a loaded libvlc takes (the old rule dropped the curtain at +0.12 s)
    assert steps(lift, 10.02, 10.12, 10.5, 11.2) == [(0.0, False, False)] * 4
    lift.picture_drawn(11.21)  # a proof with no line first is not one
    assert waiting(lift) == (True, False)
    assert lift.filter_applied(11.3)  # libvlc has the filter in: prove a picture drawn
    assert waiting(lift) == (True, True)
    assert steps(lift, 11.35) == [(0.0, False, False)]  # not yet drawn
    lift.picture_drawn(11.4)
    assert steps(lift, 11.4) == [(0.0, True, False)]  # the curtain drops, the picture black
    assert steps(lift, 11.9, 12.1) == [(0.5, False, False), (0.794, False, False)]
    assert steps(lift, 12.4) == [(1.0, False, True)]  # the ramp from the proof, then the end


def test_the_curtain_drops_once_even_with_more_lines() -> None:
    lift = PictureLift(switched_on_at=0.0, seconds=1.0)
    assert lift.filter_applied(0.05)
    assert not lift.filter_applied(0.06)  # one proof is enough
    lift.picture_drawn(0.1)
    assert lift.step(0.11).lift_curtain
    assert not lift.filter_applied(0.3)  # the same filter again (a new film in the player)
    lift.picture_drawn(0.35)
    assert not lift.step(0.36).lift_curtain
    assert lift.level(0.6) == pytest.approx(ease(0.5))  # the ramp kept its start


def test_a_line_from_before_the_switch_belongs_to_an_earlier_fade() -> None:
    lift = PictureLift(switched_on_at=5.0, seconds=1.0)
    assert not lift.filter_applied(4.99)
    assert steps(lift, 5.1) == [(0.0, False, False)] and waiting(lift) == (True, False)


def test_no_proof_in_time_ramps_under_the_curtain_and_lifts_it_at_full() -> None:
    lift = PictureLift(switched_on_at=0.0, seconds=1.0)
    assert lift.filter_applied(0.2)  # the line came, but no picture proved drawn (starved)
    assert steps(lift, PROOF_WITHIN_S - 0.01) == [(0.0, False, False)]
    assert steps(lift, PROOF_WITHIN_S) == [(0.0, False, False)]  # the ramp starts, covered
    assert lift.fell_back and waiting(lift) == (False, False)
    lift.picture_drawn(PROOF_WITHIN_S + 0.1)  # too late: the film is already part way up
    assert steps(lift, PROOF_WITHIN_S + 0.5) == [(0.5, False, False)]
    # the curtain comes off only with the film at full: a harder lift, never a flash
    assert steps(lift, PROOF_WITHIN_S + 1.0) == [(1.0, True, True)]


def test_no_line_at_all_falls_back_the_same_way() -> None:
    lift = PictureLift(switched_on_at=0.0, seconds=0.5)
    assert steps(lift, 1.0, PROOF_WITHIN_S) == [(0.0, False, False)] * 2
    assert steps(lift, PROOF_WITHIN_S + 0.5) == [(1.0, True, True)]


def test_a_fade_of_no_length_lifts_at_the_proof_at_full() -> None:
    lift = PictureLift(switched_on_at=0.0, seconds=0.0)
    assert steps(lift, 0.05) == [(0.0, False, False)]
    lift.filter_applied(0.06)
    lift.picture_drawn(0.1)
    assert steps(lift, 0.11) == [(1.0, True, True)]
