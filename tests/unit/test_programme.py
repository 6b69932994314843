"""The programme loader: valid files load in run order; every mistake is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.problems import ConfigError
from kiosk.core.programme import format_duration, load_programme, parse_runtime

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "programme.toml"
    path.write_text(text, encoding="utf-8")
    return path


FILM = """
[[films]]
id = "{id}"
title_en = "Title {id}"
title_zh = "片名 {id}"
director = "Director"
country = "Hong Kong"
year = 2026
runtime = "3:10"
file = "films/{id}.mp4"
{extra}
"""


def films(*ids: str, extra: str = "") -> str:
    return "".join(FILM.format(id=i, extra=extra) for i in ids)


HEADER = '[programme]\nname_en = "Night"\nname_zh = "夜"\n'


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_programme(path)
    return [str(p) for p in caught.value.problems]


def test_demo_playlist_is_valid_and_complete() -> None:
    programme = load_programme(REPO / "playlists" / "demo.toml")
    assert len(programme) == 35
    assert programme.demo
    assert [f.position for f in programme] == list(range(1, 36))
    assert programme.intermission is not None
    assert programme.intermission.after_film == "F18"
    assert {f.block for f in programme} == {"A", "B"}
    assert len({f.country for f in programme}) >= 25
    assert all(f.title_zh and f.title_en for f in programme)
    # every non-English film has English subtitles
    assert all(f.subtitles for f in programme if f.language != "English")


def test_paths_resolve_relative_to_programme_file(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + films("F1", extra='subtitles = "subs/F1.srt"'))
    film = load_programme(path).film("F1")
    assert film.file == tmp_path / "films" / "F1.mp4"
    assert film.subtitles == tmp_path / "subs" / "F1.srt"
    assert film.declared_runtime_s == 190


def test_explicit_positions_set_the_run_order(tmp_path: Path) -> None:
    text = (
        HEADER
        + films("X").replace('id = "X"', 'id = "X"\nposition = 2')
        + films("Y").replace('id = "Y"', 'id = "Y"\nposition = 1')
    )
    programme = load_programme(write(tmp_path, text))
    assert [f.id for f in programme] == ["Y", "X"]


def test_every_problem_is_reported_with_file_film_and_field(tmp_path: Path) -> None:
    text = (
        HEADER
        + films("F1", "F1")
        + FILM.format(id="F3", extra="")
        .replace("year = 2026", 'year = "soon"')
        .replace('runtime = "3:10"', 'runtime = "3:70"')
        .replace('title_zh = "片名 F3"\n', "")
    )
    found = problems_of(write(tmp_path, text))
    path = str(tmp_path / "programme.toml")
    assert any("film F1" in p and "field 'id'" in p and "used twice" in p for p in found)
    assert any(p.startswith(path) and "film F3" in p and "field 'year'" in p for p in found)
    assert any("film F3" in p and "field 'runtime'" in p for p in found)
    assert any("film F3" in p and "field 'title_zh'" in p and "missing" in p for p in found)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    found = problems_of(write(tmp_path, HEADER + "[[films]]\nid = F1\n"))
    assert len(found) == 1
    assert "not valid TOML" in found[0]
    assert "line 5" in found[0]


def test_unknown_field_is_a_typo_not_silently_ignored(tmp_path: Path) -> None:
    found = problems_of(write(tmp_path, HEADER + films("F1", extra='tilte_en = "oops"')))
    assert any("field 'tilte_en'" in p and "not a known field" in p for p in found)


def test_intermission_must_point_at_a_film_before_the_last(tmp_path: Path) -> None:
    text = HEADER + '[intermission]\nafter_film = "F2"\nminutes = 10\n' + films("F1", "F2")
    assert any("after the last film" in p for p in problems_of(write(tmp_path, text)))
    text = HEADER + '[intermission]\nafter_film = "F9"\nminutes = 10\n' + films("F1", "F2")
    assert any("'F9' is not a film" in p for p in problems_of(write(tmp_path, text)))


def test_blocks_must_be_declared_and_contiguous(tmp_path: Path) -> None:
    blocks = (
        '[[blocks]]\nid = "A"\ntitle_en = "One"\ntitle_zh = "一"\n'
        '[[blocks]]\nid = "B"\ntitle_en = "Two"\ntitle_zh = "二"\n'
    )
    text = (
        HEADER
        + blocks
        + films("F1", extra='block = "A"')
        + films("F2", extra='block = "B"')
        + films("F3", extra='block = "A"')
        + films("F4", extra='block = "C"')
    )
    found = problems_of(write(tmp_path, text))
    assert any("film F3" in p and "is split" in p for p in found)
    assert any("film F4" in p and "'C' is not one of the blocks" in p for p in found)


def test_empty_programme_and_unreadable_file(tmp_path: Path) -> None:
    assert any("no [[films]]" in p for p in problems_of(write(tmp_path, HEADER)))
    assert any("cannot read" in p for p in problems_of(tmp_path / "missing.toml"))
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(HEADER.encode() + "# caf\xe9\n".encode("latin-1"))
    assert any("not UTF-8" in p for p in problems_of(bad))


@pytest.mark.parametrize(("text", "seconds"), [("3:24", 204), ("1:02:03", 3723), (185, 185)])
def test_runtime_formats(text: object, seconds: int) -> None:
    assert parse_runtime(text) == seconds


@pytest.mark.parametrize("text", ["", "3:60", "abc", 0, -5, True, "0:00"])
def test_bad_runtimes_are_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_runtime(text)


def test_format_duration() -> None:
    assert format_duration(0) == "0:00"
    assert format_duration(204.4) == "3:24"
    assert format_duration(3723) == "1:02:03"
