"""The QR matrix of a ticket code, computed by qrcode and painted by Qt (see render.ticket).

qrcode is used only for the module matrix: one renderer (QPainter) then draws it for PNG and
PDF alike. The ticket code is uppercase Crockford base32 with hyphens, so qrcode encodes it in
alphanumeric mode and the smallest version that fits at level M is 2 (25 x 25 modules).
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE_MODULES = 4
"""The blank margin the QR standard asks for, in modules, on every side."""


@dataclass(frozen=True)
class QrMatrix:
    """A QR symbol as rows of dark (True) / light modules, quiet zone included."""

    version: int
    modules: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules per side, quiet zone included."""
        return len(self.modules)

    def dark_runs(self) -> list[tuple[int, int, int]]:
        """Horizontal runs of dark modules as (row, first column, length), for painting."""
        runs: list[tuple[int, int, int]] = []
        for row_index, row in enumerate(self.modules):
            start = -1
            for column, dark in enumerate((*row, False)):
                if dark and start < 0:
                    start = column
                elif not dark and start >= 0:
                    runs.append((row_index, start, column - start))
                    start = -1
        return runs


def qr_matrix(text: str) -> QrMatrix:
    """The QR symbol for `text` at error correction level M, smallest version that fits."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE_MODULES)
    code.add_data(text)
    code.make(fit=True)
    modules = tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())
    return QrMatrix(version=int(code.version), modules=modules)
