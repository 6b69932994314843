"""The jury's results file: what `parse_jury_results` accepts and every problem it reports."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from kiosk.core.awards import CategoryResult, ClipRange, JuryResults, parse_jury_results
from kiosk.core.event import EventConfig, event_config_from_dict
from kiosk.core.problems import ConfigError
from kiosk.core.programme import Programme, programme_from_dict
from tests.results_helpers import EVENT_TOML

SOURCE = Path("jury.toml")

EVENT = EVENT_TOML.format(programme="programme.toml")


@pytest.fixture(scope="module")
def awards_config() -> EventConfig:
    return event_config_from_dict(tomllib.loads(EVENT), Path("event.toml"))


@pytest.fixture(scope="module")
def five_films() -> Programme:
    films = [
        {
            "id": f"F0{n}",
            "title_en": f"Film {n}",
            "title_zh": f"影片{n}",
            "director": "陳大文 Chan Tai Man",
            "country": "Hong Kong",
            "year": 2026,
            "runtime": "2:00",
            "file": f"films/F0{n}.mp4",
        }
        for n in range(1, 6)
    ]
    data = {"programme": {"name_en": "Test", "name_zh": "測試"}, "films": films}
    return programme_from_dict(data, Path("programme.toml"))


def problems_of(text: str, awards_config: EventConfig, five_films: Programme) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_jury_results(textwrap.dedent(text), SOURCE, awards_config, five_films)
    return [str(p) for p in caught.value.problems]


FRONTIER_OK = """
[[results]]
category = "frontier"
winner = "F02"
"""


def test_a_good_file_reads_in_file_order_with_clips_and_citations(
    awards_config: EventConfig, five_films: Programme
) -> None:
    text = """
    [[results]]
    category = "frontier"
    winner = "F02"
    nominees = ["F02", "F04"]
    honourable_mentions = ["F05"]
    clip_start = "0:30"
    clip_end = 90.5

    [[results]]
    category = "best-film"
    winner = " F01 "
    citation_en = "  For the light.  "
    citation_zh = "為了光。"
    """
    results = parse_jury_results(textwrap.dedent(text), SOURCE, awards_config, five_films)
    assert results == JuryResults(
        (
            CategoryResult("frontier", "F02", ("F02", "F04"), ("F05",), clip=ClipRange(30.0, 90.5)),
            # no nominees given: the winner is the only one presented
            CategoryResult("best-film", "F01", ("F01",), (), "For the light.", "為了光。"),
        )
    )
    assert results.categories == ("frontier", "best-film")
    assert results.film_ids() == {"F01", "F02", "F04", "F05"}
    assert results.for_category("viewers") is None


def test_the_audience_award_is_optional_but_may_be_given(
    awards_config: EventConfig, five_films: Programme
) -> None:
    text = (
        FRONTIER_OK
        + """
    [[results]]
    category = "best-film"
    winner = "F01"

    [[results]]
    category = "viewers"
    winner = "F03"
    nominees = ["F03", "F04"]
    """
    )
    results = parse_jury_results(textwrap.dedent(text), SOURCE, awards_config, five_films)
    assert results.categories == ("frontier", "best-film", "viewers")


def test_a_round_trip_through_the_sealed_form_is_exact(
    awards_config: EventConfig, five_films: Programme
) -> None:
    text = """
    [[results]]
    category = "best-film"
    winner = "F01"
    nominees = ["F03", "F01"]
    citation_zh = "為了光。"
    clip_start = 0
    clip_end = "1:00"
    """
    results = parse_jury_results(
        textwrap.dedent(text) + FRONTIER_OK, SOURCE, awards_config, five_films
    )
    assert JuryResults.from_dict(results.to_dict()) == results


def test_a_film_not_in_the_programme(awards_config: EventConfig, five_films: Programme) -> None:
    text = """
    [[results]]
    category = "best-film"
    winner = "F99"
    nominees = ["F01", "F99"]
    honourable_mentions = ["F42"]
    """
    assert problems_of(text + FRONTIER_OK, awards_config, five_films) == [
        "jury.toml: result 'best-film': field 'winner': 'F99' is not in the programme",
        "jury.toml: result 'best-film': field 'nominees': 'F99' is not in the programme",
        "jury.toml: result 'best-film': field 'honourable_mentions': 'F42' is not in the programme",
    ]


def test_a_category_the_event_does_not_have(
    awards_config: EventConfig, five_films: Programme
) -> None:
    text = """
    [[results]]
    category = "best-film"
    winner = "F01"

    [[results]]
    category = "best-actor"
    winner = "F02"
    """
    assert problems_of(text + FRONTIER_OK, awards_config, five_films) == [
        "jury.toml: result 'best-actor': is not an award of this event "
        "(event.toml has: best-film, frontier, viewers)"
    ]


def test_a_winner_not_among_the_nominees(awards_config: EventConfig, five_films: Programme) -> None:
    text = """
    [[results]]
    category = "best-film"
    winner = "F01"
    nominees = ["F02", "F03"]
    """
    assert problems_of(text + FRONTIER_OK, awards_config, five_films) == [
        "jury.toml: result 'best-film': field 'nominees': must include the winner 'F01'"
    ]


def test_a_jury_award_without_a_result(awards_config: EventConfig, five_films: Programme) -> None:
    assert problems_of(FRONTIER_OK, awards_config, five_films) == [
        "jury.toml: [[results]]: has no result for the jury award 'best-film'"
    ]


def test_missing_category_and_winner(awards_config: EventConfig, five_films: Programme) -> None:
    text = """
    [[results]]
    winner = "F01"

    [[results]]
    category = "frontier"
    """
    assert problems_of(text, awards_config, five_films) == [
        "jury.toml: result #1: field 'category': is missing (the award's id)",
        "jury.toml: result 'frontier': field 'winner': is missing (the winning film's id)",
        "jury.toml: [[results]]: has no result for the jury award 'best-film'",
        "jury.toml: [[results]]: has no result for the jury award 'frontier'",
    ]


@pytest.mark.parametrize(
    ("clip", "expected"),
    [
        (
            "clip_start = 30\nclip_end = 10",
            "jury.toml: result 'best-film': field 'clip_end': must be after clip_start",
        ),
        (
            "clip_start = 30\nclip_end = 30",
            "jury.toml: result 'best-film': field 'clip_end': must be after clip_start",
        ),
        (
            'clip_start = "1:00"\nclip_end = "2:30"',
            "jury.toml: result 'best-film': field 'clip_end': "
            "is after the end of the winning film (2:00)",
        ),
        (
            "clip_start = 30",
            "jury.toml: result 'best-film': field 'clip_end': is needed with the other clip time",
        ),
        (
            "clip_end = 30",
            "jury.toml: result 'best-film': field 'clip_start': is needed with the other clip time",
        ),
        (
            "clip_start = -1\nclip_end = 30",
            "jury.toml: result 'best-film': field 'clip_start / clip_end': must not be negative",
        ),
        (
            'clip_start = 10\nclip_end = "soon"',
            "jury.toml: result 'best-film': field 'clip_start / clip_end': "
            "expected seconds or \"m:ss\", got 'soon'",
        ),
    ],
)
def test_bad_clip_ranges(
    clip: str, expected: str, awards_config: EventConfig, five_films: Programme
) -> None:
    text = f'[[results]]\ncategory = "best-film"\nwinner = "F01"\n{clip}\n'
    assert problems_of(text + FRONTIER_OK, awards_config, five_films) == [expected]


def test_duplicates(awards_config: EventConfig, five_films: Programme) -> None:
    text = """
    [[results]]
    category = "best-film"
    winner = "F01"
    nominees = ["F01", "F02", "F01"]

    [[results]]
    category = "best-film"
    winner = "F02"

    [[results]]
    category = "frontier"
    winner = "F02"
    honourable_mentions = ["F02"]
    """
    assert problems_of(text, awards_config, five_films) == [
        "jury.toml: result 'best-film': field 'nominees': names F01 twice",
        "jury.toml: result 'best-film': field 'category': is given twice",
        "jury.toml: result 'frontier': field 'honourable_mentions': must not include the winner",
    ]


def test_unknown_fields_and_settings(awards_config: EventConfig, five_films: Programme) -> None:
    text = """
    jury = "Ms Chan"

    [[results]]
    category = "best-film"
    winner = "F01"
    prize = 1000
    """
    assert problems_of(text + FRONTIER_OK, awards_config, five_films) == [
        "jury.toml: jury: is not a known setting (expected [[results]])",
        "jury.toml: result 'best-film': field 'prize': is not a known field",
    ]


def test_not_toml_and_no_results(awards_config: EventConfig, five_films: Programme) -> None:
    assert problems_of("[[results]\n", awards_config, five_films) == [
        "jury.toml: is not valid TOML: Expected ']]' at the end of an array declaration "
        "(at line 1, column 10)"
    ]
    assert problems_of("# nothing yet\n", awards_config, five_films) == [
        "jury.toml: has no [[results]] tables"
    ]
    assert problems_of('nominees = ["F01"]\n', awards_config, five_films) == [
        "jury.toml: nominees: is not a known setting (expected [[results]])",
        "jury.toml: has no [[results]] tables",
    ]
