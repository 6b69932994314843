"""Tonight's run order as the show sees it: each film's state and planned start, live."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from kiosk.core.event import EventConfig
from kiosk.core.media_identity import MediaState, MediaVerdict
from kiosk.core.preflight import FilmCheck
from kiosk.core.programme import Programme, format_duration
from kiosk.core.show import FilmStatus, ShowPhase, Snapshot
from kiosk.night.projector import Slide
from kiosk.ui.common.theme import Colours
from kiosk.ui.console.programme_model import Row, planned_rows

FLAGGED = {MediaState.CHANGED: "⚠ file changed", MediaState.MISSING: "⚠ file gone"}
RUN_COLUMNS = ("#", "Starts", "Title / 片名", "Length", "State")
ModelIndex = QModelIndex | QPersistentModelIndex

STATE_LABELS = {
    FilmStatus.PENDING: "pending",
    FilmStatus.PLAYING: "▶ playing",
    FilmStatus.PLAYED: "✔ played",
    FilmStatus.SKIPPED: "⤼ skipped",
    FilmStatus.FAILED: "✖ failed",
}
HELD_LABELS = {ShowPhase.PAUSED: "⏸ paused", ShowPhase.BLACK: "■ black"}
SLIDE_LABELS = {Slide.DIFFICULTIES: "⚠ difficulties slide", Slide.VOTING: "▣ voting slide"}
# every text the State column can show (the panel sizes the column once for the widest)
STATE_TEXTS = (
    *STATE_LABELS.values(),
    *HELD_LABELS.values(),
    *SLIDE_LABELS.values(),
    *FLAGGED.values(),
)
STATE_COLOURS = {
    FilmStatus.PENDING: Colours.muted,
    FilmStatus.PLAYING: Colours.accent,
    FilmStatus.PLAYED: Colours.ok,
    FilmStatus.SKIPPED: Colours.warn,
    FilmStatus.FAILED: Colours.bad,
}


class RunOrderModel(QAbstractTableModel):
    """Read-only table of the films (and the intermission) with their state tonight."""

    def __init__(self, programme: Programme, config: EventConfig) -> None:
        super().__init__()
        self.programme = programme
        self.config = config
        self.checks: dict[str, FilmCheck] = {}
        self.media: dict[str, MediaVerdict] = {}  # films whose file is not the one measured
        self.rows: list[Row] = planned_rows(programme, config, self.checks)
        self.states: dict[str, FilmStatus] = {f.id: FilmStatus.PENDING for f in programme}
        self.current_key = "holding"
        self._current_row: int | None = None  # the row of current_key (asked of every cell)
        self.held: str | None = None  # the current film's row while the show holds it

    def set_checks(self, checks: dict[str, FilmCheck]) -> None:
        """New preflight results: real lengths, so new planned starts. The same results again
        change nothing; new results for the same films (an F6 re-check) are repainted in
        place; only other rows or other films measured reset the model (the table then sizes
        its columns to every cell again, on the GUI thread)."""
        if checks == self.checks:
            return
        rows = planned_rows(self.programme, self.config, checks)
        resized = len(rows) != len(self.rows) or checks.keys() != self.checks.keys()
        if resized:
            self.beginResetModel()
        self.checks = dict(checks)
        self.rows = rows
        self._current_row = self.row_of_cue(self.current_key)
        if resized:
            self.endResetModel()
        elif rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(RUN_COLUMNS) - 1))

    def set_media(self, verdicts: dict[str, MediaVerdict]) -> None:
        """Flag the films whose file changed or vanished since preflight."""
        flagged = {k: v for k, v in verdicts.items() if v.state in FLAGGED}
        if flagged != self.media:
            self.media = flagged
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 4))

    def update(self, snapshot: Snapshot, slide: Slide | None = None) -> None:
        """Take the states and the current cue from the show, and the slide the projector shows
        over it (if any); repaint only on a change."""
        states = {film.id: status for film, status in snapshot.films}
        key = snapshot.cue.key
        held = SLIDE_LABELS[slide] if slide is not None else HELD_LABELS.get(snapshot.phase)
        if states == self.states and key == self.current_key and held == self.held:
            return
        self.states, self.current_key, self.held = states, key, held
        self._current_row = self.row_of_cue(key)
        if self.rows:
            last = self.index(len(self.rows) - 1, len(RUN_COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def row_of_cue(self, cue_key: str) -> int | None:
        """The row showing a cue (a film's card or film; the intermission), if any."""
        for number, row in enumerate(self.rows):
            if row.film is not None and cue_key.endswith(f":{row.film.id}"):
                return number
            if row.intermission is not None and cue_key == "intermission":
                return number
        return None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RUN_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return RUN_COLUMNS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        current = self._current_row == index.row()
        if role == Qt.ItemDataRole.BackgroundRole and current:
            return QBrush(QColor("#3b3220"))
        if role == Qt.ItemDataRole.FontRole and current:
            font = QFont()
            font.setBold(True)
            return font
        if row.intermission is not None:
            if role == Qt.ItemDataRole.DisplayRole:
                texts = {
                    1: row.starts.strftime("%H:%M"),
                    2: f"— {row.intermission.title_en} / {row.intermission.title_zh} —",
                    3: format_duration(row.intermission.minutes * 60),
                }
                return texts.get(column)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(Colours.accent)
            return None
        film = row.film
        assert film is not None
        status = self.states.get(film.id, FilmStatus.PENDING)
        if role == Qt.ItemDataRole.DisplayRole:  # only the cell asked for: asked of every cell
            if column == 4:
                held_here = current and status in (FilmStatus.PLAYING, FilmStatus.PENDING)
                if held_here and self.held is not None:
                    # the row says what the badge says: paused, black (a held title card too)
                    return self.held
                if film.id in self.media and status is FilmStatus.PENDING:
                    return FLAGGED[self.media[film.id].state]
                return STATE_LABELS[status]
            if column == 3:
                check = self.checks.get(film.id)
                length = check.duration_s if check and check.duration_s else film.declared_runtime_s
                return format_duration(length)
            if column == 1:
                return row.starts.strftime("%H:%M")
            return str(film.position) if column == 0 else f"{film.title_en}  {film.title_zh}"
        if role == Qt.ItemDataRole.ToolTipRole and film.id in self.media:
            return f"{self.media[film.id].reason} — F6 checks it again"
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            if current and self.held is not None and status is FilmStatus.PENDING:
                return QBrush(Colours.accent)  # a held title card: the current row's colour
            if film.id in self.media and status is FilmStatus.PENDING:
                return QBrush(Colours.bad)
            return QBrush(STATE_COLOURS[status])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 1, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
