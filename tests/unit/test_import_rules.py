"""The layout is the architecture: imports point inward and never go round in a circle.

    ui -> night / services -> store / media / render -> core

Every `import` in kiosk counts, also the ones inside functions (a lazy import that closes a
circle is still a circle the next person trips over); only imports under `if TYPE_CHECKING:`
(annotations, never run) are left out of the cycle check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "kiosk"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:`."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return guarded


def imports_of(name: str, *, runtime_only: bool = False) -> Iterator[tuple[str, str]]:
    """(imported module, imported name or "") for every import in module `name`."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                yield base, alias.name


def edges_of(name: str, *, runtime_only: bool = False) -> set[str]:
    """The kiosk modules `name` imports (a `from package import submodule` names the
    submodule)."""
    found: set[str] = set()
    for module, imported in imports_of(name, runtime_only=runtime_only):
        if f"{module}.{imported}" in MODULES:
            found.add(f"{module}.{imported}")
        elif module in MODULES:
            found.add(module)
    return found


GRAPH = {name: edges_of(name) for name in MODULES}
RUNTIME_GRAPH = {name: edges_of(name, runtime_only=True) for name in MODULES}


def in_layer(name: str, layer: str) -> bool:
    return name == layer or name.startswith(layer + ".")


def offenders(source: str, target: str) -> list[str]:
    return sorted(
        f"{name} -> {dep}"
        for name, deps in GRAPH.items()
        if in_layer(name, source)
        for dep in deps
        if in_layer(dep, target)
    )


def cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in RUNTIME_GRAPH[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(RUNTIME_GRAPH):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_app() -> None:
    assert "kiosk.night.night" in GRAPH and "kiosk.ui.app" in GRAPH
    assert "kiosk.night.night" in GRAPH["kiosk.ui.app"] or "kiosk.night" in GRAPH["kiosk.ui.app"]


def test_no_import_cycles() -> None:
    assert cycles() == []


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("kiosk.ui", "kiosk.store"),  # the windows go through services/ or night/
        ("kiosk.render", "kiosk.ui"),  # tickets and cards draw without the windows
        ("kiosk.ui", "kiosk.supervisor"),  # the supervisor is its own process
        ("kiosk.night", "kiosk.ui"),
        ("kiosk.night", "kiosk.cli"),
        ("kiosk.services", "kiosk.ui"),
        ("kiosk.services", "kiosk.night"),
        ("kiosk.store", "kiosk.ui"),
        ("kiosk.store", "kiosk.night"),
        ("kiosk.store", "kiosk.services"),
        ("kiosk.media", "kiosk.ui"),
        ("kiosk.media", "kiosk.night"),
        ("kiosk.media", "kiosk.store"),
        ("kiosk.render", "kiosk.night"),
        ("kiosk.render", "kiosk.store"),
        ("kiosk.desktop", "kiosk.ui"),  # the desktop's facts are plain Python
        ("kiosk.desktop", "kiosk.night"),
        ("kiosk.desktop", "kiosk.media"),
        ("kiosk.desktop", "kiosk.store"),
        ("kiosk.desktop", "kiosk.services"),
    ],
)
def test_dependencies_point_inward(source: str, target: str) -> None:
    assert offenders(source, target) == []


def test_the_night_has_no_widgets() -> None:
    bad = sorted(
        f"{name}: {module}"
        for name in MODULES
        if in_layer(name, "kiosk.night")
        for module, _ in imports_of(name)
        if module.startswith("PySide6.QtWidgets")
    )
    assert bad == []


def test_the_desktop_package_has_no_qt_and_no_vlc() -> None:
    bad = sorted(
        f"{name}: {module}"
        for name in MODULES
        if in_layer(name, "kiosk.desktop")
        for module, _ in imports_of(name)
        if module.startswith(("PySide6", "vlc"))
    )
    assert bad == []


def test_no_module_borrows_another_modules_private_names() -> None:
    borrowed = sorted(
        f"{name}: from {module} import {imported}"
        for name in MODULES
        for module, imported in imports_of(name)
        if module.startswith("kiosk") and imported.startswith("_") and module != name
    )
    assert borrowed == []


def test_the_door_station_does_not_borrow_from_the_console() -> None:
    assert offenders("kiosk.ui.doors", "kiosk.ui.app") == []
    assert offenders("kiosk.ui.doors", "kiosk.ui.console") == []
