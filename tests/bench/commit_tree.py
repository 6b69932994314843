"""Another commit's code beside this one, for the benchmarks that run before and after a
change side by side."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def commit_tree(commit: str) -> Iterator[Path | None]:
    """`commit`'s files (`git archive`) in a temporary folder, removed after; None for ""."""
    if not commit:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-before-"))
    try:
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
