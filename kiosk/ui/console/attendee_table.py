"""The console's attendee table: what each cell says, the search and sort (run on the worker,
never on the GUI thread) and the read-only Qt model that shows the rows already in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from kiosk.core import glossary
from kiosk.services.registrations import STATUS_GONE, AttendeeRecord
from kiosk.ui.common.theme import Colours, ui_font

_ModelIndex = QModelIndex | QPersistentModelIndex

COLUMN_COUNT = 7


def _status_text(attendee: AttendeeRecord) -> str:
    if attendee.status == STATUS_GONE:
        return "gone 已不在名單"
    term = glossary.WALK_IN if attendee.is_walk_in else glossary.REGISTERED
    return f"{term.en.lower()} {term.zh}"


_CELLS: tuple[Callable[[AttendeeRecord], str], ...] = (
    lambda a: str(a.id),
    lambda a: a.name,
    lambda a: a.name_latin or "",
    lambda a: a.email or "",
    lambda a: a.code or "no valid ticket · 無有效門票",
    _status_text,
    lambda a: "✔ in" if a.checked_in else "",
)


def cell_text(attendee: AttendeeRecord, column: int) -> str:
    """The text of one cell of the attendee table (also what search and sort use); works out
    only that cell (a paint asks every visible cell several times)."""
    return _CELLS[column](attendee)


def cell_colour(attendee: AttendeeRecord, column: int) -> QColor | None:
    """The colour of one cell's text: what needs the operator's eye, and the quiet columns."""
    if column == 5 and attendee.status == STATUS_GONE:
        return Colours.warn
    if column == 4 and not attendee.code:
        return Colours.bad
    if column == 6 and attendee.checked_in:
        return Colours.ok
    return Colours.muted if column in (0, 2, 3) else None


@dataclass(frozen=True)
class AttendeeListing:
    """The attendees as the table shows them (searched, sorted) and the summary's counts."""

    rows: list[AttendeeRecord]
    total: int
    registered: int  # as the door and the report count them (`counts_as_registered`)
    walk_ins: int
    checked_in: int
    no_ticket: int

    @property
    def gone(self) -> int:
        """Attendees no longer in the latest export."""
        return self.total - self.registered - self.walk_ins


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
        sum(1 for a in attendees if a.counts_as_registered),
        sum(1 for a in attendees if a.is_walk_in and a.status != STATUS_GONE),
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
        f"In {glossary.CHECKED_IN.zh}",
    )

    def __init__(self, sort_requested: Callable[[int, Qt.SortOrder], None]) -> None:
        super().__init__()
        self.attendees: list[AttendeeRecord] = []
        self._sort_requested = sort_requested
        self._code_font = ui_font(10)  # built once: a paint asks for it in every visible row
        self._code_font.setFamilies(["DejaVu Sans Mono", "Monospace"])

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
            return cell_colour(attendee, column)
        if role == Qt.ItemDataRole.FontRole and column == 4:
            return self._code_font
        return None
