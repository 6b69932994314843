"""The console's Report tab: tonight so far, at a glance, from the journal and the check-ins.

The timeline (planned against actual, incidents marked) and the arrivals chart are the report's
own vector charts (`kiosk.render.report_layout`), painted here in the console's dark colours;
the figures and the incident list are the same the PDF and the HTML print. The tab gets a
narrow `ReportSource` (the tab's report, export), never the database. The report itself is
built by a child process (`main.py report --tab-json`): the tab receives a `ReportPanel` (the
figures, the incident rows, the charts' shapes) and only draws.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QResizeEvent, QShowEvent
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

from kiosk.render.chart_painter import paint_shapes
from kiosk.render.report_layout import Chart, Figures, Palette
from kiosk.render.report_panel import IncidentRow, ReportPanel
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, set_style, text_label

log = logging.getLogger(__name__)

REFRESH_MS = 15_000  # the tab has the report built again this often while it is shown
# figure labels built with the tab (the report's summary has 6 figures, its doors 12), so a
# report arriving during the show only sets texts: building labels in the answer held the
# GUI thread (the stall probe: "serial_worker.py _run → theme.py text_label", 131 ms)
FIGURES_PER_ROW = 6
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


@dataclass(frozen=True)
class DrawnPanel:
    """The tab's report as the child built it, with its two charts drawn on the worker."""

    panel: ReportPanel
    timeline_drawn: QImage
    arrivals_drawn: QImage


class ReportSource(Protocol):
    """What the Report tab may ask for (kiosk.services.report.ReportService)."""

    def panel(self) -> ReportPanel:
        """What the tab shows of the report as of now (built elsewhere); blocks."""
        ...

    def export(self, path: Path) -> Path:
        """Write the report as of now to `path` (PDF, or HTML for `.html`); blocks."""
        ...

    def default_export_path(self, suffix: str) -> Path:
        """A sensible file to offer in the save dialog."""
        ...


def chart_height(chart: Chart | None, width: int) -> int:
    """How tall a chart is drawn at `width` (its aspect kept; 120 px before there is one)."""
    return 120 if chart is None else round(width * chart.height / chart.width)


def draw_chart(chart: Chart | None, size: QSize) -> QImage:
    """The chart drawn at `size` in the console's colours: on any thread (a QImage, not a
    widget), so the report's worker draws it beside building the report."""
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Colours.panel)
    if chart is None or size.isEmpty():
        return image
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = min(size.width() / chart.width, size.height() / chart.height)
    paint_shapes(painter, chart.shapes, unit, DARK_COLOURS)
    painter.end()
    return image


class ChartView(QWidget):
    """Shows one report chart scaled to the widget's width (aspect kept).

    The chart comes drawn (`draw_chart`, on the report's worker) at the size the widget will
    have; a paint only copies that image. Only when the widget's size differs (a resize) is it
    drawn again here, on the GUI thread (`renders` counts those of a chart: tests read it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chart: Chart | None = None
        self._drawn: QImage | None = None
        self.renders = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(120)

    @property
    def chart(self) -> Chart | None:
        """What is drawn."""
        return self._chart

    def size_for(self, chart: Chart | None) -> QSize:
        """The size this view will give `chart` (its width now, the chart's aspect)."""
        return QSize(self.width(), chart_height(chart, self.width()))

    def set_chart(self, chart: Chart, drawn: QImage | None = None) -> None:
        """Show `chart`, already `drawn` if given (nothing to do if it is the same chart)."""
        if chart == self._chart and self._drawn is not None:
            return
        self._chart = chart
        self._drawn = drawn
        height = self.heightForWidth(self.width())
        if height != self.minimumHeight():
            self.setMinimumHeight(height)
            self.updateGeometry()
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return chart_height(self._chart, width)

    def sizeHint(self) -> QSize:
        return QSize(900, self.heightForWidth(900))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.setMinimumHeight(self.heightForWidth(self.width()))  # the whole width, aspect kept

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._drawn is None or self._drawn.size() != self.size():
            self._drawn = draw_chart(self._chart, self.size())
            self.renders += self._chart is not None
        painter = QPainter(self)
        painter.drawImage(0, 0, self._drawn)
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
        self.panel: ReportPanel | None = None  # what the tab shows now
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
        # the charts' width never changes when the content grows past the screen: they come
        # drawn on the worker at the width they have (a scroll bar appearing redrew them here)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
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
        self._incident_rows: tuple[IncidentRow, ...] = ()  # what the table shows
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
        """Have the report built again from the records (by the report child) and its charts
        drawn, off the GUI thread."""
        if self._busy:
            return
        self._busy = True
        self.refresh_button.setEnabled(False)
        self.tasks.run(self._build_and_draw(self.source.panel), self._built, self._failed)

    def _build_and_draw(self, build: Callable[[], ReportPanel]) -> Callable[[], DrawnPanel]:
        """Work for a worker: `build()` the tab's report (waiting for the child), then draw
        its charts at the sizes the views have now (asked here, on the GUI thread)."""
        widths = (self.timeline.width(), self.arrivals.width())

        def work() -> DrawnPanel:
            panel = build()
            drawn = tuple(
                draw_chart(chart, QSize(width, chart_height(chart, width)))
                for chart, width in zip((panel.timeline, panel.arrivals), widths, strict=True)
            )
            return DrawnPanel(panel, drawn[0], drawn[1])

        return work

    def _built(self, drawn: DrawnPanel) -> None:
        self._busy = False
        self.refresh_button.setEnabled(True)
        self.show_panel(drawn.panel, drawn)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.refresh_button.setEnabled(True)
        self.state_label.setText(f"The report could not be made: {error} · 無法製作報告")
        self.messages.error(f"Show report: {error}")

    def show_panel(self, panel: ReportPanel, drawn: DrawnPanel | None = None) -> None:
        """Put the tab's report on screen (its charts as `drawn` on a worker, if they were)."""
        self.panel = panel
        set_text(self.state_label, panel.state.text)
        colour = Colours.bad if panel.state.tone == "alert" else Colours.text
        set_style(self.state_label, f"color: {colour.name()};")
        self._fill_figures(self.figures, self._figure_labels, panel.summary)
        self._fill_figures(self.doors_figures, self._door_labels, panel.doors)
        if drawn is not None:
            self.timeline.set_chart(panel.timeline, drawn.timeline_drawn)
            self.arrivals.set_chart(panel.arrivals, drawn.arrivals_drawn)
        else:
            self.timeline.set_chart(panel.timeline)
            self.arrivals.set_chart(panel.arrivals)
        self._fill_incidents(panel.incidents)

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

    def _fill_incidents(self, rows: tuple[IncidentRow, ...]) -> None:
        """The incident list, written again only when it changed (and then only the rows that
        did): sizing the rows of a long list to their texts is the table's dearest work."""
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
            row = rows[index]
            for column, text in enumerate(row.cells):
                item = QTableWidgetItem(text)  # plain text: reasons come from players and files
                if row.serious:
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
        """Write the report as of now to `path` (PDF or HTML by its suffix): a child process
        builds and writes it, waited for on a worker thread (never on the show's thread, and
        never holding the interpreter lock the show needs); the file's name is told when
        written (and kept in `last_export`). The tab's own report is built by a child too:
        when opened, every 15 s while shown, on Refresh. False if one is being written."""
        if self.exporting:
            self.messages.warning("The report is still being exported · 報告匯出中")
            return False
        self.exporting = True
        self.pdf_button.setEnabled(False)
        self.html_button.setEnabled(False)
        source = self.source

        def written(file: Path) -> None:
            self._export_finished()
            self.last_export = file
            self.messages.info(f"Show report written to {file}")

        def failed(error: BaseException) -> None:  # shown to the operator, never lost
            self._export_finished()
            log.error("report export to %s failed: %s", path, error)
            self.messages.error(f"Could not export the report to {path}: {error}")

        self.tasks.run(lambda: source.export(path), written, failed)
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
