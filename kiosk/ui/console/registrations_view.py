"""The console's Registrations view: attendees and their tickets, importing, rendering tickets.

`RegistrationsView` lists every attendee (searchable) with their ticket code, status and whether
they are in. "Import export…" reads a registration export and shows `ImportPreviewDialog`: what
was detected, the column mapping (editable), what the import would change and every bad row;
Import stays disabled while there are bad rows (an import is all or nothing). "Render tickets…"
writes the PDF and/or PNGs on a worker thread with a progress bar.

The table (`attendee_table`), the import preview (`import_preview_dialog`) and the ticket
dialog (`render_tickets_dialog`) live in modules of their own.

The GUI thread belongs to the show: every read and write of the attendees (the list, searching
and sorting it, the preview, the import, reissue and revoke) runs on the view's own
:class:`~kiosk.ui.common.serial_worker.SerialWorker` and connection; the import shows a progress
bar and can be stopped between two chunks. The table shows rows already searched and sorted on
the worker (`list_attendees`), so even 200,000 people never make the GUI thread sort or filter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import glossary
from kiosk.services.open_event import Registrations
from kiosk.services.registrations import AttendeeRecord, RegistrationDesk, TicketRecord
from kiosk.services.tickets import RenderSummary, render_tickets
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.progress_strip import ProgressStrip
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label
from kiosk.ui.console.attendee_table import AttendeeListing, AttendeeTableModel, list_attendees
from kiosk.ui.console.import_preview_dialog import ImportPreviewDialog, RegistrationWorker
from kiosk.ui.console.render_tickets_dialog import RenderTicketsDialog

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250  # typing in the search box: the list is searched once the typing pauses


class RegistrationsView(QWidget):
    """Attendees with their tickets; import exports and render tickets from here."""

    def __init__(
        self,
        registrations: Registrations,
        messages: MessageBus,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.registrations = registrations
        self.messages = messages
        self.tasks = tasks
        # its own thread and connection: the list, the import, reissue and revoke wait there
        # the import's child process, waited for on the worker (see import_preview_dialog)
        self.imports = registrations.imports
        self.worker: RegistrationWorker = SerialWorker(
            registrations.open_desk,
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
        layout.addLayout(self._build_top_row())
        layout.addLayout(self._build_status_row())
        layout.addWidget(self._build_table(), 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.import_button.clicked.connect(self.choose_and_import)
        self.render_button.clicked.connect(self.choose_and_render)
        # the import preview, built and painted once now, before the night: opening it during
        # a show is only its showing
        self.import_dialog = self._new_import_dialog()
        self.import_dialog.prepare()
        self.refresh()

    def _build_top_row(self) -> QHBoxLayout:
        """The titles, the search box and the Import and Render buttons."""
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
        return top

    def _build_status_row(self) -> QHBoxLayout:
        """The counts and the ticket rendering progress."""
        status = QHBoxLayout()
        self.summary = text_label("", 11, rich=True)  # counts only
        status.addWidget(self.summary, 1)
        self.progress = ProgressStrip("Tickets %v/%m")
        self.progress.setMinimumWidth(260)
        self.progress.hide()
        status.addWidget(self.progress)
        return status

    def _build_table(self) -> QTableView:
        """The attendee table (rows searched and sorted on the worker)."""
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
        return self.table

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
            f"<b>{attendees.registered}</b> {glossary.REGISTERED.en.lower()} "
            f"{glossary.REGISTERED.zh}",
            f"<b style='color:{Colours.ok.name()}'>{attendees.checked_in}</b> in "
            f"{glossary.CHECKED_IN.zh}",
        ]
        if attendees.walk_ins:
            parts.insert(
                1,
                f"<b>{glossary.WALK_IN.count(attendees.walk_ins)}</b> {glossary.WALK_IN.zh}",
            )
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
            str(self.registrations.exports_dir),
            "Exports (*.csv *.txt *.tsv);;All files (*)",
        )
        if path:
            self.preview_file(Path(path)).open()

    def preview_file(self, path: Path) -> ImportPreviewDialog:
        """The preview dialog for `path` (not yet shown); importing refreshes the list.

        The view's own dialog, built before the night, unless it is still busy with another
        file (then a new one)."""
        dialog = self.import_dialog if self.import_dialog.reusable else self._new_import_dialog()
        dialog.begin(path)
        return dialog

    def _new_import_dialog(self) -> ImportPreviewDialog:
        dialog = ImportPreviewDialog(self.worker, self.imports, self)
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
        dialog = RenderTicketsDialog(self.registrations.tickets_dir, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            pdf, png_dir, per_page = dialog.choice()
            self.start_render(pdf, png_dir, per_page)

    def start_render(self, pdf: Path | None, png_dir: Path | None, per_page: int = 4) -> bool:
        """Render every valid ticket on a worker thread, with the progress bar; False if not
        started. The tickets are read on the worker too (the GUI thread never waits on the
        database)."""
        if self.rendering:
            return False
        if pdf is None and png_dir is None:
            self.messages.warning("Choose a PDF file or a PNG folder for the tickets")
            return False
        self.rendering = True
        self.render_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the tickets are counted
        self.progress.show()
        tasks = self.tasks
        ticket_jobs = self.registrations.ticket_jobs

        def counted(count: int) -> None:
            self.progress.setRange(0, count)
            self.progress.setValue(0)
            self.messages.info(f"Rendering {count} tickets…")

        def progress(done: int, total: int, _item: str) -> None:  # worker thread
            tasks.to_main(lambda: self.progress.setValue(done))

        def work() -> RenderSummary | None:
            jobs = ticket_jobs(png_dir)
            if not jobs:
                return None
            tasks.to_main(partial(counted, len(jobs)))
            return render_tickets(jobs, pdf=pdf, per_page=per_page, progress=progress)

        tasks.run(work, self._rendered, self._render_failed)
        return True

    def _render_finished(self) -> None:
        self.rendering = False
        self.render_button.setEnabled(True)
        self.progress.hide()

    def _rendered(self, summary: RenderSummary | None) -> None:
        self._render_finished()
        if summary is None:
            self.messages.warning("No attendee has a valid ticket yet: import registrations first")
            return
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
