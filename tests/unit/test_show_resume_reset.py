"""Starting the night over: `show_reset` in the journal hides the earlier show from resume."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.core.show import SHOW_RESET, FilmStatus, ResumePoint, resume_point, under_way


def test_show_reset_forgets_the_earlier_show() -> None:
    earlier: list[tuple[str, Mapping[str, object]]] = [
        ("cue_started", {"cue": "film:F02", "position": 0.0}),
        ("film_status", {"film": "F01", "status": "played"}),
        ("film_position", {"film": "F02", "position": 42.0}),
    ]
    point = resume_point(earlier)
    assert point == ResumePoint("film:F02", 42.0, (("F01", FilmStatus.PLAYED),))
    assert under_way(point)
    assert resume_point([*earlier, (SHOW_RESET, {})]) is None
    again = resume_point([*earlier, (SHOW_RESET, {}), ("cue_started", {"cue": "holding"})])
    assert again == ResumePoint("holding", 0.0, ())
    assert not under_way(again) and not under_way(None)
    assert not under_way(ResumePoint("end"))
