"""The layout is the architecture: imports point inward and never go round in a circle.

    ui -> night / services -> store / media / render -> core

Every `import` in kiosk counts, also the ones inside functions (a lazy import that closes a
circle is still a circle the next person trips over) and the ones under `if TYPE_CHECKING:`: an
annotation-only import that closes a circle hides the same tangle (two modules that each need the
other), only from the interpreter.
"""

from __future__ import annotations

import ast
import re
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


def imports_of(name: str) -> Iterator[tuple[str, str]]:
    """(imported module, imported name or "") for every import in module `name`."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
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


def edges_of(name: str) -> set[str]:
    """The kiosk modules `name` imports (a `from package import submodule` names the
    submodule)."""
    found: set[str] = set()
    for module, imported in imports_of(name):
        if f"{module}.{imported}" in MODULES:
            found.add(f"{module}.{imported}")
        elif module in MODULES:
            found.add(module)
    return found


GRAPH = {name: edges_of(name) for name in MODULES}


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


def cycles(graph: dict[str, set[str]] = GRAPH) -> list[list[str]]:
    """Strongly connected components of `graph` with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in graph[node]:
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_app() -> None:
    assert "kiosk.night.night" in GRAPH and "kiosk.ui.app" in GRAPH
    assert "kiosk.night.night" in GRAPH["kiosk.ui.app"] or "kiosk.night" in GRAPH["kiosk.ui.app"]


def test_no_import_cycles() -> None:
    assert cycles() == []


def test_an_annotation_only_import_that_closes_a_circle_is_a_cycle() -> None:
    """The check sees `if TYPE_CHECKING:` imports (the card painters once hid a circle there)."""
    # vote_painter imports the canvas only under TYPE_CHECKING: the edge is in the graph
    assert "kiosk.ui.stage.canvas" in GRAPH["kiosk.ui.stage.vote_painter"]
    assert cycles({"kiosk.a": {"kiosk.b"}, "kiosk.b": {"kiosk.a"}}) == [["kiosk.a", "kiosk.b"]]
    assert "kiosk.ui.stage.card_painter" not in GRAPH["kiosk.ui.stage.reveal_painter"]
    assert "kiosk.ui.stage.card_painter" not in GRAPH["kiosk.ui.stage.vote_painter"]


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
        ("kiosk.remote", "kiosk.ui"),  # the OSC listener has no Qt: the console bridges it
        ("kiosk.remote", "kiosk.night"),
        ("kiosk.remote", "kiosk.store"),
        ("kiosk.desktop", "kiosk.ui"),  # the desktop's facts are plain Python
        ("kiosk.desktop", "kiosk.night"),
        ("kiosk.desktop", "kiosk.media"),
        ("kiosk.desktop", "kiosk.store"),
        ("kiosk.desktop", "kiosk.services"),
        ("kiosk.store", "kiosk.server"),  # the store knows no HTTP
        ("kiosk.store", "kiosk.station"),
        ("kiosk.services", "kiosk.server"),
        ("kiosk.services", "kiosk.station"),
        ("kiosk.station", "kiosk.ui"),  # a station's client runs under the CLI and the window
        ("kiosk.station", "kiosk.night"),
        ("kiosk.station", "kiosk.cli"),
        ("kiosk.core", "kiosk.store"),
        ("kiosk.core", "kiosk.station"),
        ("kiosk.core", "kiosk.server"),
    ],
)
def test_dependencies_point_inward(source: str, target: str) -> None:
    assert offenders(source, target) == []


HTTP_MODULES = ("starlette", "uvicorn", "http", "httpx", "h11", "urllib")


def test_the_store_knows_no_http() -> None:
    """Status codes and wire formats belong to the server and the station's client."""
    bad = sorted(
        f"{name}: {module}"
        for name in MODULES
        if in_layer(name, "kiosk.store")
        for module, _ in imports_of(name)
        if module.split(".")[0] in HTTP_MODULES
    )
    assert bad == []
    store_text = "\n".join(
        MODULES[name].read_text(encoding="utf-8")
        for name in MODULES
        if in_layer(name, "kiosk.store")
    )
    assert "HTTP" not in store_text.upper()
    assert re.search(r"Error\([^)]*,\s*[45]\d\d\b", store_text) is None  # no status codes


def test_the_stations_client_is_one_package() -> None:
    """The link, the sync, the offline queue and pairing live in kiosk.station; of the server
    it uses only the wire format both sides speak."""
    for module in ("link", "remote_doors", "folder", "setup", "remote_vote"):
        assert f"kiosk.station.{module}" in MODULES
    strays = sorted(
        name
        for name in MODULES
        if name.rpartition(".")[2] in ("station_link", "remote_doors", "station_folder")
        and not in_layer(name, "kiosk.station")
    )
    assert strays == []
    server_uses = {
        dep
        for name, deps in GRAPH.items()
        if in_layer(name, "kiosk.station")
        for dep in deps
        if in_layer(dep, "kiosk.server")
    }
    assert server_uses <= {"kiosk.server.station_wire"}


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


EVENT_FOLDER_OPENERS = {"open_db", "secret_key", "load_config", "load_programme"}


def folder_opens_in(name: str) -> list[str]:
    """Calls in module `name` that open the event folder: its open functions by name, or a
    new `EventFolder(...)`."""
    found = []
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        called = (
            function.attr
            if isinstance(function, ast.Attribute)
            else function.id
            if isinstance(function, ast.Name)
            else ""
        )
        if called in EVENT_FOLDER_OPENERS or called == "EventFolder":
            found.append(f"{name}:{node.lineno} {called}()")
    return found


def test_no_window_opens_the_event_folder() -> None:
    """Windows get the narrow services of the one OpenEvent (kiosk.services.open_event)."""
    opens = [
        found for name in MODULES if in_layer(name, "kiosk.ui") for found in folder_opens_in(name)
    ]
    assert opens == []


def test_the_console_and_the_door_station_open_their_event_through_open_event() -> None:
    for entry in ("kiosk.ui.app", "kiosk.ui.doors.app"):
        assert "kiosk.services.open_event" in GRAPH[entry]


def test_the_check_sees_a_folder_open() -> None:
    assert folder_opens_in("kiosk.services.open_event")  # it is the one place that does
