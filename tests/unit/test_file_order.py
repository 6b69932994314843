"""The longest test files first (tests/file_order.py): how both passes hand out their files."""

from __future__ import annotations

from dataclasses import dataclass

from tests.file_order import FIRST_GUESS_S, longest_first


@dataclass(frozen=True)
class Collected:
    nodeid: str


def ids(items: list[Collected]) -> list[str]:
    return [item.nodeid for item in items]


def test_files_go_longest_first_and_keep_their_tests_together_in_order() -> None:
    items = [
        Collected("tests/a.py::one"),
        Collected("tests/b.py::one"),
        Collected("tests/a.py::two"),
        Collected("tests/c.py::one"),
        Collected("tests/b.py::two"),
    ]
    ordered = longest_first(items, {"tests/a.py": 3.0, "tests/b.py": 40.0, "tests/c.py": 9.5})
    assert ids(ordered) == [
        "tests/b.py::one",
        "tests/b.py::two",
        "tests/c.py::one",
        "tests/a.py::one",
        "tests/a.py::two",
    ]


def test_a_file_never_measured_takes_the_first_guess_else_a_second_per_test() -> None:
    known = next(iter(FIRST_GUESS_S))  # the longest real-time file of the first guess
    items = [Collected(f"tests/new.py::t{n}") for n in range(3)] + [Collected(f"{known}::t")]
    assert file_of_first(longest_first(items, {})) == known
    # measured here wins over the guess: the new file took longer on this machine
    measured = {"tests/new.py": FIRST_GUESS_S[known] + 1}
    assert file_of_first(longest_first(items, measured)) == "tests/new.py"
    # ties keep the collection order (xdist needs every worker to agree on one order)
    tied = [Collected("tests/x.py::t"), Collected("tests/y.py::t")]
    assert ids(longest_first(tied, {})) == ["tests/x.py::t", "tests/y.py::t"]


def file_of_first(items: list[Collected]) -> str:
    return items[0].nodeid.split("::", 1)[0]
