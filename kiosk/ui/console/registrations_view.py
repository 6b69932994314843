"""The console's Registrations view: attendees and their tickets, importing, rendering tickets.

`RegistrationsView` lists every attendee (searchable) with their ticket code, status and whether
they are in. "Import export…" reads a registration export and shows `ImportPreviewDialog`: what
was detected, the column mapping (editable), what the import would change and every bad row;
Import stays disabled while there are bad rows (an import is all or nothing). "Render tickets…"
writes the PDF and/or PNGs on a worker thread with a progress bar.

The GUI thread belongs to the show: every read and write of the attendees (the list, searching
and sorting it, reissue and revoke) runs on the view's own
:class:`~kiosk.ui.common.serial_worker.SerialWorker` and connection. The preview and the import
(parsing and planning 200,000 rows is seconds of pure Python) run in a child process
(:class:`~kiosk.services.import_process.ImportProcess`) waited for on that worker, so they share
no interpreter lock with the show; the import shows a progress bar and can be stopped between
two chunks. The table shows rows already searched and sorted on
the worker (`list_attendees`), so even 200,000 people never make the GUI thread sort or filter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.registrations import (
    FORMAT_EVENTBRITE,
    FORMAT_GOOGLE_FORMS,
    FORMAT_PLAIN,
    FORMAT_PRETIX,
    IGNORE_FIELD,
    TARGET_FIELDS,
)
from kiosk.services.event import EventFolder
from kiosk.services.import_process import (
    ImportFileRefusedError,
    ImportProcess,
    ImportSummary,
    PreviewSummary,
)
from kiosk.services.registration_desk import (
    STATUS_GONE,
    AttendeeRecord,
    ImportStoppedError,
    RegistrationDesk,
    TicketRecord,
)
from kiosk.services.tickets import RenderSummary, render_tickets, ticket_jobs
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label, ui_font
from kiosk.ui.console.many_gone import ConfirmManyGone, ask_many_gone, many_gone_question

log = logging.getLogger(__name__)

_ModelIndex = QModelIndex | QPersistentModelIndex

FORMAT_NAMES = {
    FORMAT_EVENTBRITE: "Eventbrite attendee report",
    FORMAT_PRETIX: "pretix export",
    FORMAT_GOOGLE_FORMS: "Google Forms responses",
    FORMAT_PLAIN: "CSV",
}
FIELD_LABELS = {
    IGNORE_FIELD: "— not imported —",
    "name": "Name 姓名",
    "first_name": "First name 名",
    "last_name": "Last name 姓",
    "name_latin": "Latin name 英文姓名",
    "email": "E-mail 電郵",
    "status": "Status 狀態",
    "external_id": "Ticket / order id 編號",
    "phone": "Phone 電話",
    "registered_at": "Registered at 登記時間",
}
COUNT_LABELS = (
    ("new", "New 新增"),
    ("updated", "Updated 更新"),
    ("unchanged", "Unchanged 不變"),
    ("missing", "No longer in export 已不在名單"),
    ("not_attending", "Not attending 不出席"),
    ("duplicates_merged", "Duplicates merged 重複合併"),
    ("errors", "Bad rows 錯誤行"),
)
_ERRORS_SHOWN = 500
SEARCH_DELAY_MS = 250  # typing in the search box: the list is searched once the typing pauses
COLUMN_COUNT = 7

RegistrationWorker = SerialWorker[RegistrationDesk]


def cell_text(attendee: AttendeeRecord, column: int) -> str:
    """The text of one cell of the attendee table (also what search and sort use)."""
    if column == 0:
        return str(attendee.id)
    if column == 1:
        return attendee.name
    if column == 2:
        return attendee.name_latin or ""
    if column == 3:
        return attendee.email or ""
    if column == 4:
        return attendee.code or "no valid ticket · 無有效門票"
    if column == 5:
        return "registered 已登記" if attendee.status != STATUS_GONE else "gone 已不在名單"
    return "✔ in" if attendee.checked_in else ""


@dataclass(frozen=True)
class AttendeeListing:
    """The attendees as the table shows them (searched, sorted) and the summary's counts."""

    rows: list[AttendeeRecord]
    total: int
    registered: int
    checked_in: int
    no_ticket: int

    @property
    def gone(self) -> int:
        """Attendees no longer in the latest export."""
        return self.total - self.registered


def list_attendees(
    attendees: Sequence[AttendeeRecord], search: str, column: int, descending: bool
) -> AttendeeListing:
    """Search (any cell, case-insensitive) and sort the attendees; runs on the worker."""
    needle = search.strip().casefold()
    rows = [
        a
        for a in attendees
        if not needle or any(needle in cell_text(a, c).casefold() for c in range(COLUMN_COUNT))
    ]
    if column == 0:
        rows.sort(key=lambda a: a.id, reverse=descending)
    else:
        rows.sort(key=lambda a: (cell_text(a, column), a.id), reverse=descending)
    return AttendeeListing(
        rows,
        len(attendees),
        sum(1 for a in attendees if a.status != STATUS_GONE),
        sum(1 for a in attendees if a.checked_in),
        sum(1 for a in attendees if not a.code),
    )


class AttendeeTableModel(QAbstractTableModel):
    """Attendees as table rows (read-only), already searched and sorted by the worker; a click
    on a column header asks for a new order (`sort_requested`) instead of sorting here."""

    COLUMNS = (
        "#",
        "Name 姓名",
        "Latin name 英文姓名",
        "E-mail 電郵",
        "Ticket code 票號",
        "Status 狀態",
        "In 已入場",
    )

    def __init__(self, sort_requested: Callable[[int, Qt.SortOrder], None]) -> None:
        super().__init__()
        self.attendees: list[AttendeeRecord] = []
        self._sort_requested = sort_requested

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A header was clicked: the worker sorts, the rows come back in that order."""
        self._sort_requested(column, order)

    def set_attendees(self, attendees: list[AttendeeRecord]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self.attendees = attendees
        self.endResetModel()

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of attendees."""
        return 0 if parent.isValid() else len(self.attendees)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, colours and sort keys."""
        if not index.isValid():
            return None
        attendee = self.attendees[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(attendee, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5 and attendee.status == STATUS_GONE:
                return Colours.warn
            if column == 4 and not attendee.code:
                return Colours.bad
            if column == 6 and attendee.checked_in:
                return Colours.ok
            if column in (0, 2, 3):
                return Colours.muted
        if role == Qt.ItemDataRole.FontRole and column == 4:
            font = ui_font(10)
            font.setFamilies(["DejaVu Sans Mono", "Monospace"])
            return font
        return None


class ImportPreviewDialog(QDialog):
    """What an export would do, with the column mapping editable; Import applies it.

    Reading the file and importing it run in a child process (`imports`), waited for on the
    registrations worker: the GUI thread only receives the progress and the summary. The dialog
    says what it is doing, the import shows its progress and "Stop import" stops it between two
    chunks."""

    def __init__(
        self,
        path: Path,
        worker: RegistrationWorker,
        imports: ImportProcess,
        parent: QWidget | None = None,
        *,
        confirm_many_gone: ConfirmManyGone = ask_many_gone,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._worker = worker
        self._imports = imports
        self._confirm_many_gone = confirm_many_gone
        self._reading = 0  # which reading of the file is the latest (a mapping change reads again)
        self._waiting = 0  # answers still to come from the worker
        self._importing = False
        self.preview: PreviewSummary | None = None
        self.import_result: ImportSummary | None = None
        self.stopped = False  # the operator stopped the import part way
        self.problem = ""
        self.headers: list[str] = []
        self.setWindowTitle(f"Import {path.name} · 匯入登記資料")
        self.resize(980, 680)

        layout = QVBoxLayout(self)
        self.title = text_label(path.name, 14, bold=True)
        self.detected = text_label("", 10, colour=Colours.muted.name())
        self.detected.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.detected)

        middle = QHBoxLayout()
        mapping_box = QVBoxLayout()
        mapping_box.addWidget(text_label("Columns · 欄位", 11, bold=True))
        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setHorizontalHeaderLabels(["Column in the file 檔案欄位", "Imports as"])
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        mapping_box.addWidget(self.mapping_table, 1)
        middle.addLayout(mapping_box, 3)

        counts_box = QVBoxLayout()
        counts_box.addWidget(text_label("What the import does · 匯入結果", 11, bold=True))
        grid = QGridLayout()
        self.count_labels: dict[str, QLabel] = {}
        for row, (key, text) in enumerate(COUNT_LABELS):
            value = text_label("–", 13, bold=True)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(70)
            grid.addWidget(text_label(text, 10), row, 0)
            grid.addWidget(value, row, 1)
            self.count_labels[key] = value
        counts_box.addLayout(grid)
        counts_box.addStretch(1)
        middle.addLayout(counts_box, 2)
        layout.addLayout(middle, 3)

        layout.addWidget(text_label("Bad rows and notes · 錯誤與備註", 11, bold=True))
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setPlaceholderText("No problems found. 沒有發現問題。")
        layout.addWidget(self.problems, 2)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m")
        self.progress.hide()
        layout.addWidget(self.progress)

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton(
            "Import 匯入", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.do_import)
        self.cancel_button.clicked.connect(self.reject)  # while importing: stops the import
        layout.addWidget(buttons)
        self.refresh_preview(None)

    # --- behaviour --------------------------------------------------------------------------
    def combo_for(self, header: str) -> QComboBox:
        """The mapping combo box of a column (for tests and keyboard users)."""
        row = self.headers.index(header)
        widget = self.mapping_table.cellWidget(row, 1)
        assert isinstance(widget, QComboBox)
        return widget

    def chosen_mapping(self) -> dict[str, str]:
        """The mapping currently chosen in the combo boxes, for every column."""
        mapping = {}
        for row, header in enumerate(self.headers):
            widget = self.mapping_table.cellWidget(row, 1)
            if header and isinstance(widget, QComboBox):
                mapping[header] = str(widget.currentData())
        return mapping

    @property
    def busy(self) -> bool:
        """Whether the worker is reading the file or importing it for this dialog."""
        return self._waiting > 0

    @property
    def importing(self) -> bool:
        """Whether an import is running."""
        return self._importing

    def refresh_preview(self, mapping: dict[str, str] | None) -> None:
        """Read the file again with `mapping` (None: detect) on the worker; show the outcome."""
        self.preview = None
        self.problem = ""
        self._reading += 1
        reading = self._reading
        path, want_headers, imports = self.path, not self.headers, self._imports
        self.import_button.setEnabled(False)
        self.detected.setText(f"Reading {path.name}… 正在讀取檔案")
        self.progress.setRange(0, 0)  # busy: how long the reading takes is not known
        self.progress.show()

        def read(_desk: RegistrationDesk) -> tuple[PreviewSummary | None, str, list[str] | None]:
            try:
                return imports.preview(path, mapping), "", None
            except ImportFileRefusedError as exc:
                return None, str(exc), (exc.headers or []) if want_headers else None

        self._waiting += 1
        self._worker.submit(read, partial(self._read, reading), partial(self._read_failed, reading))

    def _read(
        self, reading: int, answer: tuple[PreviewSummary | None, str, list[str] | None]
    ) -> None:
        self._waiting -= 1
        if reading != self._reading:
            return  # the mapping changed meanwhile: a newer reading is on its way
        self.progress.hide()
        self.preview, self.problem, headers = answer
        if self.preview is not None:
            self._show_mapping(self.preview.headers, self.preview.column_mapping)
        elif headers is not None:
            self._show_mapping(headers, {})
        self._show_outcome()

    def _read_failed(self, reading: int, error: BaseException) -> None:
        self._waiting -= 1
        if reading != self._reading:
            return
        self.progress.hide()
        self.problem = f"The file could not be read: {error}"
        self._show_outcome()

    def _show_mapping(self, headers: list[str], mapping: dict[str, str]) -> None:
        self.headers = list(headers)
        self.mapping_table.setRowCount(len(headers))
        for row, header in enumerate(headers):
            item = self.mapping_table.item(row, 0)
            if item is None:
                item = QTableWidgetItem()
                self.mapping_table.setItem(row, 0, item)
            item.setText(header)
            combo = self.mapping_table.cellWidget(row, 1)
            if not isinstance(combo, QComboBox):
                combo = QComboBox()
                for field_name in (IGNORE_FIELD, *TARGET_FIELDS):
                    combo.addItem(FIELD_LABELS[field_name], field_name)
                self.mapping_table.setCellWidget(row, 1, combo)
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(mapping.get(header, IGNORE_FIELD)))
            combo.blockSignals(False)
            combo.currentIndexChanged.connect(self._mapping_changed)

    def _mapping_changed(self, _index: int = 0) -> None:
        self.refresh_preview(self.chosen_mapping())

    def _show_outcome(self) -> None:
        preview = self.preview
        if preview is None:
            self.detected.setText(
                "The file cannot be imported as it is. Choose what each column holds "
                "(at least a name and an e-mail column)."
            )
            for value in self.count_labels.values():
                value.setText("–")
            self.problems.setPlainText(self.problem)
            self.import_button.setEnabled(False)
            return
        delimiter = {"\t": "tab", ",": "comma (,)", ";": "semicolon (;)", "|": "bar (|)"}.get(
            preview.delimiter, repr(preview.delimiter)
        )
        self.detected.setText(
            f"{FORMAT_NAMES.get(preview.format, preview.format)} · encoding: {preview.encoding} · "
            f"delimiter: {delimiter} · header on row {preview.header_row} · "
            f"{preview.people} people in the file"
        )
        counts = preview.counts
        for key, value in self.count_labels.items():
            value.setText(str(counts[key]))
            colour = ""
            if key == "errors" and counts[key]:
                colour = Colours.bad.name()
            elif key == "missing" and counts[key]:
                colour = Colours.warn.name()
            elif key == "new" and counts[key]:
                colour = Colours.ok.name()
            value.setStyleSheet(f"color: {colour};" if colour else "")
        lines = list(preview.errors)
        if counts["errors"] > len(preview.errors):
            lines.append(f"… and {counts['errors'] - len(preview.errors)} more bad rows")
        if counts["errors"]:
            lines.insert(0, "Nothing can be imported until these rows are fixed in the file:")
        if counts["missing"]:
            lines.append(
                f"{counts['missing']} attendee(s) already imported are not in this "
                f"export; they will be marked gone (kept, never deleted):"
            )
            lines += [f"  #{a.attendee_id} {a.name} <{a.email or ''}>" for a in preview.missing]
            if counts["missing"] > len(preview.missing):
                lines.append(f"  … and {counts['missing'] - len(preview.missing)} more")
        question = many_gone_question(preview)
        if question is not None:
            lines.insert(
                0,
                f"⚠ This import marks {question.would_mark_gone} of the {question.registered} "
                "registered attendees gone: Import asks you to confirm that first.",
            )
        self.problems.setPlainText("\n".join(lines))
        self.import_button.setEnabled(preview.can_import and preview.people > 0)

    def do_import(self) -> None:
        """Apply the previewed import on the worker, with progress; closes the dialog when done.

        All or nothing as far as the file goes (bad rows refuse it); "Stop import" stops it
        between two chunks, keeping what was written (importing the file again completes it)."""
        preview = self.preview
        if preview is None or not preview.can_import or self.busy:
            return
        question = many_gone_question(preview)
        if question is not None and not self._confirm_many_gone(self, question):
            self.problems.appendPlainText(
                f"\nNot imported: marking {question.would_mark_gone} attendees gone was not "
                "confirmed. Nothing was changed."
            )
            return
        self._importing = True
        worker, imports = self._worker, self._imports
        people = preview.to_write
        self.import_button.setEnabled(False)
        self.mapping_table.setEnabled(False)
        self.cancel_button.setText("Stop import 停止匯入")
        self.progress.setRange(0, max(1, people))
        self.progress.setValue(0)
        self.progress.show()
        self.detected.setText(f"Importing {preview.path.name}… 正在匯入")

        def progress(done: int, _total: int) -> None:  # the worker's thread, from the child
            worker.to_gui(partial(self.progress.setValue, done))

        def apply(_desk: RegistrationDesk) -> ImportSummary:
            # asked above, naming how many, if this marks more than a few people gone
            return imports.apply(preview, allow_many_gone=question is not None, progress=progress)

        self._waiting += 1
        worker.submit(apply, self._import_done, self._import_failed)

    def reject(self) -> None:
        """Cancel closes the dialog (a reading of the file still running is stopped); during an
        import it asks the import to stop instead."""
        if self._importing:
            self._imports.stop()
            self.cancel_button.setEnabled(False)
            self.detected.setText("Stopping after the chunk being written… 正在停止")
            return
        if self.busy:
            self._imports.stop()  # the preview writes nothing: the child simply ends
        super().reject()

    def _import_finished(self) -> None:
        self._waiting -= 1
        self._importing = False
        self.progress.hide()
        self.mapping_table.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)

    def _import_done(self, result: ImportSummary) -> None:
        self._import_finished()
        self.import_result = result
        self.accept()

    def _import_failed(self, error: BaseException) -> None:
        self._import_finished()
        self.problem = str(error)
        if isinstance(error, ImportStoppedError):
            self.detected.setText("Import stopped · 已停止匯入")
            self.problems.setPlainText(str(error))
            self.stopped = True
        else:
            self.problems.setPlainText(f"Nothing was imported: {error}")
        self.import_button.setEnabled(False)


class RenderTicketsDialog(QDialog):
    """Where to write tickets: a PDF for printing and/or PNGs for e-mail."""

    def __init__(self, folder: EventFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Render tickets · 製作門票")
        self.resize(640, 240)
        out = folder.root / "tickets"
        layout = QFormLayout(self)
        self.pdf_path = QLineEdit(str(out / "tickets.pdf"))
        self.png_dir = QLineEdit(str(out / "png"))
        layout.addRow("PDF (A4, to print) 列印用", self._with_browse(self.pdf_path, folder=False))
        layout.addRow("PNGs (to e-mail) 電郵用", self._with_browse(self.png_dir, folder=True))
        per_page = QHBoxLayout()
        self.four_per_page = QRadioButton("4 per page, with cut marks")
        self.one_per_page = QRadioButton("1 per page")
        self.four_per_page.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.four_per_page)
        group.addButton(self.one_per_page)
        per_page.addWidget(self.four_per_page)
        per_page.addWidget(self.one_per_page)
        per_page.addStretch(1)
        layout.addRow("Layout 版面", per_page)
        layout.addRow(
            text_label(
                "Leave a field empty to skip it. PNGs come with mail-merge.csv "
                "(name, e-mail, code, PNG file).",
                9,
                colour=Colours.muted.name(),
            )
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Render 製作")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def _with_browse(self, line: QLineEdit, *, folder: bool) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(line, 1)
        browse = QPushButton("Browse…")

        def choose() -> None:
            if folder:
                chosen = QFileDialog.getExistingDirectory(self, "PNG folder", line.text())
            else:
                chosen, _ = QFileDialog.getSaveFileName(self, "PDF file", line.text(), "*.pdf")
            if chosen:
                line.setText(chosen)

        browse.clicked.connect(choose)
        row.addWidget(browse)
        return box

    def choice(self) -> tuple[Path | None, Path | None, int]:
        """The PDF path, the PNG folder (None when left empty) and tickets per page."""
        pdf = Path(self.pdf_path.text().strip()) if self.pdf_path.text().strip() else None
        png = Path(self.png_dir.text().strip()) if self.png_dir.text().strip() else None
        return pdf, png, 4 if self.four_per_page.isChecked() else 1


class RegistrationsView(QWidget):
    """Attendees with their tickets; import exports and render tickets from here."""

    def __init__(
        self,
        folder: EventFolder,
        messages: MessageBus,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.messages = messages
        self.tasks = tasks
        # its own thread and connection: the list, reissue, revoke and the import's child wait there
        self.imports = ImportProcess(folder.root)
        self.worker: RegistrationWorker = SerialWorker(
            lambda: RegistrationDesk(folder),
            name="registrations",
            close_resource=RegistrationDesk.close,
            parent=self,
        )
        self._listing = 0  # which listing is the latest asked for
        self._waiting = 0  # answers still to come from the worker
        self._sort = (0, Qt.SortOrder.AscendingOrder)
        self.rendering = False
        self.last_render: RenderSummary | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(text_label("Registrations", 16, bold=True))
        titles.addWidget(text_label("登記與門票", 13, colour=Colours.accent.name()))
        top.addLayout(titles)
        top.addSpacing(24)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, e-mail or code · 搜尋姓名、電郵或票號")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        top.addWidget(self.search, 1)
        self.import_button = QPushButton("Import export… 匯入")
        self.render_button = QPushButton("Render tickets… 製作門票")
        top.addWidget(self.import_button)
        top.addWidget(self.render_button)
        layout.addLayout(top)

        status = QHBoxLayout()
        self.summary = text_label("", 11, rich=True)  # counts only
        status.addWidget(self.summary, 1)
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(260)
        self.progress.setFormat("Tickets %v/%m")
        self.progress.hide()
        status.addWidget(self.progress)
        layout.addLayout(status)

        self.model = AttendeeTableModel(self._sort_requested)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((56, 220, 200, 250, 270, 170, 90)):
            header.resizeSection(column, width)
        for stretching in (1, 3):  # names and e-mails take the spare width
            header.setSectionResizeMode(stretching, QHeaderView.ResizeMode.Stretch)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.import_button.clicked.connect(self.choose_and_import)
        self.render_button.clicked.connect(self.choose_and_render)
        self.refresh()

    # --- list ---------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Whether the worker has answers still to give this view, or a search is about to be
        made (tests wait on it)."""
        return self._waiting > 0 or self._search_timer.isActive()

    def stop(self) -> None:
        """The console is closing: stop an import's child, finish the queued work and close the
        connection."""
        self.imports.stop()
        self.worker.shutdown()

    def refresh(self) -> None:
        """Read the attendees again, searched and sorted, on the worker; show them when read."""
        self._listing += 1
        listing = self._listing
        search = self.search.text()
        column, order = self._sort
        descending = order == Qt.SortOrder.DescendingOrder

        def read(desk: RegistrationDesk) -> AttendeeListing:
            return list_attendees(desk.attendees(), search, column, descending)

        self._waiting += 1
        self.worker.submit(read, partial(self._listed, listing), self._list_failed)

    def _sort_requested(self, column: int, order: Qt.SortOrder) -> None:
        self._sort = (column, order)
        self.refresh()

    def _list_failed(self, error: BaseException) -> None:
        self._waiting -= 1
        self.messages.error(f"Cannot read the attendees: {error}")

    def _listed(self, listing: int, attendees: AttendeeListing) -> None:
        self._waiting -= 1
        if listing != self._listing:
            return  # a newer search or order is on its way
        self.model.set_attendees(attendees.rows)
        parts = [
            f"<b>{attendees.registered}</b> registered 已登記",
            f"<b style='color:{Colours.ok.name()}'>{attendees.checked_in}</b> in 已入場",
        ]
        if attendees.gone:
            parts.append(
                f"<span style='color:{Colours.warn.name()}'>{attendees.gone} gone 已不在名單</span>"
            )
        if attendees.no_ticket:
            parts.append(
                f"<span style='color:{Colours.bad.name()}'>{attendees.no_ticket} without a "
                "valid ticket</span>"
            )
        if not attendees.total:
            parts = ["No registrations yet: import the festival website's export. 尚未匯入登記。"]
        self.summary.setText(" · ".join(parts))

    def showEvent(self, event: QShowEvent) -> None:
        """Check-ins happen at the doors: show the latest whenever the view appears."""
        self.refresh()
        super().showEvent(event)

    def selected_attendee(self) -> AttendeeRecord | None:
        """The attendee of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.attendees[rows[0].row()]

    def _context_menu(self, position: Any) -> None:
        attendee = self.selected_attendee()
        if attendee is None:
            return
        menu = QMenu(self)
        reissue = menu.addAction("Reissue ticket (new code) · 重發門票")
        revoke = menu.addAction("Revoke ticket · 取消門票")
        revoke.setEnabled(bool(attendee.code))
        chosen = menu.exec(self.table.viewport().mapToGlobal(position))
        if chosen is reissue:
            self.reissue(attendee.id)
        elif chosen is revoke:
            self.revoke(attendee.id)

    def reissue(self, attendee_id: int, reason: str = "reissued from the console") -> None:
        """Give an attendee a new code; the old one is refused as revoked at the door."""

        def done(ticket: TicketRecord) -> None:
            self.messages.info(f"Attendee {attendee_id} has a new ticket {ticket.code}")
            self.refresh()

        self._on_worker(lambda desk: desk.reissue(str(attendee_id), reason), done)

    def revoke(self, attendee_id: int, reason: str = "revoked from the console") -> None:
        """Revoke an attendee's ticket (no new one)."""

        def done(ticket: TicketRecord) -> None:
            self.messages.warning(f"Ticket {ticket.code} of attendee {attendee_id} revoked")
            self.refresh()

        self._on_worker(lambda desk: desk.revoke(str(attendee_id), reason), done)

    def _on_worker(
        self, work: Callable[[RegistrationDesk], TicketRecord], done: Callable[[TicketRecord], None]
    ) -> None:
        def answered(ticket: TicketRecord) -> None:
            self._waiting -= 1
            done(ticket)

        def failed(error: BaseException) -> None:
            self._waiting -= 1
            self.messages.error(str(error))

        self._waiting += 1
        self.worker.submit(work, answered, failed)

    # --- import ---------------------------------------------------------------------------------
    def choose_and_import(self) -> None:
        """Ask for an export file, then preview it."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Registration export · 登記匯出檔",
            str(self.folder.root),
            "Exports (*.csv *.txt *.tsv);;All files (*)",
        )
        if path:
            self.preview_file(Path(path)).open()

    def preview_file(self, path: Path) -> ImportPreviewDialog:
        """The preview dialog for `path` (not yet shown); importing refreshes the list."""
        dialog = ImportPreviewDialog(path, self.worker, self.imports, self)
        dialog.accepted.connect(lambda: self._imported(dialog))
        return dialog

    def _imported(self, dialog: ImportPreviewDialog) -> None:
        result = dialog.import_result
        if result is None:
            return
        text = (
            f"Imported {dialog.path.name}: {result.new} new, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.tickets_issued} ticket(s) issued"
        )
        self.messages.info(text)
        if result.marked_gone:
            self.messages.warning(
                f"{result.marked_gone} attendee(s) are no longer in {dialog.path.name} "
                f"and were marked gone"
            )
        if self.isVisible():  # else when the tab is opened (200,000 people: a big sort)
            self.refresh()

    # --- tickets ----------------------------------------------------------------------------
    def choose_and_render(self) -> None:
        """Ask where the tickets go, then render them."""
        dialog = RenderTicketsDialog(self.folder, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            pdf, png_dir, per_page = dialog.choice()
            self.start_render(pdf, png_dir, per_page)

    def start_render(self, pdf: Path | None, png_dir: Path | None, per_page: int = 4) -> bool:
        """Render every valid ticket on a worker thread, with the progress bar; False if not."""
        if self.rendering:
            return False
        if pdf is None and png_dir is None:
            self.messages.warning("Choose a PDF file or a PNG folder for the tickets")
            return False
        jobs = ticket_jobs(self.folder, png_dir)
        if not jobs:
            self.messages.warning("No attendee has a valid ticket yet: import registrations first")
            return False
        self.rendering = True
        self.render_button.setEnabled(False)
        self.progress.setRange(0, len(jobs))
        self.progress.setValue(0)
        self.progress.show()
        self.messages.info(f"Rendering {len(jobs)} tickets…")
        tasks = self.tasks

        def progress(done: int, total: int, _item: str) -> None:  # worker thread
            tasks.to_main(lambda: self.progress.setValue(done))

        def work() -> RenderSummary:
            return render_tickets(jobs, pdf=pdf, per_page=per_page, progress=progress)

        tasks.run(work, self._rendered, self._render_failed)
        return True

    def _render_finished(self) -> None:
        self.rendering = False
        self.render_button.setEnabled(True)
        self.progress.hide()

    def _rendered(self, summary: RenderSummary) -> None:
        self._render_finished()
        self.last_render = summary
        made = []
        if summary.pdf:
            made.append(f"PDF {summary.pdf}")
        if summary.png_dir:
            made.append(f"PNGs and mail-merge.csv in {summary.png_dir}")
        self.messages.info(
            f"{summary.count} tickets rendered in {summary.seconds:.1f} s: {'; '.join(made)}"
        )

    def _render_failed(self, error: BaseException) -> None:
        self._render_finished()
        self.messages.error(f"Tickets could not be rendered: {error}")
