"""The import preview: what a registration export would do, its column mapping (editable) and
every bad row; Import applies it with progress and a stop button.

Reading and importing the file (parsing and planning 200,000 rows is seconds of pure Python) run
in a child process (:class:`~kiosk.services.import_process.ImportProcess`) waited for on the
registrations worker, so they share no interpreter lock with the show. The child is started
after the dialog's first paint: its start (CPU, even at a low priority) never competes with
the dialog appearing. Import stays disabled while there are bad rows (an import is all or
nothing).

The Registrations view builds one dialog with itself, before the night, and previews every file
in it (:meth:`ImportPreviewDialog.begin`): built, laid out and painted once off screen and its
window made at console start, its opening during a show costs little more than its showing."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
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
from kiosk.services.import_process import (
    ImportFileRefusedError,
    ImportProcess,
    ImportSummary,
    PreviewSummary,
)
from kiosk.services.registrations import ImportStoppedError, RegistrationDesk
from kiosk.ui.common.progress_strip import ProgressStrip
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.theme import Colours, text_label
from kiosk.ui.console.many_gone import ConfirmManyGone, ask_many_gone, many_gone_question

log = logging.getLogger(__name__)

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
FIRST_READ_LATEST_MS = 500  # a dialog not painted by then (not shown, or a slow screen) reads

RegistrationWorker = SerialWorker[RegistrationDesk]


class ImportPreviewDialog(QDialog):
    """What an export would do, with the column mapping editable; Import applies it.

    Reading the file and importing it run in a child process (`imports`), waited for on the
    registrations worker: the GUI thread only receives the progress and the summary. The dialog
    says what it is doing, the import shows its progress and "Stop import" stops it between two
    chunks. Built without a file; :meth:`begin` previews one (again and again, once the
    previous preview is over: see :attr:`reusable`)."""

    def __init__(
        self,
        worker: RegistrationWorker,
        imports: ImportProcess,
        parent: QWidget | None = None,
        *,
        confirm_many_gone: ConfirmManyGone = ask_many_gone,
    ) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._worker = worker
        self._imports = imports
        self._confirm_many_gone = confirm_many_gone
        self._reading = 0  # which reading of the file is the latest (a mapping change reads again)
        self._waiting = 0  # answers still to come from the worker
        self._importing = False
        self._first_read = QTimer(self)  # the file is first read once the dialog is painted
        self._first_read.setSingleShot(True)
        self._first_read.timeout.connect(self._read_first)
        self.preview: PreviewSummary | None = None
        self.import_result: ImportSummary | None = None
        self.stopped = False  # the operator stopped the import part way
        self.problem = ""
        self.headers: list[str] = []
        self.setWindowTitle("Import · 匯入登記資料")
        self.resize(980, 680)

        layout = QVBoxLayout(self)
        self.title = text_label("", 14, bold=True)
        self.detected = text_label("", 10, colour=Colours.muted.name())
        self.detected.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.detected)

        middle = QHBoxLayout()
        middle.addLayout(self._build_mapping_box(), 3)
        middle.addLayout(self._build_counts_box(), 2)
        layout.addLayout(middle, 3)

        layout.addWidget(text_label("Bad rows and notes · 錯誤與備註", 11, bold=True))
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setPlaceholderText("No problems found. 沒有發現問題。")
        layout.addWidget(self.problems, 2)
        self.progress = ProgressStrip("%v / %m")
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

    def prepare(self) -> None:
        """Polish, lay out and paint the dialog once off screen (its styles, fonts and glyphs
        loaded) and make its window, before the night: its first opening during a show is then
        little more than its showing (docs/dev/threads.md, "The import dialog built before the
        night")."""
        sample = "registrations.csv"  # a file name's glyphs, as a preview shows
        self.title.setText(sample)
        self._show_reading(sample)
        self.grab()  # painted into a pixmap: nothing is shown
        self.title.clear()
        self.detected.clear()
        QTimer.singleShot(0, self._make_window)  # once the view is in its window

    def _make_window(self) -> None:
        """Make the dialog's window ahead of its first showing, only once the view that owns it
        sits inside another window: made while the view was a window of its own, the view would
        stay a native window inside the console, and so would every widget around it."""
        owner = self.parentWidget()
        if owner is not None and not owner.isWindow() and not self.isVisible():
            self.winId()

    @property
    def path(self) -> Path:
        """The file previewed (the last one, once its preview is over)."""
        if self._path is None:
            raise RuntimeError("no file has been previewed in this dialog yet")
        return self._path

    @property
    def reusable(self) -> bool:
        """Whether :meth:`begin` may preview another file here: the dialog is closed and
        nothing of the last preview or import is still running."""
        return not self.isVisible() and not self.busy and not self._importing

    def begin(self, path: Path) -> None:
        """Preview `path`: what the dialog showed of a previous file is cleared, and the file is
        read once the dialog is painted (or `FIRST_READ_LATEST_MS` from now if it never is)."""
        if not self.reusable:
            raise RuntimeError("the import dialog is still in use")
        self._path = path
        self.preview = None
        self.import_result = None
        self.stopped = False
        self.problem = ""
        self.headers = []
        self.setWindowTitle(f"Import {path.name} · 匯入登記資料")
        self.title.setText(path.name)
        self.mapping_table.setRowCount(0)
        self.mapping_table.setEnabled(True)
        for value in self.count_labels.values():
            value.setText("–")
            value.setStyleSheet("")
        self.problems.clear()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        self._show_reading(path.name)
        self._first_read.start(FIRST_READ_LATEST_MS)

    def _build_mapping_box(self) -> QVBoxLayout:
        """The file's columns and what each imports as."""
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
        return mapping_box

    def _build_counts_box(self) -> QVBoxLayout:
        """What the import would do, counted."""
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
        return counts_box

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
        """Whether the worker is reading the file or importing it for this dialog (or the
        first reading is still to start)."""
        return self._waiting > 0 or self._first_read.isActive()

    def paintEvent(self, event: QPaintEvent) -> None:
        """The first paint starts the first reading, once this paint is on the screen."""
        super().paintEvent(event)
        if self._first_read.isActive():
            self._first_read.start(0)  # after this paint and its flush to the window system

    def _read_first(self) -> None:
        self.refresh_preview(None)

    def _show_reading(self, name: str) -> None:
        self.import_button.setEnabled(False)
        self.detected.setText(f"Reading {name}… 正在讀取檔案")
        self.progress.setRange(0, 0)  # busy: how long the reading takes is not known
        self.progress.show()

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
        self._show_reading(path.name)

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
                combo.currentIndexChanged.connect(self._mapping_changed)
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(mapping.get(header, IGNORE_FIELD)))
            combo.blockSignals(False)

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
        self._first_read.stop()  # closed before it was painted: nothing is read
        if self._waiting:
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
