"""The door window's side panels: find a person and admit by hand; register a walk-in."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import glossary
from kiosk.core.admissions import AttendeeHit
from kiosk.core.checkin import local_clock, mask_email, mask_phone
from kiosk.ui.common.theme import Colours, ui_font

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
# two-line headings keep the columns narrow: the name keeps its room at 1366 px
SEARCH_COLUMNS = (
    "Name\n姓名",
    "Registration · phone\n登記時間 · 電話",  # what tells two namesakes apart
    "E-mail\n電郵",
    "Status\n狀態",
)
STATUS_COLUMN = len(SEARCH_COLUMNS) - 1

Found = Callable[[list[AttendeeHit]], None]
Failed = Callable[[BaseException], None]
SearchRunner = Callable[[str, Found, Failed], None]
"""``search(text, found, failed)``: look ``text`` up off the GUI thread, answer on it."""


class SearchPanel(QWidget):
    """Find people without their QR (Chinese or Latin name, e-mail, part of the code)."""

    admit_requested = Signal(int)  # attendee id

    def __init__(
        self,
        search: SearchRunner,
        zone: dt.tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        """``search`` runs each search on a worker (a paired station's asks the server, which
        may take up to its timeout): the window never waits; an answer to an older text than
        the box's is dropped."""
        super().__init__(parent)
        self._search = search
        self._zone = zone
        self._asked = 0  # searches asked for; the latest one's answer is shown
        self._searching = False
        self.hits: list[AttendeeHit] = []
        self.query = QLineEdit()
        self.query.setPlaceholderText("Name, e-mail or part of the code / 姓名、電郵或票號")
        self.query.setClearButtonEnabled(True)
        self.query.setFont(ui_font(13))
        self.query.setMinimumHeight(40)
        self.table = QTableWidget(0, len(SEARCH_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(SEARCH_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setFont(ui_font(11))
        # rows as tall as the text needs: ten namesakes fit without scrolling at 1366x768
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 4)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(SEARCH_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.admit_button = QPushButton(glossary.ADMIT_BY_HAND.pair(" / "))
        self.admit_button.setFont(ui_font(12, bold=True))
        self.admit_button.setMinimumHeight(44)
        self.admit_button.setEnabled(False)
        self.summary = QLabel("Type to search / 輸入以搜尋")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setStyleSheet(f"color: {Colours.muted.name()}")
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.admit_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _text: self._timer.start())
        self.query.returnPressed.connect(self.run_search)
        self.table.itemSelectionChanged.connect(self._update_button)
        self.admit_button.clicked.connect(self._admit)

    @property
    def busy(self) -> bool:
        """Whether a search is on its way (tests wait on it)."""
        return self._searching

    def run_search(self) -> None:
        """Search now for what is in the box (the answer fills the table when it comes)."""
        self._search_keeping(None)

    def refresh(self) -> None:
        """Search again (after an admission here or at another door), keeping the selection."""
        if self.query.text().strip():
            selected = self.selected_hit()
            self._search_keeping(None if selected is None else selected.attendee_id)

    def _search_keeping(self, attendee_id: int | None) -> None:
        self._timer.stop()
        self._asked += 1
        text = self.query.text()
        if not text.strip():
            self._searching = False
            self._found(self._asked, None, [])
            return
        self._searching = True
        asked = self._asked
        self._search(text, partial(self._found, asked, attendee_id), partial(self._failed, asked))

    def _found(self, asked: int, attendee_id: int | None, hits: list[AttendeeHit]) -> None:
        if asked != self._asked:
            return  # the box says something else by now
        self._searching = False
        self.hits = hits
        self._fill()
        if attendee_id is not None:
            self.select_attendee(attendee_id)

    def _failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        self._searching = False
        log.warning("search failed: %s", exc)
        self.hits = []
        self._fill()
        self.summary.setText(f"Search failed / 搜尋失敗: {exc}")

    def selected_hit(self) -> AttendeeHit | None:
        """The highlighted person, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.hits[rows[0].row()] if rows and rows[0].row() < len(self.hits) else None

    def select_attendee(self, attendee_id: int) -> None:
        """Highlight a person in the results."""
        for row, hit in enumerate(self.hits):
            if hit.attendee_id == attendee_id:
                self.table.selectRow(row)
                return

    def _fill(self) -> None:
        self.table.setRowCount(len(self.hits))
        for row, hit in enumerate(self.hits):
            name = hit.name if not hit.name_latin else f"{hit.name}  ·  {hit.name_latin}"
            if hit.status != "registered":
                name += "  (not in the latest list / 不在最新名單)"
            status, colour = self._status(hit)
            registered = (
                hit.registered_at.astimezone(self._zone).strftime("%d/%m %H:%M")
                if hit.registered_at
                else "—"
            )
            cells = (
                name,
                f"{registered} · {mask_phone(hit.phone) or '—'}",
                mask_email(hit.email),
                status,
            )
            ticket = (
                f"Ticket / 門票 …{hit.code[-5:]}" if hit.code else "No valid ticket / 沒有有效門票"
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{name}\n{ticket}" if column == 0 else text)
                if column == STATUS_COLUMN:
                    item.setForeground(colour)
                self.table.setItem(row, column, item)
        count = len(self.hits)
        if not self.query.text().strip():
            self.summary.setText("Type to search / 輸入以搜尋")
        elif count == 0:
            self.summary.setText("Nobody found / 找不到相符的人")
        else:
            more = " (first 50 / 首 50 位)" if count >= 50 else ""
            self.summary.setText(f"{count} found / 找到 {count} 位{more}")
        if count == 1:
            self.table.selectRow(0)
        self._update_button()

    def _status(self, hit: AttendeeHit) -> tuple[str, QColor]:
        if hit.admission is None:
            return "Not in / 未入場", Colours.text
        return (
            f"In {local_clock(hit.admission.at, self._zone)} {hit.admission.station} / "
            f"{glossary.CHECKED_IN.zh}",
            Colours.warn,
        )

    def _update_button(self) -> None:
        hit = self.selected_hit()
        self.admit_button.setEnabled(hit is not None and hit.admission is None)

    def _admit(self) -> None:
        hit = self.selected_hit()
        if hit is not None:
            self.admit_requested.emit(hit.attendee_id)


class WalkInPanel(QWidget):
    """Register someone at the door (while the hall has room) and admit them."""

    register_requested = Signal(str, str, str)  # name, Latin name, e-mail

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. 陳大文")
        self.name_latin = QLineEdit()
        self.name_latin.setPlaceholderText("e.g. Chan Tai Man (optional / 選填)")
        self.email = QLineEdit()
        self.email.setPlaceholderText("optional / 選填")
        for field in (self.name, self.name_latin, self.email):
            field.setFont(ui_font(13))
            field.setMinimumHeight(40)
        form = QFormLayout()
        form.addRow("Name / 姓名", self.name)
        form.addRow("English name / 英文姓名", self.name_latin)
        form.addRow("E-mail / 電郵", self.email)
        self.register_button = QPushButton("Register and admit / 登記並入場")
        self.register_button.setFont(ui_font(12, bold=True))
        self.register_button.setMinimumHeight(44)
        self.feedback = QLabel("")
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)  # shows the typed name: data
        self.feedback.setWordWrap(True)
        self.feedback.setFont(ui_font(11))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.register_button)
        layout.addLayout(buttons)
        layout.addWidget(self.feedback)
        layout.addStretch(1)
        self.register_button.clicked.connect(self._register)
        self.email.returnPressed.connect(self._register)
        self._full = False

    def set_full(self, full: bool) -> None:
        """Walk-ins stop when the hall is full."""
        self._full = full
        self.register_button.setEnabled(not full)
        if full:
            self.show_feedback(
                f"{glossary.FULL_HOUSE.en}: no {glossary.WALK_IN.en_plural} / "
                f"{glossary.FULL_HOUSE.zh}，暫停{glossary.WALK_IN.zh}",
                error=True,
            )
        elif self.feedback.property("full"):
            self.show_feedback("")
        self.feedback.setProperty("full", full)

    def show_feedback(self, text: str, *, error: bool = False) -> None:
        """A line under the form (red for a problem)."""
        colour = Colours.bad if error else Colours.ok
        self.feedback.setStyleSheet(f"color: {colour.name()}")
        self.feedback.setText(text)

    def clear(self) -> None:
        """Empty the form after a successful walk-in."""
        for field in (self.name, self.name_latin, self.email):
            field.clear()

    def _register(self) -> None:
        if self._full:
            return
        self.register_requested.emit(self.name.text(), self.name_latin.text(), self.email.text())
