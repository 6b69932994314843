"""The app's own command line (main.py) as a child process of a test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main_py(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), *args]


def offscreen_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
