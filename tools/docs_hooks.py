"""MkDocs hook (see mkdocs.yml): fills the generated parts of the site while it is built.

`<!-- console-keys -->` on a page becomes the key table made from `CONSOLE_KEYS` (and
`<!-- clicker-keys -->` the presenter clicker's, from `CLICKER_KEYS`); the JSON
outputs page is checked against the click commands that take `--json`. A disagreement stops
the build (`make docs` is strict), naming what to fix.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

# MkDocs loads this file by its path; `tools` is importable only from the repository's root,
# which `python -m mkdocs` (as `make docs` runs it) has on sys.path but the `mkdocs` script not.
REPOSITORY = str(Path(__file__).resolve().parents[1])
if REPOSITORY not in sys.path:
    sys.path.insert(0, REPOSITORY)

from tools.docs_reference import (  # noqa: E402 (after the path above)
    DocsMismatchError,
    check_json_page,
    clicker_keys_markdown,
    console_keys_markdown,
)

KEYS_MARKER = "<!-- console-keys -->"
CLICKER_MARKER = "<!-- clicker-keys -->"
JSON_PAGE = "reference/json.md"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Put the generated parts into a page's Markdown before it is rendered."""
    try:
        if KEYS_MARKER in markdown:
            markdown = markdown.replace(KEYS_MARKER, console_keys_markdown())
        if CLICKER_MARKER in markdown:
            markdown = markdown.replace(CLICKER_MARKER, clicker_keys_markdown())
        if page.file.src_uri == JSON_PAGE:
            check_json_page(markdown)
    except DocsMismatchError as exc:
        raise PluginError(str(exc)) from exc
    return markdown
