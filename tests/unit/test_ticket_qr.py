"""The QR matrix of ticket codes: alphanumeric mode, version 2 at level M, a full quiet zone."""

from __future__ import annotations

import pytest

from kiosk.core.tickets import TICKET_CODE_LENGTH, TicketCodec
from kiosk.render.qr import QUIET_ZONE_MODULES, qr_matrix

CODEC = TicketCodec(bytes(range(32)))


@pytest.mark.parametrize(("attendee", "issue"), [(0, 0), (1, 0), (4242, 3), (1_048_575, 31)])
def test_every_ticket_code_fits_version_2_with_a_quiet_zone(attendee: int, issue: int) -> None:
    code = CODEC.issue(attendee, issue)
    assert len(code) == TICKET_CODE_LENGTH
    matrix = qr_matrix(code)
    assert matrix.version == 2
    assert matrix.size == 25 + 2 * QUIET_ZONE_MODULES
    border = [
        matrix.modules[row][column]
        for row in range(matrix.size)
        for column in range(matrix.size)
        if min(row, column, matrix.size - 1 - row, matrix.size - 1 - column) < QUIET_ZONE_MODULES
    ]
    assert not any(border)


def test_lower_case_text_would_need_a_bigger_symbol() -> None:
    # Why codes are upper case: byte mode does not fit version 2 at level M.
    assert qr_matrix(CODEC.issue(7).lower()).version > 2


def test_dark_runs_cover_exactly_the_dark_modules() -> None:
    matrix = qr_matrix(CODEC.issue(99))
    painted = {
        (row, column + offset)
        for row, column, length in matrix.dark_runs()
        for offset in range(length)
    }
    dark = {
        (row, column)
        for row, cells in enumerate(matrix.modules)
        for column, cell in enumerate(cells)
        if cell
    }
    assert painted == dark and dark
