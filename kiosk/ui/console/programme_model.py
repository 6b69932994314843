"""The run order as a Qt table: one row per film, plus the intermission where it falls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from kiosk.core.event import EventConfig
from kiosk.core.media_identity import MediaState, MediaVerdict
from kiosk.core.preflight import FilmCheck
from kiosk.core.programme import Film, Intermission, Programme, format_duration
from kiosk.ui.common.theme import Colours

COLUMNS = (
    "#",
    "Starts",
    "Title / 片名",
    "Director",
    "Country",
    "Declared",
    "Length",
    "Picture",
    "Loudness",
    "Gain",
    "Preflight",
)
ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Row:
    """One row of the run order: a film, or the intermission."""

    film: Film | None
    intermission: Intermission | None
    starts: dt.datetime


def planned_rows(
    programme: Programme, config: EventConfig, checks: dict[str, FilmCheck]
) -> list[Row]:
    """Rows with their planned start (title card included), from the scheduled start."""
    clock = dt.datetime.combine(config.date, config.start)
    rows: list[Row] = []
    for film in programme:
        rows.append(Row(film, None, clock + dt.timedelta(seconds=config.title_card_seconds)))
        check = checks.get(film.id)
        length = check.duration_s if check and check.duration_s else film.declared_runtime_s
        clock += dt.timedelta(seconds=config.title_card_seconds + length)
        if programme.intermission and programme.intermission.after_film == film.id:
            rows.append(Row(None, programme.intermission, clock))
            clock += dt.timedelta(minutes=programme.intermission.minutes)
    return rows


class ProgrammeModel(QAbstractTableModel):
    """Read-only table model of the programme with each film's preflight results."""

    def __init__(self, programme: Programme, config: EventConfig) -> None:
        super().__init__()
        self.programme = programme
        self.config = config
        self.checks: dict[str, FilmCheck] = {}
        self.media: dict[str, MediaVerdict] = {}  # films whose file is not the one measured
        self.rows = planned_rows(programme, config, self.checks)

    def set_checks(self, checks: dict[str, FilmCheck]) -> None:
        """Show new preflight results (and the start times they imply)."""
        self.beginResetModel()
        self.checks = dict(checks)
        self.rows = planned_rows(self.programme, self.config, self.checks)
        self.endResetModel()

    def set_media(self, verdicts: dict[str, MediaVerdict]) -> None:
        """Flag the films whose file changed or vanished since preflight."""
        flagged = {
            k: v
            for k, v in verdicts.items()
            if v.state in (MediaState.CHANGED, MediaState.MISSING) and k in self.checks
        }
        if flagged != self.media:
            self.media = flagged
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 10))

    def film_at(self, row: int) -> Film | None:
        """The film shown on a row (None for the intermission)."""
        return self.rows[row].film if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if row.intermission is not None:
            return self._intermission_data(row, index.column(), role)
        assert row.film is not None
        film, check, column = row.film, self.checks.get(row.film.id), index.column()
        flagged = self.media.get(film.id)
        if flagged is not None and column == 10:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"⚠ {flagged.reason} (F6: check again)"
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(Colours.bad)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._film_text(row, film, check, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 10:
            if check is None:
                return QBrush(Colours.muted)
            colour = Colours.bad if not check.ok else Colours.warn if check.warnings else Colours.ok
            return QBrush(colour)
        if role == Qt.ItemDataRole.ToolTipRole and check is not None:
            notes = check.problems + check.warnings
            return "\n".join(notes) if notes else "All checks passed"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 1, 5, 6, 8, 9):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _film_text(self, row: Row, film: Film, check: FilmCheck | None, column: int) -> str:
        if column == 0:
            return f"{film.position}"
        if column == 1:
            return row.starts.strftime("%H:%M")
        if column == 2:
            return f"{film.title_en}\n{film.title_zh}"
        if column == 3:
            return film.director
        if column == 4:
            return film.country
        if column == 5:
            return format_duration(film.declared_runtime_s)
        if check is None:
            return "not checked" if column == 10 else ""
        if column == 6:
            return format_duration(check.duration_s) if check.duration_s else "—"
        if column == 7:
            if not check.width or not check.height:
                return "—"
            return f"{check.width}×{check.height}  {check.display_aspect or 0:.2f}:1"
        if column == 8:
            return f"{check.loudness_lufs:.1f} LUFS" if check.loudness_lufs is not None else "—"
        if column == 9:
            return f"{check.gain_db:+.1f} dB" if check.gain_db is not None else "—"
        if not check.ok:
            return "✖ " + check.problems[0]
        return "✔ ready" + (f" ({len(check.warnings)} note)" if check.warnings else "")

    def _intermission_data(self, row: Row, column: int, role: int) -> Any:
        assert row.intermission is not None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 1:
                return row.starts.strftime("%H:%M")
            if column == 2:
                return f"— {row.intermission.title_en} / {row.intermission.title_zh} —"
            if column == 5:
                return format_duration(row.intermission.minutes * 60)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(Colours.accent)
        return None
