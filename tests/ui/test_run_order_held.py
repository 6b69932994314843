"""The run order's state column while the show holds a title card: the words and the colour
of the current row, as the badge says (a restore at a card holds it paused)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from kiosk.core.preflight import FilmCheck
from kiosk.core.show import ShowMachine, ShowOptions
from kiosk.core.show.model import ShowPhase
from kiosk.ui.app import make_application
from kiosk.ui.common.theme import Colours
from kiosk.ui.console.run_order_model import RunOrderModel
from tests.conftest import four_film_programme, night_config


def test_a_held_title_card_row_reads_and_looks_like_the_current_row(tmp_path: Path) -> None:
    make_application()
    programme = four_film_programme(tmp_path)
    config = night_config(tmp_path)
    machine = ShowMachine(programme, ShowOptions(title_card_seconds=5.0))
    machine.open(0.0)
    machine.go(1.0)  # F01's title card
    machine.pause(2.0)
    snapshot = machine.snapshot(2.5)
    assert snapshot.phase is ShowPhase.PAUSED and snapshot.cue.key.startswith("card:")
    model = RunOrderModel(programme, config)
    model.update(snapshot)
    row = model.row_of_cue(snapshot.cue.key)
    assert row is not None
    state = model.index(row, 4)
    assert model.data(state, Qt.ItemDataRole.DisplayRole) == "⏸ paused"
    brush = model.data(state, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color() == Colours.accent
    later = model.index(row + 1, 4)  # the next film is pending, in pending's colour
    assert model.data(later, Qt.ItemDataRole.DisplayRole) == "pending"
    other = model.data(later, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(other, QBrush) and other.color() == Colours.muted


def test_preflight_results_again_reset_the_run_order_only_for_other_films(tmp_path: Path) -> None:
    """A reset makes the table size its columns to every cell on the GUI thread: the same
    results again change nothing, a re-checked film (F6) is repainted in place, and only the
    first results (other films measured) reset the model."""
    make_application()
    programme = four_film_programme(tmp_path)
    model = RunOrderModel(programme, night_config(tmp_path))
    resets: list[int] = []
    repaints: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda *_: repaints.append(1))
    checks = {f.id: FilmCheck(f.id, f.file, True, duration_s=60.0) for f in programme}
    model.set_checks(checks)
    assert (len(resets), len(repaints)) == (1, 0)  # the first results: columns fitted
    model.set_checks(dict(checks))
    assert (len(resets), len(repaints)) == (1, 0)  # the same again: nothing
    first = next(iter(programme)).id
    model.set_checks({**checks, first: FilmCheck(first, checks[first].file, True, duration_s=90.0)})
    assert (len(resets), len(repaints)) == (1, 1)  # one film re-checked: repainted in place
    assert model.checks[first].duration_s == 90.0
