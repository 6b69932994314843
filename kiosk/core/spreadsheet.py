"""Cells of a CSV that people open in Excel, LibreOffice or Google Sheets: data, never formulas.

A registration name such as ``=HYPERLINK("http://…","Click")`` or ``@SUM(…)`` written as it is
into ``mail-merge.csv`` becomes a live formula when the file is opened (CSV injection). Every
text cell that starts with a character a spreadsheet reads as the start of a formula (``=``,
``+``, ``-``, ``@``, a tab or a carriage return, also after leading spaces) gets a leading
apostrophe, which the spreadsheet shows as plain text and does not display.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet will show it as text, never run it as a formula."""
    if value.startswith(FORMULA_STARTS) or value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[str]) -> list[str]:
    """A CSV row with every cell made safe (see :func:`safe_cell`)."""
    return [safe_cell(value) for value in values]
