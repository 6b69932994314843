"""No user-visible string in the converted modules writes a glossary term out itself, nor a
retired synonym (issue #23 item 10): they take the words from `kiosk.core.glossary`.

Scope, honestly: the modules in CONVERTED. The rest of the screens, the report's other sections
and the CLI's other commands still carry their own literals; they are listed in
docs/screens.md ("Glossary") as not yet converted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kiosk.core import glossary

ROOT = Path(__file__).resolve().parents[2]
CONVERTED = (
    "kiosk/core/vote.py",
    "kiosk/ui/doors/window.py",
    "kiosk/ui/console/doors_panel.py",
    "kiosk/ui/console/vote_panel.py",
    "kiosk/render/report_layout.py",
    "kiosk/cli/report.py",
)
TERMS = [value for value in vars(glossary).values() if isinstance(value, glossary.Term)]
# words too short or too common to be a term's use by themselves ("left" in "9:41 left")
# ("撤銷", the verb, is in every "undo" sentence at the door)
NOT_ALONE = {
    glossary.TIME_LEFT.en,
    glossary.TIME_LEFT.zh,
    glossary.CAPACITY.zh,
    glossary.UNDONE.zh,
}


def literals(path: Path) -> list[str]:
    """Every string constant of a module, f-string pieces included; docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


@pytest.mark.parametrize("module", CONVERTED)
def test_converted_modules_take_their_words_from_the_glossary(module: str) -> None:
    found = []
    for text in literals(ROOT / module):
        for term in TERMS:
            for word in (term.en, term.zh):
                if word not in NOT_ALONE and word in text:
                    found.append(f"{word!r} in {text!r}")
        for words in glossary.RETIRED.values():
            found += [f"retired {word!r} in {text!r}" for word in words if word in text]
    assert found == [], found


def test_one_word_per_concept() -> None:
    """No two terms share a Chinese word unless they are the same concept said two ways
    (an action and its result: "Admit by hand" / "Admitted by hand")."""
    same_concept = {
        frozenset({"Admit by hand", "Admitted by hand"}),
        frozenset({"Walk-ins", "walk-in"}),
    }
    by_zh: dict[str, set[str]] = {}
    for term in TERMS:
        by_zh.setdefault(term.zh, set()).add(term.en)
    shared = {zh: ens for zh, ens in by_zh.items() if len(ens) > 1}
    assert all(frozenset(ens) in same_concept for ens in shared.values()), shared


def test_counts_read_as_english() -> None:
    assert glossary.WALK_IN.count(1) == "1 walk-in"
    assert glossary.WALK_IN.count(3) == "3 walk-ins"
    assert glossary.PLACES_LEFT.pair(" / ") == "Places left / 餘位"
