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
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent, QShowEvent
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
from kiosk.ui.common.theme import Colours, text_label

log = logging.getLogger(__name__)

REFRESH_MS = 15_000  # the tab rebuilds the report this often while it is shown

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
    """Paints one report chart scaled to the widget's width (aspect kept)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chart: Chart | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(120)

    @property
    def chart(self) -> Chart | None:
        """What is drawn."""
        return self._chart

    def set_chart(self, chart: Chart) -> None:
        """Replace the chart and repaint."""
        self._chart = chart
        self.setMinimumHeight(self.heightForWidth(self.width()))
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
        self.setMinimumHeight(self.heightForWidth(self.width()))  # the whole width, aspect kept

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Colours.panel)
        chart = self._chart
        if chart is None:
            return
        unit = min(self.width() / chart.width, self.height() / chart.height)
        paint_shapes(painter, chart.shapes, unit, DARK_COLOURS)
        painter.end()


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
        self._figure_labels: list[tuple[QLabel, QLabel]] = []
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
        self._door_labels: list[tuple[QLabel, QLabel]] = []
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
        self.state_label.setText(line.text)
        colour = Colours.bad if line.tone == "alert" else Colours.text
        self.state_label.setStyleSheet(f"color: {colour.name()};")
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
        per_row = 6
        while len(labels) < len(figures.items):
            index = len(labels)
            value = text_label("", 20, bold=True)
            caption = text_label("", 9, colour=Colours.muted.name())
            for label in (value, caption):
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            row, column = divmod(index, per_row)
            grid.addWidget(value, row * 2, column)
            grid.addWidget(caption, row * 2 + 1, column)
            labels.append((value, caption))
        for (value, caption), figure in zip(labels, figures.items, strict=False):
            value.setText(figure.value)
            colour = Colours.bad if figure.tone == "alert" else Colours.text
            value.setStyleSheet(f"color: {colour.name()};")
            caption.setText(f"{figure.label_en} · {figure.label_zh}")

    def _fill_incidents(self, report: ShowReport) -> None:
        table = self.incidents
        table.setRowCount(len(report.incidents))
        for row, incident in enumerate(report.incidents):
            cells = (
                report.local(incident.at),
                incident_kind_words(incident).pair(),
                incident.in_words(report.tz).pair("\n"),
                f"{incident.dark_s:.1f} s" if incident.dark_s else "—",
            )
            serious = incident.kind in (
                IncidentKind.CRASH,
                IncidentKind.FAILURE,
                IncidentKind.SOUND_LOST,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)  # plain text: reasons come from players and files
                if serious:
                    item.setForeground(Colours.bad)
                table.setItem(row, column, item)
        table.resizeColumnToContents(0)
        table.resizeColumnToContents(1)
        table.resizeRowsToContents()  # the Chinese line under the English

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
