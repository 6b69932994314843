"""The documentation agrees with the code: the parts generated from it, and what the code cites.

- the console keys table is made from `CONSOLE_KEYS`, and every binding has its help text;
- the CLI reference, rendered by mkdocs-click as the site's build renders it, has every command
  and every option of the click commands;
- every command that takes `--json` has its section on the JSON outputs page;
- every document the code cites (`docs/….md`) exists, and nothing cites a document outside the
  repository any more;
- the README stays short and keeps the two commands.

The site's strict build (`make docs`, part of `make test`) fails on the same disagreements.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import markdown
import pytest

from kiosk.cli import cli
from kiosk.ui.console.keymap import CONSOLE_KEYS
from tools import docs_reference
from tools.docs_reference import (
    DocsMismatchError,
    check_json_page,
    console_keys_markdown,
    documented_json_commands,
    json_commands,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _visible_commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                found += _visible_commands(sub, (*path, name))
    return found


def test_the_keys_table_has_one_row_per_binding_with_its_keys_and_help():
    table = console_keys_markdown()
    rows = [line for line in table.splitlines() if line.startswith("| <kbd>")]
    assert len(rows) == len(CONSOLE_KEYS)
    for row, entry in zip(rows, CONSOLE_KEYS, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        shown_keys = re.findall(r"<kbd>(.*?)</kbd>", cells[0])
        assert [key.replace("&#91;", "[").replace("&#93;", "]") for key in shown_keys] == list(
            entry.keys
        )
        assert cells[1] == entry.label
        assert set(cells[2].split(" and ")) == {mode.value for mode in entry.modes}
        assert cells[3] == docs_reference.KEY_HELP[entry.name]


def test_a_binding_without_help_or_help_without_a_binding_stops_the_build(monkeypatch):
    help_without_go = {k: v for k, v in docs_reference.KEY_HELP.items() if k != "go"}
    monkeypatch.setattr(docs_reference, "KEY_HELP", help_without_go)
    with pytest.raises(DocsMismatchError, match=r"no help for \['go'\]"):
        console_keys_markdown()
    monkeypatch.setattr(
        docs_reference, "KEY_HELP", {**docs_reference.KEY_HELP, "go": "GO", "warp": "no such key"}
    )
    with pytest.raises(DocsMismatchError, match=r"do not exist: \['warp'\]"):
        console_keys_markdown()


def test_the_keys_page_is_generated_not_written_by_hand():
    page = (DOCS / "reference" / "console-keys.md").read_text(encoding="utf-8")
    assert "<!-- console-keys -->" in page
    assert "| key |" not in page  # the table comes from the code, not from this file


def test_the_cli_reference_has_every_command_and_option():
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    assert ":module: kiosk.cli" in page and ":command: cli" in page
    html = markdown.markdown(page, extensions=["mkdocs-click", "fenced_code", "tables"])
    commands = _visible_commands(cli)
    assert len(commands) > 25
    for path, command in commands:
        usage = " ".join(("python main.py", *path))
        assert f"{usage} [OPTIONS]" in html, f"no usage line for {usage!r}"
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.opts[-1] in html, f"{usage}: option {param.opts[-1]} missing"


def test_every_json_output_has_its_section():
    page = (DOCS / "reference" / "json.md").read_text(encoding="utf-8")
    check_json_page(page)
    assert {"preflight", "report", "checkin", "vote cast", "attendees import"} <= set(
        json_commands()
    )


def test_a_json_output_without_a_section_is_named():
    page = (DOCS / "reference" / "json.md").read_text(encoding="utf-8")
    without_report = re.sub(r"^## `report --json`$", "## The report", page, flags=re.MULTILINE)
    assert "report" not in documented_json_commands(without_report)
    with pytest.raises(DocsMismatchError, match=r"\['report'\]"):
        check_json_page(without_report)


CITED = re.compile(r"docs/[\w./-]+?\.md")
SOURCES = ("kiosk", "tests", "tools")


def _code_files() -> list[Path]:
    files = [ROOT / "Makefile", ROOT / "pyproject.toml", ROOT / "main.py"]
    for folder in SOURCES:
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def test_every_document_the_code_cites_is_in_the_repository():
    cited: dict[str, Path] = {}
    for path in _code_files():
        for match in CITED.finditer(path.read_text(encoding="utf-8")):
            cited.setdefault(match.group(0), path)
    assert "docs/dev/cli-contract.md" in cited
    assert "docs/dev/playback-notes.md" in cited
    missing = {doc: str(path.relative_to(ROOT)) for doc, path in cited.items()}
    missing = {doc: where for doc, where in missing.items() if not (ROOT / doc).is_file()}
    assert not missing, f"documents cited by the code but not in the repository: {missing}"


def test_nothing_cites_a_document_outside_the_repository():
    # the design sketch and the playback notes were never in the repository; README's sections
    # moved into docs/ (the README itself is short and cites none of them)
    outside = re.compile(r"DESIGN section|PLAYBACK-NOTES|README's key table|README,? [\"*]")
    hits = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in _code_files()
        if path.name != Path(__file__).name
        for line in path.read_text(encoding="utf-8").splitlines()
        if outside.search(line)
    ]
    assert not hits


def test_the_readme_is_short_and_keeps_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    assert "make run" in readme and "make test" in readme
    assert "MIT" in readme
    links = re.findall(r"\]\(((?:docs/)[^)#]*)", readme)
    assert links, "the README points into docs/"
    for link in links:
        assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


class _Page:
    """The little of an MkDocs page the hook reads: its source path."""

    def __init__(self, src_uri: str) -> None:
        self.file = type("File", (), {"src_uri": src_uri})()


def test_the_build_hook_fills_the_keys_table_and_stops_on_a_json_page_that_misses_one():
    from mkdocs.exceptions import PluginError

    from tools.docs_hooks import on_page_markdown

    keys_page = (DOCS / "reference" / "console-keys.md").read_text(encoding="utf-8")
    built = on_page_markdown(keys_page, _Page("reference/console-keys.md"), None, None)
    assert "<!-- console-keys -->" not in built
    assert console_keys_markdown() in built

    json_page = (DOCS / "reference" / "json.md").read_text(encoding="utf-8")
    assert on_page_markdown(json_page, _Page("reference/json.md"), None, None) == json_page
    without_vote_cast = json_page.replace("## `vote cast --json`", "## Casting a vote")
    with pytest.raises(PluginError, match="vote cast"):
        on_page_markdown(without_vote_cast, _Page("reference/json.md"), None, None)


def test_every_benchmark_is_on_the_benchmarks_page_and_every_figure_names_one():
    page = (DOCS / "dev" / "benchmarks.md").read_text(encoding="utf-8")
    benches = {path.name for path in (ROOT / "tests" / "bench").glob("test_*.py")}
    listed = set(re.findall(r"^\| `(test_\w+\.py)` \|", page, flags=re.MULTILINE))
    assert listed == benches
    figures = re.findall(r"^### .* — `(test_\w+\.py)`, recorded \d{4}-\d\d-\d\d$", page, re.M)
    headings = re.findall(r"^### ", page, flags=re.MULTILINE)
    assert len(figures) == len(headings) - 1  # every figure section but "Not recorded here"
    assert set(figures) <= benches


def test_every_picture_in_the_manual_is_one_the_tour_retakes():
    from tools.docs_screenshots import MANUAL_PICTURES

    committed = {path.name for path in (DOCS / "images").glob("*.png")}
    assert committed == set(MANUAL_PICTURES)  # `make screenshots` remakes every one of them
    pages = " ".join(path.read_text(encoding="utf-8") for path in DOCS.rglob("*.md"))
    pages += (ROOT / "README.md").read_text(encoding="utf-8")
    unused = sorted(name for name in committed if f"images/{name}" not in pages)
    assert not unused, f"pictures no page shows: {unused}"
