"""Tickets as a printable A4 PDF: one per page, or four per page with cut marks.

QPdfWriter embeds the fonts it draws with (subsets), so Chinese names print on any machine.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMarginsF, QPointF, QRectF
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from kiosk.render.qr import QrMatrix
from kiosk.render.ticket import TicketContent, TicketPainter

PDF_DPI = 600
A4_MM = (210.0, 297.0)
TICKET_MM = (90.0, 135.0)  # the 2:3 canvas; 2 x 2 fit on A4 with room for cut marks
_CUT_MARK_MM = 7.0
_CUT_MARK_GAP_MM = 2.0
PER_PAGE_CHOICES = (1, 4)


class TicketPdf:
    """Writes tickets into one PDF, `per_page` (1 or 4) to an A4 page; use as a context manager."""

    def __init__(self, path: Path, *, per_page: int = 4, title: str = "Tickets") -> None:
        if per_page not in PER_PAGE_CHOICES:
            raise ValueError(f"tickets per page must be one of {PER_PAGE_CHOICES}, not {per_page}")
        self.path = path
        self.per_page = per_page
        self._partial = path.with_name(path.name + ".part")
        self._writer = QPdfWriter(str(self._partial))
        self._writer.setResolution(PDF_DPI)
        self._writer.setTitle(title)
        self._writer.setCreator("AIFF Screening Night")
        self._writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        self._painter = QPainter()
        self._ticket_painter = TicketPainter()
        self._on_page = 0
        self.count = 0

    def __enter__(self) -> TicketPdf:
        if not self._painter.begin(self._writer):
            raise OSError(f"could not write {self.path}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.count and self._on_page:
            self._cut_marks()
        self._painter.end()
        if exc_type is None:
            self._partial.replace(self.path)
        else:
            self._partial.unlink(missing_ok=True)

    def _mm(self, value: float) -> float:
        return value * PDF_DPI / 25.4

    def _slots(self) -> list[QRectF]:
        width, height = TICKET_MM
        columns = rows = 1 if self.per_page == 1 else 2
        left = (A4_MM[0] - columns * width) / 2
        top = (A4_MM[1] - rows * height) / 2
        return [
            QRectF(
                self._mm(left + column * width),
                self._mm(top + row * height),
                self._mm(width),
                self._mm(height),
            )
            for row in range(rows)
            for column in range(columns)
        ]

    def add(self, ticket: TicketContent, matrix: QrMatrix | None = None) -> None:
        """Place the next ticket (starting a new page when the current one is full)."""
        if self._on_page == self.per_page:
            self._cut_marks()
            self._writer.newPage()
            self._on_page = 0
        slot = self._slots()[self._on_page]
        self._ticket_painter.paint(self._painter, slot, ticket, matrix)
        self._on_page += 1
        self.count += 1

    def _cut_marks(self) -> None:
        """Crop marks in the page margins along every ticket edge (shared edges: one cut)."""
        painter = self._painter
        painter.save()
        painter.setPen(QPen(QColor("#000000"), self._mm(0.2)))
        slots = self._slots()
        xs = sorted({slot.left() for slot in slots} | {slot.right() for slot in slots})
        ys = sorted({slot.top() for slot in slots} | {slot.bottom() for slot in slots})
        gap, mark = self._mm(_CUT_MARK_GAP_MM), self._mm(_CUT_MARK_MM)
        top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
        for x in xs:
            painter.drawLine(QPointF(x, top - gap), QPointF(x, top - gap - mark))
            painter.drawLine(QPointF(x, bottom + gap), QPointF(x, bottom + gap + mark))
        for y in ys:
            painter.drawLine(QPointF(left - gap, y), QPointF(left - gap - mark, y))
            painter.drawLine(QPointF(right + gap, y), QPointF(right + gap + mark, y))
        painter.restore()
