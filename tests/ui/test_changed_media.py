"""The console flags a film whose file changed since preflight, before its title card, and F6
checks it again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.media.generate import ClipSpec
from kiosk.services.preflight import run_preflight
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.programme_model import COLUMNS
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache

pytestmark = [pytest.mark.vlc, pytest.mark.slow]


def test_a_replaced_film_is_flagged_before_its_card_and_f6_checks_it_again(
    qtbot: QtBot, tmp_path: Path, film_cache: FilmCache
) -> None:
    files = tmp_path / "films"
    first = film_cache.render(ClipSpec(("One",), 2.0, 320, 180, volume_db=8), files / "one.mp4")
    second = film_cache.render(ClipSpec(("Two",), 2.0, 320, 180), files / "two.mp4")
    other = film_cache.render(
        ClipSpec(("Other",), 2.0, 320, 180, volume_db=-15), tmp_path / "x.mp4"
    )
    event = write_event(tmp_path / "event", [film_toml("A1", first), film_toml("A2", second)])
    run_preflight(event)
    make_application()
    window, _reporter = open_console(event)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    panel = window.show_panel
    assert panel is not None
    assert not panel.next_media.isVisible()
    shutil.copyfile(other, first)  # the festival sent a new export; nobody ran preflight
    qtbot.waitUntil(panel.next_media.isVisible, timeout=5000)  # at the holding slide already
    assert panel.next_media.text().startswith("⚠ Next film A1: the file changed since preflight")
    assert "F6" in panel.next_media.text()
    status = window.model.index(0, COLUMNS.index("Preflight"))
    qtbot.waitUntil(  # the programme tab looks every 2 s
        lambda: str(window.model.data(status)).startswith("⚠ the file changed since preflight"),
        timeout=5000,
    )
    assert panel.run_model.data(panel.run_model.index(0, 4)) == "⚠ file changed"
    assert window.night.show is not None
    assert window.night.show.players.gain_of("A1") == 0.0  # never the old file's gain
    window.grab().save(str(tmp_path / "console-film-changed-1366x768.png"))  # to look at
    qtbot.keyClick(window, Qt.Key.Key_F6)  # check it again
    qtbot.waitUntil(lambda: not panel.next_media.isVisible(), timeout=30000)
    assert window.night.show.players.gain_of("A1") > 5  # the quiet file's own gain
    window.close()
