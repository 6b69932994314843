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


def test_the_sound_as_last_journalled_survives_a_start_over() -> None:
    from kiosk.core.show import SoundSettings, sound_settings

    assert sound_settings([]) == SoundSettings()  # never set: the players keep their own
    entries: list[tuple[str, Mapping[str, object]]] = [
        ("master_volume", {"percent": 80}),
        ("gain_trim", {"film": "F01", "trim_db": -1.5}),
        ("mute", {"muted": True}),
        (SHOW_RESET, {}),  # Start over keeps the sound as the operator left it
        ("master_volume", {"percent": 95.0}),
        ("gain_trim", {"film": "F01", "trim_db": 0.5}),
        ("gain_trim", {"film": "F02", "trim_db": "loud"}),  # not a number: left out
        ("mute", {"muted": False}),
    ]
    assert sound_settings(entries) == SoundSettings(95.0, False, {"F01": 0.5})


def test_the_night_start_is_one_read_of_the_journal(tmp_path: Path) -> None:
    """The resume point, the sound and the music's entries, all from one read (before any
    window): the console reads nothing back when a show opens."""
    from kiosk.night.show import read_night_start
    from kiosk.store.database import open_database
    from kiosk.store.journal import Journal as JournalStore

    journal = JournalStore(open_database(tmp_path / "event.db"))
    journal.append_all(
        [
            ("cue_started", None, {"cue": "film:F02", "position": 0.0}),
            ("film_position", "F02", {"film": "F02", "position": 12.0}),
            ("master_volume", None, {"percent": 70}),
            ("music_level", None, {"percent": 40}),
        ]
    )
    start = read_night_start(journal)
    assert start.resume is not None and start.resume.cue_key == "film:F02"
    assert start.sound.master_percent == 70.0
    assert start.music == (("music_level", {"percent": 40}),)
