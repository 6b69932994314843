"""Benchmark: the import dialog's opening in the real console, on the GUI thread.

The console (`open_console` under Xvfb with openbox: a 1366x768 console monitor beside a
1920x1080 projector, the demo night, the show not started) opens the Registrations view's
import preview the way the Import button does, five times (`import_dialog_child.py`), and this
prints for each opening the GUI thread's CPU and wall time in `preview_file`, in `open()` and
from the call to the dialog's first paint, and the worst lateness of a 5 ms timer meanwhile.
The first opening is the one a night has: the view's dialog is built before the night and
reused (docs/dev/threads.md, "The import dialog built before the night").

    IMPORT_DIALOG_BEFORE=<commit> .venv/bin/python -m pytest \\
      tests/bench/test_import_dialog_open.py -q -s -p no:randomly

runs that commit's code (`git archive`) with the same child, side by side. Figures only
(`make bench`): on a shared machine they are noisy.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from tests.bench.commit_tree import commit_tree
from tests.xvfb import Monitor, qt_env, requires_xvfb, xvfb_display

ROOT = Path(__file__).resolve().parents[2]
CHILD = ROOT / "tests" / "bench" / "import_dialog_child.py"
CONSOLE = Monitor("CONSOLE", 1366, 768)
PROJECTOR = Monitor("PROJECTOR", 1920, 1080, 1366)
OPENINGS = 5
BEFORE = os.environ.get("IMPORT_DIALOG_BEFORE", "")
FIGURES = (
    ("preview_file_cpu_ms", "preview_file CPU"),
    ("open_cpu_ms", "open() CPU"),
    ("to_first_paint_cpu_ms", "CPU to first paint"),
    ("to_first_paint_ms", "wall to first paint"),
    ("max_late_ms", "5 ms timer max late"),
)


@pytest.fixture(scope="module")
def dialog_before_tree() -> Iterator[Path | None]:
    """The code of `IMPORT_DIALOG_BEFORE` (None without it)."""
    with commit_tree(BEFORE) as tree:
        yield tree


def export_file(path: Path, people: int = 200) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Name,English name,Email\n")
        for n in range(people):
            handle.write(f"匯入{n:04d},Imported {n:04d},imported{n}@example.org\n")
    return path


def openings(display: str, tree: Path, event: EventFolder, export: Path) -> list[dict[str, float]]:
    """One console on `tree`'s code; its openings' figures."""
    done = subprocess.run(
        [sys.executable, str(CHILD), str(event.root), str(export), str(OPENINGS)],
        env=qt_env(display, KIOSK_VLC_AOUT="dummy", PYTHONPATH=str(tree)),
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, (done.returncode, done.stderr[-3000:])
    result: list[dict[str, float]] = json.loads(lines[-1].split(" ", 1)[1])
    return result


def row(version: str, label: str, values: list[float]) -> str:
    each = " ".join(f"{v:6.1f}" for v in values)
    return f"{version:<7}{label:<22} first {values[0]:6.1f} | each {each} | median of the rest " + (
        f"{statistics.median(values[1:]):6.1f}" if len(values) > 1 else "-"
    )


@requires_xvfb
@pytest.mark.slow
def test_the_import_dialog_opening(
    demo_event_template: Path, dialog_before_tree: Path | None, tmp_path: Path
) -> None:
    export = export_file(tmp_path / "registrations.csv")
    versions = [("after", ROOT)] + ([("before", dialog_before_tree)] if dialog_before_tree else [])
    lines: list[str] = []
    with xvfb_display(
        CONSOLE.width + PROJECTOR.width, PROJECTOR.height, monitors=[CONSOLE, PROJECTOR]
    ) as display:
        for version, tree in reversed(versions):
            root = tmp_path / version / "demo"
            shutil.copytree(demo_event_template, root)
            figures = openings(display, tree, EventFolder(root), export)
            assert len(figures) == OPENINGS
            lines += [row(version, label, [f[key] for f in figures]) for key, label in FIGURES]
    print("\n".join(["", "The import dialog's opening on the GUI thread (ms):", *lines]))
