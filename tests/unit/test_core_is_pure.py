"""kiosk/core must stay plain Python: no Qt, no VLC, no database, no other layer of the app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "kiosk" / "core"
FORBIDDEN = (
    "PySide6",
    "shiboken6",
    "vlc",
    "sqlite3",
    "sqlite_utils",
    "qrcode",
    "kiosk.ui",
    "kiosk.media",
    "kiosk.store",
    "kiosk.render",
    "kiosk.services",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_imports_qt_vlc_or_outer_layers() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in CORE.rglob("*.py")
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    }
    assert not offenders


def test_importing_all_of_core_loads_neither_qt_nor_vlc() -> None:
    modules = [
        ".".join(p.relative_to(CORE.parents[1]).with_suffix("").parts).removesuffix(".__init__")
        for p in CORE.rglob("*.py")
    ]
    code = (
        f"import sys\nfor m in {modules!r}: __import__(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'vlc', 'sqlite3')]\n"
        "print(bad)\nraise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
