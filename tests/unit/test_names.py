"""Names are data: bidi overrides and invisible characters removed, invisible-only and huge names
refused with a clear message, real names (CJK, accents, spacing, emoji families) untouched."""

from __future__ import annotations

import pytest

from kiosk.core.names import MAX_NAME_CHARS, clean_name, name_problem, name_problem_zh
from kiosk.core.registrations import RowProblem, parse_registration_export


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("陳大文", "陳大文"),
        ("  Chan   Tai\tMan ", "Chan Tai Man"),
        ("Zoe\u0301", "Zoé"),  # NFC
        ("\u202eevil\u202c Chan", "evil Chan"),  # right-to-left override removed
        ("Ch\u200ban", "Chan"),  # zero-width space
        ("\ufeffAlice", "Alice"),  # a BOM stuck to the first name of a file
        ("Mary\u2067 Lee\u2069", "Mary Lee"),
        ("👨\u200d👩\u200d👧 Family", "👨\u200d👩\u200d👧 Family"),  # emoji joiners kept
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_problems() -> None:
    assert name_problem("\u200b\u200c\u202e") == "the name has only invisible characters"
    assert name_problem_zh("\u200b") == "姓名只有看不見的字元"
    long = "A" * 100_000
    assert name_problem(long) == (
        f"the name is 100,000 characters long; a name may have at most {MAX_NAME_CHARS}"
    )
    assert name_problem("x" * MAX_NAME_CHARS) is None
    assert name_problem("") is None  # a missing name is reported elsewhere


def test_an_export_with_hostile_names_is_refused_row_by_row() -> None:
    rows = [
        "Name,Email",
        "\u200b\u200b,a@example.com",
        f"{'B' * 100_000},b@example.com",
        "\u202eevil,c@example.com",
    ]
    export = parse_registration_export("\n".join(rows).encode())
    problems = [(e.row_number, e.problem, e.message) for e in export.errors]
    assert problems == [
        (2, RowProblem.BAD_NAME, "name: the name has only invisible characters"),
        (
            3,
            RowProblem.BAD_NAME,
            f"name: the name is 100,000 characters long; a name may have at most {MAX_NAME_CHARS}",
        ),
    ]
    assert [r.name for r in export.registrations] == ["evil"]
