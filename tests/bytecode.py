"""A pytest plugin: the checkout's modules byte-compiled once before the run starts.

The suite starts several hundred Python child processes (CLI commands, servers, stations,
console children), and each imports `kiosk`. Where `PYTHONDONTWRITEBYTECODE` is set (as on the
shared test machine), Python never writes `__pycache__`, so every one of them compiled each
module it imported from source again: about 0.07 s of CPU for a CLI command and 0.27 s for a
console child (`.venv/bin/python main.py --help`: 0.45 -> 0.38 CPU-s; importing PySide6, libvlc
and `kiosk.ui.app`: 1.20 -> 0.93 CPU-s). Python still reads a `.pyc` it finds, so compiling
once here gives every process the cached code. A stale `.pyc` is harmless: Python sees that
the source changed and compiles it again.
"""

from __future__ import annotations

import compileall
import logging
from pathlib import Path

import pytest

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kiosk", "tests", "tools")


def compile_checkout(root: Path = ROOT) -> bool:
    """Byte-compile the checkout's packages (only the files whose `.pyc` is missing or
    stale); False if some file could not be compiled (its import will say why)."""
    return all(
        compileall.compile_dir(root / package, quiet=1, workers=1)
        for package in PACKAGES
        if (root / package).is_dir()
    )


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller has compiled already
    if not compile_checkout():
        log.warning("some modules could not be byte-compiled; their imports will tell")
