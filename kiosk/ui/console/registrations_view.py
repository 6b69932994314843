"""The console's Registrations view: attendees and their tickets, importing, rendering tickets.

`RegistrationsView` lists every attendee (searchable) with their ticket code, status and whether
they are in. "Import export…" reads a registration export and shows `ImportPreviewDialog`: what
was detected, the column mapping (editable), what the import would change and every bad row;
Import stays disabled while there are bad rows (an import is all or nothing). "Render tickets…"
writes the PDF and/or PNGs on a worker thread with a progress bar.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
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
    RegistrationFileError,
    sniff_header_row,
)
from kiosk.services.event import EventFolder
from kiosk.services.registration_desk import (
    STATUS_GONE,
    AttendeeRecord,
    RegistrationDesk,
    StoreError,
)
from kiosk.services.registrations import ImportPreview, ImportResult
from kiosk.services.tickets import RenderSummary, render_tickets, ticket_jobs
from kiosk.ui.common.messages import MessageBus
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


class AttendeeTableModel(QAbstractTableModel):
    """Attendees as table rows (read-only)."""

    COLUMNS = (
        "#",
        "Name 姓名",
        "Latin name 英文姓名",
        "E-mail 電郵",
        "Ticket code 票號",
        "Status 狀態",
        "In 已入場",
    )

    def __init__(self) -> None:
        super().__init__()
        self.attendees: list[AttendeeRecord] = []

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
            return self._text(attendee, column)
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return attendee.id if column == 0 else self._text(attendee, column)
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

    @staticmethod
    def _text(attendee: AttendeeRecord, column: int) -> str:
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


class ImportPreviewDialog(QDialog):
    """What an export would do, with the column mapping editable; Import applies it."""

    def __init__(
        self,
        path: Path,
        desk: RegistrationDesk,
        parent: QWidget | None = None,
        *,
        confirm_many_gone: ConfirmManyGone = ask_many_gone,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._desk = desk
        self._confirm_many_gone = confirm_many_gone
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
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

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton(
            "Import 匯入", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.do_import)
        self.cancel_button.clicked.connect(self.reject)
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

    def refresh_preview(self, mapping: dict[str, str] | None) -> None:
        """Read the file again with `mapping` (None: detect) and show the outcome."""
        self.preview = None
        self.problem = ""
        try:
            self.preview = self._desk.preview(self.path, mapping)
        except (RegistrationFileError, StoreError) as exc:
            self.problem = str(exc)
        if self.preview is not None:
            self._show_mapping(self.preview.export.headers, self.preview.export.column_mapping)
        elif not self.headers:
            try:
                self._show_mapping(sniff_header_row(self.path.read_bytes()), {})
            except (RegistrationFileError, OSError):
                self._show_mapping([], {})
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
        export = preview.export
        delimiter = {"\t": "tab", ",": "comma (,)", ";": "semicolon (;)", "|": "bar (|)"}.get(
            export.delimiter, repr(export.delimiter)
        )
        self.detected.setText(
            f"{FORMAT_NAMES.get(export.format, export.format)} · encoding: {export.encoding} · "
            f"delimiter: {delimiter} · header on row {export.header_row} · "
            f"{len(export.registrations)} people in the file"
        )
        counts = preview.counts()
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
        lines = [str(error) for error in export.errors[:_ERRORS_SHOWN]]
        if len(export.errors) > _ERRORS_SHOWN:
            lines.append(f"… and {len(export.errors) - _ERRORS_SHOWN} more bad rows")
        if export.errors:
            lines.insert(0, "Nothing can be imported until these rows are fixed in the file:")
        missing = preview.plan.missing
        if missing:
            lines.append(
                f"{len(preview.plan.missing)} attendee(s) already imported are not in this "
                f"export; they will be marked gone (kept, never deleted):"
            )
            lines += [
                f"  #{a.attendee_id} {a.name} <{a.email or ''}>" for a in preview.plan.missing
            ]
        question = many_gone_question(preview)
        if question is not None:
            lines.insert(
                0,
                f"⚠ This import marks {question.would_mark_gone} of the {question.registered} "
                "registered attendees gone: Import asks you to confirm that first.",
            )
        self.problems.setPlainText("\n".join(lines))
        self.import_button.setEnabled(preview.can_import and bool(export.registrations))

    def do_import(self) -> None:
        """Apply the previewed import (all or nothing) and close the dialog."""
        if self.preview is None or not self.preview.can_import:
            return
        question = many_gone_question(self.preview)
        if question is not None and not self._confirm_many_gone(self, question):
            self.problems.appendPlainText(
                f"\nNot imported: marking {question.would_mark_gone} attendees gone was not "
                "confirmed. Nothing was changed."
            )
            return
        try:
            # asked above, naming how many, if this marks more than a few people gone
            self.import_result = self._desk.apply(
                self.preview, allow_many_gone=question is not None
            )
        except (RegistrationFileError, StoreError) as exc:
            self.problem = str(exc)
            self.problems.setPlainText(f"Nothing was imported: {exc}")
            self.import_button.setEnabled(False)
            return
        self.accept()


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
        self.desk = RegistrationDesk(folder)
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

        self.model = AttendeeTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
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

        self.search.textChanged.connect(self._filter)
        self.import_button.clicked.connect(self.choose_and_import)
        self.render_button.clicked.connect(self.choose_and_render)
        self.refresh()

    # --- list ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the attendees from the database."""
        try:
            attendees = self.desk.attendees()
        except StoreError as exc:
            self.messages.error(f"Cannot read the attendees: {exc}")
            return
        self.model.set_attendees(attendees)
        registered = sum(1 for a in attendees if a.status != STATUS_GONE)
        gone = len(attendees) - registered
        checked_in = sum(1 for a in attendees if a.checked_in)
        no_ticket = sum(1 for a in attendees if not a.code)
        parts = [
            f"<b>{registered}</b> registered 已登記",
            f"<b style='color:{Colours.ok.name()}'>{checked_in}</b> in 已入場",
        ]
        if gone:
            parts.append(f"<span style='color:{Colours.warn.name()}'>{gone} gone 已不在名單</span>")
        if no_ticket:
            parts.append(
                f"<span style='color:{Colours.bad.name()}'>{no_ticket} without a valid ticket"
                "</span>"
            )
        if not attendees:
            parts = ["No registrations yet: import the festival website's export. 尚未匯入登記。"]
        self.summary.setText(" · ".join(parts))

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())

    def showEvent(self, event: QShowEvent) -> None:
        """Check-ins happen at the doors: show the latest whenever the view appears."""
        self.refresh()
        super().showEvent(event)

    def selected_attendee(self) -> AttendeeRecord | None:
        """The attendee of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.attendees[self.proxy.mapToSource(rows[0]).row()]

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
        try:
            ticket = self.desk.reissue(str(attendee_id), reason)
        except StoreError as exc:
            self.messages.error(str(exc))
            return
        self.messages.info(f"Attendee {attendee_id} has a new ticket {ticket.code}")
        self.refresh()

    def revoke(self, attendee_id: int, reason: str = "revoked from the console") -> None:
        """Revoke an attendee's ticket (no new one)."""
        try:
            ticket = self.desk.revoke(str(attendee_id), reason)
        except StoreError as exc:
            self.messages.error(str(exc))
            return
        self.messages.warning(f"Ticket {ticket.code} of attendee {attendee_id} revoked")
        self.refresh()

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
        dialog = ImportPreviewDialog(path, self.desk, self)
        dialog.accepted.connect(lambda: self._imported(dialog))
        return dialog

    def _imported(self, dialog: ImportPreviewDialog) -> None:
        result = dialog.import_result
        if result is None:
            return
        applied = result.applied
        text = (
            f"Imported {dialog.path.name}: {len(applied.new_ids)} new, "
            f"{len(applied.updated_ids)} updated, {len(applied.unchanged_ids)} unchanged, "
            f"{applied.tickets_issued} ticket(s) issued"
        )
        self.messages.info(text)
        if applied.gone_ids:
            self.messages.warning(
                f"{len(applied.gone_ids)} attendee(s) are no longer in {dialog.path.name} "
                f"and were marked gone"
            )
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
