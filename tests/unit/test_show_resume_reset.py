"""Starting the night over: `show_reset` in the journal hides the earlier show from resume."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

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


def test_show_started_at_is_the_first_go_of_the_current_night() -> None:
    from kiosk.core.show import show_started_at

    assert show_started_at([]) is None
    assert show_started_at([("cue_started", 1), ("film_position", 2)]) is None
    night = [("show_started", 10), ("cue_started", 11), ("restored", 40)]
    assert show_started_at(night) == 10
    assert show_started_at([*night, ("show_started", 50)]) == 10  # a restore never restarts it
    assert show_started_at([*night, (SHOW_RESET, 60)]) is None
    assert show_started_at([*night, (SHOW_RESET, 60), ("show_started", 70)]) == 70


def test_a_restored_show_counts_its_elapsed_from_the_first_go(tmp_path: Path) -> None:
    from kiosk.core.programme import programme_from_dict
    from kiosk.core.show import ShowMachine, ShowOptions

    film = {"title_en": "F", "title_zh": "F", "director": "D", "country": "Hong Kong"}
    films = [{**film, "id": "F01", "year": 2026, "runtime": 60, "file": "films/F01.mp4"}]
    data = {"programme": {"name_en": "T", "name_zh": "T"}, "films": films}
    programme = programme_from_dict(data, tmp_path / "programme.toml")
    point = ResumePoint("film:F01", 12.0, (), show_elapsed_s=95.0)
    show = ShowMachine(programme, ShowOptions(), point)
    show.open(1000.0)
    snap = show.snapshot(1010.0)
    assert snap.show_elapsed_s == 105.0  # 95 s before the restart, 10 s since
    assert snap.film_elapsed_s == 12.0  # held paused where it stopped
    before = ShowMachine(programme, ShowOptions(), ResumePoint("holding", show_elapsed_s=95.0))
    before.open(1000.0)
    assert before.snapshot(1010.0).show_elapsed_s == 0.0  # the holding slide: not begun
