"""The suite's own layout rules (docs/dev/testing.md): one definition per fixture name, and no
test module imported by another module (what two test modules share lives in a helper module or
a conftest.py).

Both are read from the source with `ast`, so the check costs milliseconds and needs no import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent


def suite_files() -> list[Path]:
    """Every Python file of the suite (test modules, conftests, helpers, child programs)."""
    return sorted(TESTS.rglob("*.py"))


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
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
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
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
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
