"""Music for the room, as plain logic: the `[music]` table, when the show machine asks for
music and for its fade, and what the music deck does (order, crossfade, skip, pause, level)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.core.music import (
    FadeOutTrack,
    MusicDeck,
    MusicLevel,
    MusicRefused,
    MusicTrack,
    PauseTracks,
    PlayTrack,
    ResumeTracks,
    music_deck,
    music_resume,
    play_order,
)
from kiosk.core.music_check import assess_music, is_music_check, music_check_id
from kiosk.core.music_plan import CLEAR_BEFORE_FILM_S, MusicList, MusicMoment, MusicPlan
from kiosk.core.preflight import MediaFacts
from kiosk.core.problems import ConfigError
from kiosk.core.programme import Programme, programme_from_dict
from kiosk.core.show import (
    CueKind,
    CutToFilm,
    FadeMusic,
    Journal,
    PlayFilm,
    ResumePoint,
    ShowCard,
    ShowMachine,
    ShowOptions,
    StartMusic,
)
from kiosk.services.music import playable_tracks
from tests.conftest import four_film_programme

DOORS, INTERVAL, END = MusicMoment.DOORS, MusicMoment.INTERMISSION, MusicMoment.END


def with_music(tmp_path: Path, music: dict[str, object]) -> Programme:
    base = four_film_programme(tmp_path)
    data = {
        "programme": {"name_en": "Test night", "name_zh": "測試"},
        "films": [
            {
                "id": f.id,
                "title_en": f.title_en,
                "title_zh": f.title_zh,
                "director": f.director,
                "country": f.country,
                "year": f.year,
                "runtime": f.declared_runtime_s,
                "file": str(f.file),
            }
            for f in base.films
        ],
        "intermission": {"after_film": "F02", "minutes": 1},
        "music": music,
    }
    return programme_from_dict(data, tmp_path / "programme.toml")


# The [music] table ---------------------------------------------------------------------------


def test_music_table_reads_folders_lists_and_tables(tmp_path: Path) -> None:
    programme = with_music(
        tmp_path,
        {
            "doors": "music/doors",
            "intermission": ["music/a.mp3", "/abs/b.flac"],
            "end": {"files": ["walk.m4a"], "shuffle": True},
            "shuffle": False,
            "fade_seconds": 2.5,
            "level_offset_lu": 6,
        },
    )
    plan = programme.music
    assert plan is not None
    doors, interval, end = (plan.list_for(m) for m in MusicMoment)
    assert doors is not None and doors.folder == tmp_path / "music/doors" and not doors.files
    assert interval is not None
    assert interval.files == (tmp_path / "music/a.mp3", Path("/abs/b.flac"))
    assert end is not None and end.shuffle and end.files == (tmp_path / "walk.m4a",)
    assert (plan.fade_s, plan.crossfade_s, plan.offset_lu) == (2.5, 3.0, 6.0)
    assert plan.target_lufs(-23.0) == -29.0


def test_music_table_problems_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        with_music(
            tmp_path,
            {"doors": ["notes.txt"], "end": 3, "fade_seconds": -1, "encore": "x", "shuffle": "y"},
        )
    text = str(caught.value)
    assert "'notes.txt' is not an audio file" in text
    assert "must be a folder, a list of files or a table" in text
    assert "fade_seconds" in text and "encore" in text and "shuffle" in text


def test_a_programme_without_music_has_none(tmp_path: Path) -> None:
    assert four_film_programme(tmp_path).music is None


# The show machine's music effects ---------------------------------------------------------


def music_effects(effects: Sequence[object]) -> list[object]:
    return [e for e in effects if isinstance(e, StartMusic | FadeMusic)]


def test_machine_plays_doors_music_and_fades_it_before_the_first_film(tmp_path: Path) -> None:
    programme = with_music(
        tmp_path, {"doors": "d", "intermission": "i", "end": "e", "fade_seconds": 4}
    )
    machine = ShowMachine(programme, ShowOptions(title_card_seconds=3.0, go_guard_s=0))
    assert music_effects(machine.open(0.0)) == [StartMusic(DOORS)]
    go = machine.go(10.0)
    # the card lasts 3 s: the fade is cut to end CLEAR_BEFORE_FILM_S before the film
    assert music_effects(go) == [FadeMusic(round(3.0 - CLEAR_BEFORE_FILM_S, 3))]
    fade_at = next(i for i, e in enumerate(go) if isinstance(e, FadeMusic))
    assert fade_at < next(i for i, e in enumerate(go) if isinstance(e, ShowCard))
    film = machine.tick(13.1)
    fade = next(e for e in film if isinstance(e, FadeMusic))
    start = next(e for e in film if isinstance(e, PlayFilm | CutToFilm))
    assert fade == FadeMusic(0.0) and film.index(fade) < film.index(start)


def test_machine_music_at_intermission_and_end_and_after_restore(tmp_path: Path) -> None:
    programme = with_music(tmp_path, {"intermission": "i", "end": "e"})
    machine = ShowMachine(programme, ShowOptions(title_card_seconds=0, go_guard_s=0))
    assert music_effects(machine.open(0.0)) == []  # no doors music in this programme
    assert music_effects(machine.jump_to(1.0, "intermission")) == [StartMusic(INTERVAL, 1.0)]
    after = machine.go(2.0)
    assert music_effects(after) == [FadeMusic(0.0)]  # no title cards: at once
    assert music_effects(machine.jump_to(3.0, "end")) == [StartMusic(END, 1.0)]
    restored = ShowMachine(programme, ShowOptions(), ResumePoint("intermission"))
    assert music_effects(restored.open(0.0)) == [StartMusic(INTERVAL, 1.0)]
    assert restored.cue.kind is CueKind.INTERMISSION


def test_machine_fade_never_longer_than_the_plan(tmp_path: Path) -> None:
    programme = with_music(tmp_path, {"doors": "d", "fade_seconds": 2})
    machine = ShowMachine(programme, ShowOptions(title_card_seconds=8.0))
    machine.open(0.0)
    assert music_effects(machine.go(5.0)) == [FadeMusic(2.0)]


def test_machine_without_music_asks_for_none(tmp_path: Path) -> None:
    machine = ShowMachine(four_film_programme(tmp_path), ShowOptions(go_guard_s=0))
    effects = machine.open(0.0) + machine.go(1.0) + machine.tick(20.0)
    assert music_effects(effects) == []


# The music deck ------------------------------------------------------------------------------


def tracks(*names: str, gain: float = -3.0) -> tuple[MusicTrack, ...]:
    return tuple(MusicTrack(Path(f"/m/{n}.mp3"), gain) for n in names)


def deck(**options: object) -> MusicDeck:
    return MusicDeck(
        {DOORS: tracks("d1", "d2", "d3"), INTERVAL: tracks("i1")},
        crossfade_s=3.0,
        **options,  # type: ignore[arg-type]
    )


def plays(effects: Sequence[object]) -> list[tuple[int, str, float]]:
    return [(e.deck, e.track.name, e.fade_in_s) for e in effects if isinstance(e, PlayTrack)]


def kinds(effects: Sequence[object]) -> list[str]:
    return [e.kind for e in effects if isinstance(e, Journal)]


def test_deck_starts_in_order_and_crossfades_before_the_end() -> None:
    music = deck()
    started = music.start(0.0, DOORS)
    assert plays(started) == [(0, "d1", 0.0)] and kinds(started) == ["music_started"]
    assert music.start(1.0, DOORS) == []  # already playing: nothing
    assert music.track_position(10.0, 0, 50.0, 60.0) == []
    # the crossfade is over CROSSFADE_LEAD_S (2 s) before the end: 4.5 s left, 2.5 s fade
    cross = music.track_position(12.0, 0, 55.5, 60.0)
    assert FadeOutTrack(0, 2.5) in cross and plays(cross) == [(1, "d2", 2.5)]
    assert kinds(cross) == ["music_track"]
    assert music.track_position(12.5, 1, 0.5, 60.0) == []
    assert music.track_ended(14.5, 0) == []  # the old deck ending changes nothing
    view = music.view(15.0)
    assert (view.track, view.next_track, view.number, view.count) == ("d2", "d3", 2, 3)


def test_deck_skip_pause_resume_level_and_fade() -> None:
    music = deck()
    music.start(0.0, DOORS)
    skipped = music.skip(1.0)
    assert FadeOutTrack(0, 1.0) in skipped and plays(skipped) == [(1, "d2", 0.0)]
    assert kinds(skipped) == ["music_track", "music_skipped"]
    assert music.pause(2.0)[0] == PauseTracks()
    assert music.view(2.0).state.value == "paused"
    assert isinstance(music.pause(2.1)[0], MusicRefused)
    assert music.resume(3.0)[0] == ResumeTracks()
    assert music.set_level(3.5, -4.0)[0] == MusicLevel(-4.0)
    assert music.set_level(3.6, -99.0)[0] == MusicLevel(-30.0)
    faded = music.fade_out(4.0, 2.0, by="booth")
    assert FadeOutTrack(1, 2.0) in faded and kinds(faded) == ["music_faded"]
    assert music.view(4.5).state.value == "fading"
    music.tick(6.1)
    assert music.view(6.1).state.value == "off"
    assert isinstance(music.skip(7.0)[0], MusicRefused)


def test_deck_fade_of_paused_music_resumes_it_to_fade() -> None:
    music = deck()
    music.start(0.0, DOORS)
    music.pause(1.0)
    faded = music.fade_out(2.0, 3.0)
    assert ResumeTracks() in faded and FadeOutTrack(0, 3.0) in faded


def test_deck_moves_on_from_a_track_that_fails_and_stops_when_all_fail() -> None:
    music = deck()
    music.start(0.0, DOORS)
    moved = music.track_failed(0.5, 0, "cannot decode")
    assert [p[1] for p in plays(moved)] == ["d2"] and "music_failed" in kinds(moved)
    third = music.track_failed(0.6, plays(moved)[0][0], "x")
    last = music.track_failed(0.7, plays(third)[0][0], "x")
    assert isinstance(last[0], MusicRefused) and music.view(1.0).state.value == "off"


def test_deck_one_track_loops_and_new_moment_replaces_the_old() -> None:
    music = deck()
    music.start(0.0, INTERVAL)
    again = music.track_position(1.0, 0, 59.98, 60.0)  # too late to fade: the next at once
    assert plays(again) == [(0, "i1", 0.0)] and FadeOutTrack(0, 0.0) in again
    doors = music.start(2.0, DOORS)
    assert FadeOutTrack(0, 0.0) in doors and plays(doors) == [(0, "d1", 0.0)]
    assert music.moment is DOORS


def test_deck_without_crossfade_waits_for_the_end() -> None:
    music = MusicDeck({DOORS: tracks("d1", "d2")}, crossfade_s=0.0)
    music.start(0.0, DOORS)
    assert music.track_position(1.0, 0, 59.9, 60.0) == []
    assert plays(music.track_ended(2.0, 0)) == [(0, "d2", 0.0)]


def test_deck_start_can_rise_from_silence() -> None:
    assert plays(deck().start(0.0, INTERVAL, 1.0)) == [(0, "i1", 1.0)]


def test_deck_takes_new_lists_and_the_track_playing_plays_on() -> None:
    music = deck()
    music.start(0.0, DOORS)
    music.skip(1.0)  # d2 on deck 1
    music.set_tracks({DOORS: tracks("d1", "d2", gain=-6.0)})
    assert music.view(2.0).track == "d2" and music.view(2.0).next_track == "d1"
    after = music.skip(3.0)
    assert [e.track.gain_db for e in after if isinstance(e, PlayTrack)] == [-6.0]


def test_deck_refuses_a_moment_without_tracks() -> None:
    music = deck()
    assert isinstance(music.start(0.0, END)[0], MusicRefused)


def test_shuffle_is_the_same_order_for_the_same_seed() -> None:
    assert play_order(5, False, "x") == (0, 1, 2, 3, 4)
    shuffled = play_order(8, True, "night:doors")
    assert shuffled == play_order(8, True, "night:doors")
    assert sorted(shuffled) == list(range(8)) and shuffled != tuple(range(8))
    plan = MusicPlan()
    made = music_deck(replace(plan, crossfade_s=1.5), {DOORS: tracks("a", "b")}, seed="s")
    assert made.level_db == 0.0
    assert made.crossfade_s == 1.5 and made.tracks[DOORS][0].name == "a"


# Preflight of music files ------------------------------------------------------------------


def measured(**facts: object) -> MediaFacts:
    base: dict[str, object] = {
        "exists": True,
        "readable": True,
        "audio_streams": 1,
        "audio_channels": 2,
        "decoded_duration_s": 180.0,
        "loudness_lufs": -20.0,
        "true_peak_dbtp": -3.0,
        "file_size": 1000,
    }
    return MediaFacts(**{**base, **facts})  # type: ignore[arg-type]


def test_music_check_brings_a_track_to_the_music_target() -> None:
    check = assess_music(Path("/m/a.mp3"), measured(), target_lufs=-31.0)
    assert check.ok and check.gain_db == -11.0 and check.film_id == "music:/m/a.mp3"
    assert is_music_check(check.film_id) and not is_music_check("F01")


@pytest.mark.parametrize(
    ("facts", "said"),
    [
        ({"exists": False, "readable": False}, "music file not found"),
        ({"readable": False, "error": "Invalid data"}, "cannot be read as an audio file"),
        ({"audio_streams": 0}, "has no sound"),
        ({"decoded_duration_s": 2.0}, "too short for room music (2.0 s"),
        ({"loudness_lufs": None}, "is silent"),
        ({"decode_errors": ("Invalid frame",)}, "does not decode cleanly: Invalid frame"),
    ],
)
def test_music_check_leaves_out_what_would_not_play_well(
    facts: dict[str, object], said: str
) -> None:
    check = assess_music(Path("/m/bad.mp3"), measured(**facts), target_lufs=-31.0)
    assert not check.ok and any(said in p for p in check.problems), check.problems


def test_music_check_says_when_the_peak_limits_the_gain() -> None:
    check = assess_music(
        Path("/m/quiet.mp3"), measured(loudness_lufs=-45.0, true_peak_dbtp=-4.0), target_lufs=-31
    )
    assert check.ok and check.gain_db == 3.0 and check.gain_limited_by == "true_peak"
    assert any("gain limited" in w for w in check.warnings)


def test_playable_tracks_use_the_measured_gain_and_say_what_is_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "doors"
    folder.mkdir()
    for name in ("b.mp3", "a.mp3", "c.mp3", "notes.txt"):
        (folder / name).write_bytes(b"x" * 1000)
    plan = MusicPlan(
        (
            MusicList(DOORS, (), folder),
            MusicList(INTERVAL, (tmp_path / "missing.mp3",), tmp_path / "empty"),
        )
    )
    checks = {
        music_check_id(folder / "a.mp3"): assess_music(
            folder / "a.mp3", measured(), target_lufs=-31
        ),
        music_check_id(folder / "b.mp3"): assess_music(
            folder / "b.mp3", measured(audio_streams=0), target_lufs=-31
        ),
    }
    found = playable_tracks(plan, checks)
    doors = found.tracks[DOORS]
    assert [(t.name, t.gain_db, t.measured) for t in doors] == [
        ("a", -11.0, True),
        ("c", -8.0, False),  # not measured: the plan's offset under the films
    ]
    notes = " | ".join(found.notes)
    assert "b.mp3 left out: has no sound" in notes and "c.mp3 is not measured" in notes
    assert "missing.mp3: file not found" in notes and "empty" in notes
    assert found.tracks[INTERVAL] == []


def test_a_restored_night_brings_back_the_track_and_the_level() -> None:
    journal: list[tuple[str, dict[str, object]]] = [
        ("music_started", {"moment": "doors", "track": "d1", "number": 1}),
        ("music_track", {"moment": "doors", "track": "d2", "number": 2}),
        ("music_level", {"level_db": -4.0}),
        ("music_started", {"moment": "intermission", "track": "i1", "number": 1}),
        ("show_reset", {}),
        ("music_track", {"moment": "doors", "track": "d3", "number": 3}),
        ("music_level", {"level_db": True}),  # not a number: ignored
    ]
    level, places = music_resume(journal)
    assert level == -4.0 and places == {DOORS: 3}
    plan = MusicPlan((MusicList(DOORS, folder=Path("/m")),))
    music = music_deck(plan, {DOORS: tracks("d1", "d2", "d3")}, seed="s", journal=journal)
    assert music.level_db == -4.0
    assert plays(music.start(0.0, DOORS)) == [(0, "d3", 0.0)]
    music.fade_out(1.0, 0.0)
    assert plays(music.start(2.0, DOORS))[0][1] == "d1"  # only the first start resumes
