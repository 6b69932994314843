"""The show report as an A4 PDF: bilingual headings, CJK fonts embedded, vector charts.

QPdfWriter embeds (subsets of) the fonts it draws with, so Chinese titles print anywhere, and
the charts are painted as paths, not pictures. The layout comes from `report_layout`, shared
with the HTML writer; this module only places blocks on pages and paints them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from kiosk.core.report import ShowReport
from kiosk.render.chart_painter import paint_shapes
from kiosk.render.fonts import font_families
from kiosk.render.report_layout import (
    Chart,
    Figures,
    Palette,
    Paragraph,
    ReportLayout,
    Section,
    Table,
    layout_report,
)
from kiosk.render.ticket import ensure_gui_application

log = logging.getLogger(__name__)

DPI = 720  # 1 pt = 10 device units
PAGE_MM = (210.0, 297.0)
MARGIN_MM = 15.0
FOOTER_MM = 8.0
CONTENT_MM = PAGE_MM[0] - 2 * MARGIN_MM


def _units(mm: float) -> float:
    return mm * DPI / 25.4


def _font(points: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(font_families())
    font.setPixelSize(max(1, round(points * DPI / 72)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


class _Pages:
    """A cursor over A4 pages: blocks ask for room and get a new page when there is none."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, footer: str) -> None:
        self.writer = writer
        self.painter = painter
        self.footer = footer
        self.page = 1
        self.y = MARGIN_MM

    @property
    def bottom(self) -> float:
        return PAGE_MM[1] - MARGIN_MM - FOOTER_MM

    def need(self, mm: float) -> None:
        """Start a new page unless `mm` fits below the cursor."""
        if self.y + mm > self.bottom and self.y > MARGIN_MM + 0.1:
            self.new_page()

    def new_page(self) -> None:
        self.draw_footer()
        self.writer.newPage()
        self.page += 1
        self.y = MARGIN_MM

    def draw_footer(self) -> None:
        painter = self.painter
        painter.setFont(_font(7))
        painter.setPen(QColor(Palette.muted))
        y = PAGE_MM[1] - MARGIN_MM
        box = QRectF(_units(MARGIN_MM), _units(y - 4), _units(CONTENT_MM), _units(5))
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft, self.footer)
        painter.drawText(box, Qt.AlignmentFlag.AlignRight, f"Page {self.page} · 第 {self.page} 頁")


def _text_height(text: str, font: QFont, width_mm: float) -> float:
    metrics = QFontMetricsF(font)
    rect = metrics.boundingRect(
        QRectF(0, 0, _units(width_mm), 1e6), int(Qt.TextFlag.TextWordWrap), text
    )
    return rect.height() * 25.4 / DPI


def _draw_text(
    painter: QPainter,
    x: float,
    y: float,
    width: float,
    text: str,
    font: QFont,
    colour: str,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> float:
    """Wrapped text in a column; returns its height in mm."""
    height = _text_height(text, font, width)
    painter.setFont(font)
    painter.setPen(QColor(colour))
    painter.drawText(
        QRectF(_units(x), _units(y), _units(width), _units(height) + 2),
        int(align | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
        text,
    )
    return height


def _heading(pages: _Pages, section: Section) -> None:
    pages.need(45)  # a heading never ends a page alone
    painter = pages.painter
    pages.y += 3
    font = _font(14, bold=True)
    painter.setFont(font)
    painter.setPen(QColor(Palette.ink))
    text = f"{section.heading_en}  ·  {section.heading_zh}"
    height = _draw_text(painter, MARGIN_MM, pages.y, CONTENT_MM, text, font, Palette.ink)
    pages.y += height + 1
    painter.setPen(QPen(QColor(Palette.rule), _units(0.4)))
    painter.drawLine(
        QPointF(_units(MARGIN_MM), _units(pages.y)),
        QPointF(_units(MARGIN_MM + CONTENT_MM), _units(pages.y)),
    )
    pages.y += 3


def _paragraph(pages: _Pages, block: Paragraph) -> None:
    font = _font(7.5 if block.tone == "muted" else 9, bold=block.tone == "alert")
    colour = {"alert": Palette.failed, "muted": Palette.muted}.get(block.tone, Palette.ink)
    height = _text_height(block.text, font, CONTENT_MM)
    pages.need(height + 2)
    _draw_text(pages.painter, MARGIN_MM, pages.y, CONTENT_MM, block.text, font, colour)
    pages.y += height + 2


def _figures(pages: _Pages, block: Figures) -> None:
    count = max(1, len(block.items))
    gap = 2.5
    width = (CONTENT_MM - gap * (count - 1)) / count
    height = 16.0
    pages.need(height + 3)
    painter = pages.painter
    for index, figure in enumerate(block.items):
        x = MARGIN_MM + index * (width + gap)
        painter.setPen(QPen(QColor(Palette.rule), _units(0.3)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(
            QRectF(_units(x), _units(pages.y), _units(width), _units(height)),
            _units(1.5),
            _units(1.5),
        )
        colour = Palette.failed if figure.tone == "alert" else Palette.ink
        _draw_text(
            painter, x + 2, pages.y + 1.5, width - 4, figure.value, _font(15, bold=True), colour
        )
        label = f"{figure.label_en}\n{figure.label_zh}"
        _draw_text(painter, x + 2, pages.y + 8.2, width - 4, label, _font(6.5), Palette.muted)
    pages.y += height + 3


def _table(pages: _Pages, block: Table) -> None:
    total = sum(block.widths) or 1.0
    widths = [CONTENT_MM * w / total for w in block.widths]
    head_font, cell_font = _font(7, bold=True), _font(7.5)
    pad = 0.9

    def head_height() -> float:
        return (
            max(
                _text_height(f"{en}\n{zh}", head_font, w - 2 * pad)
                for (en, zh), w in zip(block.headers, widths, strict=True)
            )
            + 2 * pad
        )

    def draw_head() -> None:
        height = head_height()
        x = MARGIN_MM
        for index, ((en, zh), w) in enumerate(zip(block.headers, widths, strict=True)):
            align = (
                Qt.AlignmentFlag.AlignRight
                if index in block.align_right
                else Qt.AlignmentFlag.AlignLeft
            )
            _draw_text(
                pages.painter,
                x + pad,
                pages.y + pad,
                w - 2 * pad,
                f"{en}\n{zh}",
                head_font,
                Palette.ink,
                align,
            )
            x += w
        pages.y += height
        _rule(pages, Palette.rule, 0.35)

    pages.need(head_height() + 8)
    draw_head()
    for number, row in enumerate(block.rows):
        tone = block.tones[number] if number < len(block.tones) else "normal"
        colour = {"alert": Palette.failed, "muted": Palette.muted}.get(tone, Palette.ink)
        height = (
            max(
                _text_height(cell or " ", cell_font, w - 2 * pad)
                for cell, w in zip(row, widths, strict=True)
            )
            + 2 * pad
        )
        if pages.y + height > pages.bottom:
            pages.new_page()
            draw_head()
        x = MARGIN_MM
        for index, (cell, w) in enumerate(zip(row, widths, strict=True)):
            align = (
                Qt.AlignmentFlag.AlignRight
                if index in block.align_right
                else Qt.AlignmentFlag.AlignLeft
            )
            _draw_text(
                pages.painter, x + pad, pages.y + pad, w - 2 * pad, cell, cell_font, colour, align
            )
            x += w
        pages.y += height
        _rule(pages, Palette.grid, 0.2)
    pages.y += 3


def _rule(pages: _Pages, colour: str, width: float) -> None:
    pages.painter.setPen(QPen(QColor(colour), _units(width)))
    pages.painter.drawLine(
        QPointF(_units(MARGIN_MM), _units(pages.y)),
        QPointF(_units(MARGIN_MM + CONTENT_MM), _units(pages.y)),
    )


def _chart(pages: _Pages, chart: Chart) -> None:
    caption = f"{chart.caption_en} · {chart.caption_zh}"
    note_font = _font(7)
    note_h = _text_height(chart.note, note_font, CONTENT_MM) + 1 if chart.note else 0.0
    scale = min(1.0, CONTENT_MM / chart.width)
    height = chart.height * scale
    available = pages.bottom - MARGIN_MM - 8 - note_h
    if height > available:  # a very long programme: shrink the chart to one page
        scale *= available / height
        height = available
    pages.need(height + 8 + note_h)
    pages.y += (
        _draw_text(
            pages.painter, MARGIN_MM, pages.y, CONTENT_MM, caption, _font(9, bold=True), Palette.ink
        )
        + 1
    )
    painter = pages.painter
    painter.save()
    painter.translate(_units(MARGIN_MM), _units(pages.y))
    painter.scale(scale, scale)
    paint_shapes(painter, chart.shapes, _units(1.0))
    painter.restore()
    pages.y += height + 1
    if chart.note:
        pages.y += _draw_text(
            painter, MARGIN_MM, pages.y, CONTENT_MM, chart.note, note_font, Palette.muted
        )
    pages.y += 3


def write_layout_pdf(layout: ReportLayout, path: Path) -> int:
    """Write a laid-out report to `path` as A4 pages; returns the number of pages."""
    ensure_gui_application()
    partial = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(partial))
    writer.setResolution(DPI)
    writer.setTitle(layout.title_en)
    writer.setCreator("AIFF Screening Night")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError("the PDF file could not be opened (is the folder there and writable?)")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pages = _Pages(writer, painter, layout.made)
        pages.y += _draw_text(
            painter,
            MARGIN_MM,
            pages.y,
            CONTENT_MM,
            layout.title_en,
            _font(18, bold=True),
            Palette.ink,
        )
        pages.y += (
            _draw_text(
                painter,
                MARGIN_MM,
                pages.y,
                CONTENT_MM,
                layout.title_zh,
                _font(15, bold=True),
                Palette.ink,
            )
            + 1
        )
        pages.y += (
            _draw_text(
                painter, MARGIN_MM, pages.y, CONTENT_MM, layout.subtitle, _font(9), Palette.muted
            )
            + 2
        )
        for section in layout.sections:
            _heading(pages, section)
            for block in section.blocks:
                match block:
                    case Paragraph():
                        _paragraph(pages, block)
                    case Figures():
                        _figures(pages, block)
                    case Table():
                        _table(pages, block)
                    case Chart():
                        _chart(pages, block)
        pages.draw_footer()
    finally:
        painter.end()
    partial.replace(path)
    return pages.page


def write_report_pdf(report: ShowReport, path: Path) -> int:
    """Write the show report to `path` as an A4 PDF; returns the number of pages."""
    count = write_layout_pdf(layout_report(report), path)
    log.info("wrote %s (%d pages)", path, count)
    return count
