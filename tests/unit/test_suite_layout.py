"""The suite's own layout rules (docs/dev/testing.md): one definition per fixture name, and no
test module imported by another module (what two test modules share lives in a helper module or
a conftest.py).

Both are read from the source with `ast`, so the check costs milliseconds and needs no import.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent


def suite_files() -> list[Path]:
    """Every Python file of the suite (test modules, conftests, helpers, child programs)."""
    return sorted(TESTS.rglob("*.py"))


def parsed(path: Path) -> ast.Module:
    """The file's syntax tree, parsed once per text for all the checks of a run (the module's
    checks each read every file of the suite; the parsing is most of their time)."""
    return _parse(path.read_text(encoding="utf-8"), str(path))


@functools.cache
def _parse(text: str, filename: str) -> ast.Module:
    return ast.parse(text, filename)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _is_fixture_decorator(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target) in ("pytest.fixture", "fixture")


def _fixture_name(function: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.expr) -> str:
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
    return function.name


def fixture_definitions(files: list[Path]) -> dict[str, list[str]]:
    """Each fixture name and where it is defined ("path:line")."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in files:
        if "fixture" not in path.read_text(encoding="utf-8"):
            continue  # no fixture can be defined in it: nothing to parse
        tree = parsed(path)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                if _is_fixture_decorator(decorator):
                    where = f"{_shown(path)}:{node.lineno}"
                    found[_fixture_name(node, decorator)].append(where)
    return found


def _imported_modules(tree: ast.Module, module: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every module `tree` imports, relative imports resolved; for
    `from package import name` both `package` and `package.name` (the name may be a module)."""
    package = module.rsplit(".", 1)[0]
    imported: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            imported.append((node.lineno, base))
            imported += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return imported


def imports_of_test_modules(files: list[Path]) -> list[str]:
    """ "path:line imports tests.x.test_y" for every import of a test module of the suite."""
    test_modules = {_module_name(path) for path in files if path.name.startswith("test_")}
    found = []
    for path in files:
        tree = parsed(path)
        for line, name in _imported_modules(tree, _module_name(path)):
            if name in test_modules:
                found.append(f"{_shown(path)}:{line} imports {name}")
    return found


def test_no_fixture_is_defined_twice() -> None:
    twice = {
        name: places
        for name, places in fixture_definitions(suite_files()).items()
        if len(places) > 1
    }
    assert not twice, (
        "a fixture name is defined in more than one place; use the shared one, or give the "
        f"variant its own name that says what it is: {twice}"
    )


def test_no_test_module_imports_another_test_module() -> None:
    found = imports_of_test_modules(suite_files())
    assert not found, (
        "move what the modules share into a helper module (tests/*_helpers.py, tests/ui/...) "
        f"or a conftest.py: {found}"
    )


def test_the_checks_see_a_duplicate_and_a_test_module_import(tmp_path: Path) -> None:
    """The two checks find what they look for (and the relative form of an import)."""
    package = TESTS / "unit"
    first = package / "test_suite_layout.py"  # a real test module, so the import resolves
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    fixture = "import pytest\n\n@pytest.fixture(scope='module')\ndef programme(): ...\n"
    one.write_text(fixture, encoding="utf-8")
    two.write_text(fixture.replace("(scope='module')", ""), encoding="utf-8")
    assert len(fixture_definitions([one, two])["programme"]) == 2
    named = "from pytest import fixture\n\n@fixture(name='programme')\ndef other(): ...\n"
    one.write_text(named, encoding="utf-8")
    assert len(fixture_definitions([one, two])["programme"]) == 2

    importer = package / "suite_layout_probe.py"
    for text in (
        "from tests.unit import test_suite_layout\n",
        "from .test_suite_layout import x\n",
    ):
        tree = ast.parse(text)
        names = [name for _, name in _imported_modules(tree, _module_name(importer))]
        assert _module_name(first) in names, (text, names)


# Changes to this process's environment that are undone by hand or happen in a forked child;
# everything else goes through monkeypatch (or pytest.MonkeyPatch.context() in a module fixture)
ENVIRONMENT_WRITES_ALLOWED = {
    "tests/ui/test_stations_panel_zone.py",  # TZ, restored and time.tzset() again after
    "tests/integration/test_cli_results.py",  # in the pty's forked child, before its exec
    "tests/bench/test_log_tap_cost.py",  # a benchmark's own child process
}


def environment_writes(paths: list[Path]) -> list[str]:
    """`os.environ[...] = ...`, `os.environ.update(...)` / `setdefault(...)` and `os.putenv`
    outside conftest.py's one QT_QPA_PLATFORM default."""
    found: list[str] = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if "environ" not in text and "putenv" not in text:
            continue  # neither spelling: nothing to parse
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and ast.unparse(target.value) in (
                        "os.environ",
                        "environ",
                    ):
                        found.append(f"{_shown(path)}:{node.lineno}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("update", "setdefault", "putenv")
                and ast.unparse(node.func)
                in ("os.environ.update", "os.environ.setdefault", "os.putenv")
                and (path.name != "conftest.py" or "QT_QPA_PLATFORM" not in ast.unparse(node))
            ):
                found.append(f"{_shown(path)}:{node.lineno}")
    return found


def test_no_test_changes_the_process_environment_for_the_tests_after_it() -> None:
    """A test that sets an environment variable for the whole process changes every test run
    after it on the same worker: `KIOSK_VLC_AOUT=dummy` left behind by the report rehearsal's
    module fixture made the checklist's test tone play to nowhere when the longest-first order
    put the two files on one worker."""
    found = [
        place
        for place in environment_writes(suite_files())
        if place.split(":")[0] not in ENVIRONMENT_WRITES_ALLOWED
    ]
    assert not found, f"use monkeypatch.setenv (undone after the test): {found}"


def test_the_environment_check_sees_each_way_of_writing(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    for line in (
        'os.environ["KIOSK_VLC_AOUT"] = "dummy"',
        'os.environ.update({"A": "1"})',
        'os.environ.setdefault("A", "1")',
        'os.putenv("A", "1")',
    ):
        probe.write_text(f"import os\n\n\ndef f() -> None:\n    {line}\n", "utf-8")
        assert len(environment_writes([probe])) == 1, line
    probe.write_text('import os\n\nx = os.environ["HOME"]\n', "utf-8")
    assert environment_writes([probe]) == []


def python_files_of(*folders: str) -> list[Path]:
    """Every Python file under these folders of the checkout."""
    return sorted(path for folder in folders for path in (REPO / folder).rglob("*.py"))


def connections_left_open(paths: list[Path]) -> list[str]:
    """ "path:line" of every `with sqlite3.connect(...)` (or `with connect(...)` imported from
    sqlite3): that block commits but does not close, so the garbage collector closes the
    connection later, checkpointing the WAL and deleting `-wal`/`-shm` at a random moment."""
    found: list[str] = []
    for path in paths:
        if "sqlite3" not in path.read_text(encoding="utf-8"):
            continue  # neither spelling can be in it: nothing to parse
        tree = parsed(path)
        bare_connect = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "sqlite3"
            and any(alias.name == "connect" for alias in node.names)
            for node in tree.body
        )
        names = {"sqlite3.connect", "connect"} if bare_connect else {"sqlite3.connect"}
        for node in ast.walk(tree):
            if isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    call = item.context_expr
                    if isinstance(call, ast.Call) and ast.unparse(call.func) in names:
                        found.append(f"{_shown(path)}:{node.lineno}")
    return found


def test_no_database_connection_is_left_for_the_garbage_collector_to_close() -> None:
    """`test_a_paired_station_casts_through_the_server` failed reading `event.db-shm`: a
    connection its own helper had left open was closed by the garbage collector between the
    folder's listing and the read, and the file vanished."""
    found = connections_left_open(python_files_of("tests", "kiosk", "tools"))
    assert not found, (
        "`with sqlite3.connect(...)` commits but never closes: use "
        f"tests.sqlite_helpers.connected (tests) or close it in a finally (app): {found}"
    )


def test_the_connection_check_sees_both_spellings(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    for text in (
        "import sqlite3\n\nwith sqlite3.connect('x.db') as conn:\n    pass\n",
        "from sqlite3 import connect\n\nwith connect('x.db') as conn:\n    pass\n",
    ):
        probe.write_text(text, "utf-8")
        assert len(connections_left_open([probe])) == 1, text
    probe.write_text(
        "from tests.sqlite_helpers import connected\n\nwith connected('x.db') as c:\n    pass\n",
        "utf-8",
    )
    assert connections_left_open([probe]) == []


def numpy_imports(paths: list[Path]) -> list[str]:
    """ "path:line" of every import of numpy."""
    found: list[str] = []
    for path in paths:
        if "numpy" not in path.read_text(encoding="utf-8"):
            continue
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] == "numpy" for name in names):
                found.append(f"{_shown(path)}:{node.lineno}")
    return found


def test_the_app_never_imports_numpy() -> None:
    """numpy is a test dependency (the sound analysis); the suite's child processes start with
    an unimportable `numpy` first on their path (`children_site` in tests/conftest.py), so the
    app must not need it."""
    assert numpy_imports(python_files_of("kiosk", "tools")) == []
    assert numpy_imports([TESTS / "sound_capture.py"]) != []  # the check sees an import
