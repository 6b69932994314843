"""No user-visible string in the program writes a glossary term out itself, nor a retired
synonym (issue #23 item 10): every screen, the report, the phone page and the CLI take the words
from `kiosk.core.glossary`.

Scope: every module under kiosk/ (string literals, f-string pieces included, docstrings left
out) and every page under kiosk/ (the vote page's `{{TERM:NAME:en}}` slots are filled from the
glossary). Machine text is not shown to anyone and is left out by rule (`is_machine_text`);
what remains is in ALLOWED, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.core import glossary

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in (ROOT / "kiosk").rglob("*.py")
    if path.name != "glossary.py"
)
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "kiosk").rglob("*.html"))
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


# literals that contain a term's word but are not that term on a screen
ALLOWED = {
    # the registration-time column: a moment, not the count of registered people
    ("kiosk/ui/console/import_preview_dialog.py", "Registered at 登記時間"),
}
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE|ALTER TABLE|CREATE TABLE|CREATE INDEX)\b")


def is_machine_text(text: str) -> bool:
    """Stored keys ("walk-in" as a check-in method), URL paths ("/walk-in"), SQL and log
    formats: never shown to the usher, the operator or the audience."""
    return (
        text in {"walk-in"}
        or text.startswith("/")
        or bool(SQL.search(text))
        or "%s" in text
        or "%d" in text
    )


def bypasses(text: str) -> list[str]:
    """The glossary words and retired synonyms `text` writes out itself."""
    found = []
    for term in TERMS:
        for word in (term.en, term.zh):
            if word not in NOT_ALONE and word in text:
                found.append(f"{word!r} in {text!r}")
    for words in glossary.RETIRED.values():
        found += [f"retired {word!r} in {text!r}" for word in words if word in text]
    return found


def test_modules_and_pages_take_their_words_from_the_glossary() -> None:
    found = [
        f"{module}: {problem}"
        for module in SOURCES
        for text in literals(ROOT / module)
        if (module, text) not in ALLOWED and not is_machine_text(text)
        for problem in bypasses(text)
    ]
    found += [
        f"{page}: {problem}"
        for page in PAGES
        for problem in bypasses((ROOT / page).read_text(encoding="utf-8"))
    ]
    assert len(SOURCES) > 200 and PAGES
    assert found == [], "\n".join(found)


def test_the_allow_list_is_still_needed() -> None:
    """An allowed literal that no longer exists is taken off the list, not left to hide one."""
    for module, text in ALLOWED:
        assert text in literals(ROOT / module), (module, text)


def test_the_vote_page_fills_its_glossary_slots() -> None:
    from kiosk.server.vote_app import GLOSSARY_SLOT, _glossary_word

    page = (ROOT / "kiosk/server/vote_page.html").read_text(encoding="utf-8")
    slots = GLOSSARY_SLOT.findall(page)
    assert ("VOTE_NOT_OPEN_YET", "zh") in slots and ("VOTE_CLOSED", "en") in slots
    filled = GLOSSARY_SLOT.sub(_glossary_word, page)
    assert "{{TERM:" not in filled
    assert glossary.VOTE_NOT_OPEN_YET.zh in filled and glossary.VOTE_CLOSED.en in filled


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


def test_registered_means_the_same_row_by_row_and_in_sql() -> None:
    """`counts_as_registered` (rows the console holds) and `registered_condition` (the door's
    and the report's count) agree on every kind of attendee."""
    import sqlite3

    from kiosk.store.attendees import AttendeeRecord, registered_condition

    kinds = [("registered", "test"), ("registered", "walk-in"), ("gone", "test"), ("gone", None)]
    kinds.append(("registered", None))
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE attendees (id INTEGER, status TEXT, source TEXT)")
    db.executemany(
        "INSERT INTO attendees VALUES (?, ?, ?)", [(n, *kind) for n, kind in enumerate(kinds)]
    )
    in_sql = {
        row[0] for row in db.execute(f"SELECT id FROM attendees WHERE {registered_condition()}")
    }
    by_row = {
        n
        for n, (status, source) in enumerate(kinds)
        if AttendeeRecord(
            n, "x", None, None, None, None, None, source, status, None, None, False
        ).counts_as_registered
    }
    assert in_sql == by_row == {0, 4}
