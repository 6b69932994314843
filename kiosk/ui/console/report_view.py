"""The console's Report tab: tonight so far, at a glance, from the journal and the check-ins.

The timeline (planned against actual, incidents marked) and the arrivals chart are the report's
own vector charts (`kiosk.render.report_layout`), painted here in the console's dark colours;
the figures and the incident list are the same the PDF and the HTML print. The tab gets a
narrow `ReportSource` (build, export), never the database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.report import IncidentKind, ShowReport
from kiosk.render.chart_painter import paint_shapes
from kiosk.render.report_layout import (
    Chart,
    Figures,
    Palette,
    arrivals_chart,
    incident_kind_words,
    layout_report,
    state_line,
    timeline_chart,
)
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, set_style, text_label

log = logging.getLogger(__name__)

REFRESH_MS = 15_000  # the tab rebuilds the report this often while it is shown
# figure labels built with the tab (the report's summary has 6 figures, its doors 12), so a
# report arriving during the show only sets texts: building labels in the answer held the
# GUI thread (the stall probe: "serial_worker.py _run → theme.py text_label", 131 ms)
FIGURES_PER_ROW = 6
SERIOUS = (IncidentKind.CRASH, IncidentKind.FAILURE, IncidentKind.SOUND_LOST)  # drawn in red
SUMMARY_LABELS, DOOR_LABELS = 6, 12

# the print palette, as the console's dark theme shows it
DARK_COLOURS = {
    Palette.ink: Colours.text.name(),
    Palette.muted: Colours.muted.name(),
    Palette.rule: "#4a505c",
    Palette.grid: "#2c3039",
    Palette.planned: "#8b919c",
    Palette.intermission: "#2b3a52",
    Palette.not_reached: "#4a505c",
}


class ReportSource(Protocol):
    """What the Report tab may ask for (kiosk.services.report.ReportService)."""

    def build(self) -> ShowReport:
        """The report as of now."""
        ...

    def export_pdf(self, report: ShowReport, path: Path) -> Path:
        """Write the report as PDF."""
        ...

    def export_html(self, report: ShowReport, path: Path) -> Path:
        """Write the report as HTML."""
        ...

    def default_export_path(self, suffix: str) -> Path:
        """A sensible file to offer in the save dialog."""
        ...


class ChartView(QWidget):
    """Paints one report chart scaled to the widget's width (aspect kept).

    The chart is drawn once into a pixmap (when it or the widget's size changes); a paint
    only copies that pixmap, so the tab repainting under a scroll or a label costs no chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chart: Chart | None = None
        self._drawn: QPixmap | None = None  # the chart at the widget's size, or None to draw
        self.renders = 0  # how often the chart was drawn (not merely copied): tests read it
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(120)

    @property
    def chart(self) -> Chart | None:
        """What is drawn."""
        return self._chart

    def set_chart(self, chart: Chart) -> None:
        """Replace the chart and repaint (nothing to do if it is the same chart)."""
        if chart == self._chart:
            return
        self._chart = chart
        self._drawn = None
        height = self.heightForWidth(self.width())
        if height != self.minimumHeight():
            self.setMinimumHeight(height)
            self.updateGeometry()
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        chart = self._chart
        return 120 if chart is None else round(width * chart.height / chart.width)

    def sizeHint(self) -> QSize:
        return QSize(900, self.heightForWidth(900))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._drawn = None
        self.setMinimumHeight(self.heightForWidth(self.width()))  # the whole width, aspect kept

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._drawn is None or self._drawn.size() != self.size():
            self._drawn = self._draw()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._drawn)
        painter.end()

    def _draw(self) -> QPixmap:
        pixmap = QPixmap(self.size())
        pixmap.fill(Colours.panel)
        chart = self._chart
        if chart is None:
            return pixmap
        self.renders += 1
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        unit = min(self.width() / chart.width, self.height() / chart.height)
        paint_shapes(painter, chart.shapes, unit, DARK_COLOURS)
        painter.end()
        return pixmap


class ReportView(QWidget):
    """The Report tab: state, key figures, the timeline, incidents, the doors; Refresh, Export."""

    def __init__(
        self,
        source: ReportSource,
        tasks: TaskRunner,
        messages: MessageBus,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.tasks = tasks
        self.messages = messages
        self.report: ShowReport | None = None
        self._busy = False
        self.exporting = False  # a PDF or HTML export is being written on a worker
        self.last_export: Path | None = None
        outer = QVBoxLayout(self)
        outer.addLayout(self._build_bar())
        outer.addWidget(self._build_body(), 1)
        self._timer = QTimer(self)  # while the tab is on screen the night keeps moving
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_if_visible)
        self._timer.start()

    def _build_bar(self) -> QHBoxLayout:
        """The report's state, Refresh and the two exports."""
        bar = QHBoxLayout()
        self.state_label = text_label("Reading the journal… · 讀取中…", 12, bold=True)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setWordWrap(True)
        bar.addWidget(self.state_label, 1)
        self.refresh_button = QPushButton("Refresh · 更新")
        self.pdf_button = QPushButton("Export PDF… · 匯出 PDF")
        self.html_button = QPushButton("Export HTML… · 匯出 HTML")
        for button in (self.refresh_button, self.pdf_button, self.html_button):
            bar.addWidget(button)
        self.refresh_button.clicked.connect(self.refresh)
        self.pdf_button.clicked.connect(lambda: self._ask_and_export(".pdf"))
        self.html_button.clicked.connect(lambda: self._ask_and_export(".html"))
        return bar

    def _build_body(self) -> QScrollArea:
        """Key figures, the timeline, incidents and the doors, scrolling."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        self._body = QVBoxLayout(body)
        self.figures = QGridLayout()
        self._figure_labels = figure_labels(self.figures, SUMMARY_LABELS)
        self._body.addLayout(self.figures)
        self.timeline = ChartView()
        self._body.addWidget(
            text_label("Timeline: planned and actual · 時間線：計劃與實際", 11, bold=True)
        )
        self._body.addWidget(self.timeline)
        self.incidents = QTableWidget(0, 4)
        self.incidents.setHorizontalHeaderLabels(
            ["Time · 時間", "Kind · 類別", "What happened · 經過", "Dark · 黑畫面"]
        )
        self.incidents.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.incidents.verticalHeader().setVisible(False)
        self.incidents.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.incidents.setMinimumHeight(140)
        self._body.addWidget(text_label("Incidents · 事故", 11, bold=True))
        self._body.addWidget(self.incidents)
        self.doors_figures = QGridLayout()
        self._door_labels = figure_labels(self.doors_figures, DOOR_LABELS)
        self._incident_rows: list[tuple[tuple[str, ...], bool]] = []  # what the table shows
        self._body.addWidget(text_label("Doors · 入場", 11, bold=True))
        self._body.addLayout(self.doors_figures)
        self.arrivals = ChartView()
        self._body.addWidget(self.arrivals)
        self._body.addStretch(1)
        scroll.setWidget(body)
        return scroll

    # -- reading ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # every time the tab is opened: the night moves on

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Build the report again from the records, off the GUI thread."""
        if self._busy:
            return
        self._busy = True
        self.refresh_button.setEnabled(False)
        self.tasks.run(self.source.build, self._built, self._failed)

    def _built(self, report: ShowReport) -> None:
        self._busy = False
        self.refresh_button.setEnabled(True)
        self.show_report(report)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.refresh_button.setEnabled(True)
        self.state_label.setText(f"The report could not be made: {error} · 無法製作報告")
        self.messages.error(f"Show report: {error}")

    def show_report(self, report: ShowReport) -> None:
        """Put a built report on screen."""
        self.report = report
        line = state_line(report)
        set_text(self.state_label, line.text)
        colour = Colours.bad if line.tone == "alert" else Colours.text
        set_style(self.state_label, f"color: {colour.name()};")
        layout = layout_report(report)
        summary = next(b for b in layout.sections[0].blocks if isinstance(b, Figures))
        self._fill_figures(self.figures, self._figure_labels, summary)
        doors = [b for s in layout.sections for b in s.blocks if isinstance(b, Figures)][1:]
        merged = Figures(tuple(item for block in doors for item in block.items))
        self._fill_figures(self.doors_figures, self._door_labels, merged)
        self.timeline.set_chart(timeline_chart(report))
        self.arrivals.set_chart(arrivals_chart(report))
        self._fill_incidents(report)

    def _fill_figures(
        self, grid: QGridLayout, labels: list[tuple[QLabel, QLabel]], figures: Figures
    ) -> None:
        """Set the figures' texts (a label's text or colour only when it changed: each change
        lays the tab out again); labels are added only if the report grew more figures."""
        if len(labels) < len(figures.items):
            labels.extend(figure_labels(grid, len(figures.items) - len(labels), len(labels)))
        for (value, caption), figure in zip(labels, figures.items, strict=False):
            set_text(value, figure.value)
            colour = Colours.bad if figure.tone == "alert" else Colours.text
            set_style(value, f"color: {colour.name()};")
            set_text(caption, f"{figure.label_en} · {figure.label_zh}")

    def _fill_incidents(self, report: ShowReport) -> None:
        """The incident list, written again only when it changed (and then only the rows that
        did): sizing the rows of a long list to their texts is the table's dearest work."""
        rows: list[tuple[tuple[str, ...], bool]] = [
            (
                (
                    report.local(incident.at),
                    incident_kind_words(incident).pair(),
                    incident.in_words(report.tz).pair("\n"),
                    f"{incident.dark_s:.1f} s" if incident.dark_s else "—",
                ),
                incident.kind in SERIOUS,
            )
            for incident in report.incidents
        ]
        if rows == self._incident_rows:
            return
        table = self.incidents
        table.setRowCount(len(rows))
        changed = [
            index
            for index, row in enumerate(rows)
            if index >= len(self._incident_rows) or self._incident_rows[index] != row
        ]
        for index in changed:
            cells, serious = rows[index]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)  # plain text: reasons come from players and files
                if serious:
                    item.setForeground(Colours.bad)
                table.setItem(index, column, item)
            table.resizeRowToContents(index)  # the Chinese line under the English
        table.resizeColumnToContents(0)
        table.resizeColumnToContents(1)
        self._incident_rows = rows

    # -- exporting --------------------------------------------------------------------------

    def _ask_and_export(self, suffix: str) -> None:
        kind = "PDF (*.pdf)" if suffix == ".pdf" else "HTML (*.html)"
        default = str(self.source.default_export_path(suffix))
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the show report · 匯出報告", default, kind
        )
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> bool:
        """Build the report now and write it to `path` (PDF or HTML by its suffix), on a worker
        thread (a PDF takes a few hundred milliseconds: never on the show's thread); the file's
        name is told when written (and kept in `last_export`). False if one is being written."""
        if self.exporting:
            self.messages.warning("The report is still being exported · 報告匯出中")
            return False
        self.exporting = True
        self.pdf_button.setEnabled(False)
        self.html_button.setEnabled(False)
        source = self.source

        def write() -> tuple[ShowReport, Path]:
            report = source.build()
            if path.suffix.lower() == ".pdf":
                return report, source.export_pdf(report, path)
            return report, source.export_html(report, path)

        def written(answer: tuple[ShowReport, Path]) -> None:
            self._export_finished()
            report, self.last_export = answer
            self.show_report(report)
            self.messages.info(f"Show report written to {self.last_export}")

        def failed(error: BaseException) -> None:  # shown to the operator, never lost
            self._export_finished()
            log.error("report export to %s failed: %s", path, error)
            self.messages.error(f"Could not export the report to {path}: {error}")

        self.tasks.run(write, written, failed)
        return True

    def _export_finished(self) -> None:
        self.exporting = False
        self.pdf_button.setEnabled(True)
        self.html_button.setEnabled(True)


def figure_labels(grid: QGridLayout, count: int, first: int = 0) -> list[tuple[QLabel, QLabel]]:
    """`count` (value, caption) label pairs in `grid`, FIGURES_PER_ROW a row, from index
    `first`; empty until a report fills them."""
    labels = []
    for index in range(first, first + count):
        value = text_label("", 20, bold=True)
        caption = text_label("", 9, colour=Colours.muted.name())
        for label in (value, caption):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row, column = divmod(index, FIGURES_PER_ROW)
        grid.addWidget(value, row * 2, column)
        grid.addWidget(caption, row * 2 + 1, column)
        labels.append((value, caption))
    return labels


def set_text(label: QLabel, text: str) -> None:
    """Give `label` this text unless it has it already (a new text lays its parent out)."""
    if label.text() != text:
        label.setText(text)
