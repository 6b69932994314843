"""The documentation's text as written: no page keeps a merge's conflict markers (MkDocs'
strict build renders them as text without a warning, so `make docs` alone does not catch
them)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7}|>{7}) |^={7}$", re.MULTILINE)


def test_no_page_keeps_conflict_markers() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    marked = [
        f"{page.relative_to(REPO)}:{text.count(chr(10), 0, found.start()) + 1}"
        for page in pages
        for text in [page.read_text(encoding="utf-8")]
        for found in MARKER.finditer(text)
    ]
    assert not marked, f"conflict markers left by a merge: {marked}"
