"""The console window, driven with pytest-qt on the offscreen platform."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.programme_model import COLUMNS
from kiosk.ui.console.registrations_view import RegistrationsView
from kiosk.ui.console.window import ConsoleWindow


def cell(window: ConsoleWindow, row: int, column: str) -> str:
    model = window.model
    return str(model.data(model.index(row, COLUMNS.index(column))))


def test_shows_the_run_order_with_the_intermission(console: ConsoleWindow) -> None:
    assert console.model.rowCount() == 4  # three films and the intermission after A2
    assert cell(console, 0, "Title / 片名") == "Film A1\n影片 A1"
    assert "Intermission / 中場休息" in cell(console, 2, "Title / 片名")
    assert cell(console, 0, "Preflight") == "not checked"
    assert cell(console, 0, "Starts") == "19:30"
    assert "3 unchecked" in console.summary.text()


def test_preflight_from_the_console_updates_every_row(qtbot: QtBot, console: ConsoleWindow) -> None:
    qtbot.keyClick(console, Qt.Key.Key_F5)
    assert not console.preflight_button.isEnabled()
    qtbot.waitUntil(console.preflight_button.isEnabled, timeout=60_000)
    assert cell(console, 0, "Preflight").startswith("✔ ready")
    assert cell(console, 1, "Picture").startswith("180×320")
    assert "LUFS" in cell(console, 0, "Loudness")
    assert "3 ready" in console.summary.text()
    assert "all 3 films ready" in console.log_view.toPlainText()


def test_selecting_a_film_shows_its_details(qtbot: QtBot, console: ConsoleWindow) -> None:
    console.table.selectRow(1)
    assert console.details.title_en.text() == "2. Film A2"
    assert console.details.title_zh.text() == "影片 A2"
    assert "run preflight" in console.details.findings.text()


@pytest.mark.logs_errors  # the error reporter logs the unexpected exception it shows
def test_unexpected_error_is_shown_on_the_console_and_the_app_lives(
    qtbot: QtBot, small_event: EventFolder
) -> None:
    make_application()
    window, reporter = open_console(small_event)
    qtbot.addWidget(window)
    try:
        raise RuntimeError("boom 爆")
    except RuntimeError as exc:
        reporter._hook(RuntimeError, exc, exc.__traceback__)
    qtbot.waitUntil(lambda: bool(reporter.shown))
    assert reporter.shown == ["RuntimeError: boom 爆"]
    boxes = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    assert boxes and boxes[0].parent() is window
    assert not boxes[0].isModal()
    assert "boom 爆" in (boxes[0].detailedText() or "")
    boxes[0].close()


def test_screenshot_shows_the_bilingual_header(console: ConsoleWindow, tmp_path: Path) -> None:
    image = console.grab().toImage()
    image.save(str(tmp_path / "console.png"))
    assert image.width() == 1366 and image.height() == 768
    # the amber Chinese event name is drawn in the header (CJK glyphs, not empty boxes)
    amber = QColor("#f2b33d")
    hits = sum(
        1
        for x in range(0, 500, 2)
        for y in range(30, 80, 2)
        if abs(image.pixelColor(x, y).red() - amber.red()) < 40
        and abs(image.pixelColor(x, y).green() - amber.green()) < 40
        and image.pixelColor(x, y).blue() < 120
    )
    assert hits > 40


def test_the_import_dialog_is_made_before_the_night_and_no_console_widget_is_native(
    qtbot: QtBot, console: ConsoleWindow
) -> None:
    """The Registrations view's import dialog is built, painted off screen and given its window
    at console start, so opening it during a show is little more than showing it; making that
    window must not turn the console's own widgets into native windows (a modal opening then
    sends WindowBlocked through each)."""
    view = next(
        console.tabs.widget(i)
        for i in range(console.tabs.count())
        if isinstance(console.tabs.widget(i), RegistrationsView)
    )
    assert isinstance(view, RegistrationsView)
    dialog = view.import_dialog
    made = Qt.WidgetAttribute.WA_WState_Created
    qtbot.waitUntil(lambda: dialog.testAttribute(made), timeout=5000)
    assert not dialog.isVisible() and dialog.reusable
    native = [
        type(widget).__name__
        for widget in console.findChildren(QWidget)
        if not widget.isWindow() and widget.internalWinId()
    ]
    assert native == []
