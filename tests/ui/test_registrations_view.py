"""The Registrations view and its dialogs, driven with pytest-qt on the offscreen platform."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.services.import_process import PreviewSummary
from kiosk.services.open_event import OpenEvent
from kiosk.ui.app import make_application
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.console.import_preview_dialog import FIRST_READ_LATEST_MS, ImportPreviewDialog
from kiosk.ui.console.registrations_view import RegistrationsView
from kiosk.ui.doors.decoder import decode_qr
from tests.conftest import film_toml, write_event

DATA = Path(__file__).resolve().parents[1] / "data" / "registrations"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def messages() -> list[str]:
    return []


@pytest.fixture
def registrations_view(
    qtbot: QtBot, tmp_path: Path, messages: list[str]
) -> Iterator[RegistrationsView]:
    """The Registrations tab on a new event, shown; stopped after the test as the console
    stops it (an import's child, then its worker thread and connection)."""
    make_application()
    folder = write_event(
        tmp_path / "event", [film_toml("A1", "a1.mp4")]
    )  # opening reads a programme
    bus = MessageBus()
    bus.subscribe(lambda _level, _at, text: messages.append(text))
    widget = RegistrationsView(OpenEvent.open(folder).registrations(), bus, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    settle(widget)
    yield widget
    widget.stop()


class Busy(Protocol):
    @property
    def busy(self) -> bool: ...


def settle(*widgets: Busy) -> None:
    """Let the registrations worker answer (it reads and writes off the GUI thread)."""
    deadline = time.monotonic() + 60
    while any(w.busy for w in widgets):
        assert time.monotonic() < deadline, "the registrations worker did not answer"
        QApplication.processEvents()
        time.sleep(0.002)


def snapshot(registrations_view: RegistrationsView) -> list[str]:
    """Everything in the registrations_view's event database, as SQL text."""
    conn = sqlite3.connect(registrations_view.registrations.exports_dir / "event.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def import_through_dialog(registrations_view: RegistrationsView, file: Path) -> ImportPreviewDialog:
    dialog = registrations_view.preview_file(file)
    dialog.show()
    settle(dialog)
    assert dialog.import_button.isEnabled(), dialog.problems.toPlainText()
    dialog.import_button.click()
    settle(dialog, registrations_view)
    return dialog


def cell(registrations_view: RegistrationsView, row: int, column: int) -> str:
    return str(registrations_view.model.data(registrations_view.model.index(row, column)))


def test_import_preview_shows_detection_counts_and_imports(
    registrations_view: RegistrationsView, messages: list[str]
) -> None:
    assert "No registrations yet" in registrations_view.summary.text()
    dialog = registrations_view.preview_file(DATA / "eventbrite-attendees.csv")
    dialog.show()
    settle(dialog)
    assert "Eventbrite attendee report" in dialog.detected.text()
    assert "utf-8-sig" in dialog.detected.text()
    counts = {key: label.text() for key, label in dialog.count_labels.items()}
    assert counts == {
        "new": "4",
        "updated": "0",
        "unchanged": "0",
        "missing": "0",
        "not_attending": "2",
        "duplicates_merged": "1",
        "errors": "0",
    }
    assert dialog.combo_for("Attendee #").currentData() == "external_id"
    assert dialog.combo_for("Quantity").currentData() == "ignore"
    dialog.import_button.click()
    settle(dialog, registrations_view)
    assert dialog.import_result is not None
    assert registrations_view.model.rowCount() == 4
    assert cell(registrations_view, 3, 1) == "Zoë O'Brien"
    assert cell(registrations_view, 0, 4).startswith("AIFF-")
    assert "4</b> registered" in registrations_view.summary.text()
    assert any("Imported eventbrite-attendees.csv: 4 new" in m for m in messages)


class FirstPaint(QObject):
    """Notes when a widget is first painted (an event filter on it alone)."""

    def __init__(self, noted: list[str]) -> None:
        super().__init__()
        self.noted = noted

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and "painted" not in self.noted:
            self.noted.append("painted")
        return False


def test_the_import_child_starts_after_the_dialog_is_painted(
    registrations_view: RegistrationsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file's child process (its start is CPU too) is started only once the
    preview dialog is on the screen: it never competes with the dialog appearing."""
    noted: list[str] = []
    imports = registrations_view.imports
    preview = imports.preview

    def started(*args: Any, **kwargs: Any) -> PreviewSummary:  # on the registrations worker
        noted.append("child started")
        return preview(*args, **kwargs)

    monkeypatch.setattr(imports, "preview", started)
    dialog = registrations_view.preview_file(DATA / "eventbrite-attendees.csv")
    painted = FirstPaint(noted)
    dialog.installEventFilter(painted)
    assert dialog.busy and "Reading" in dialog.detected.text()
    dialog.show()
    settle(dialog)
    assert noted == ["painted", "child started"]
    assert dialog.count_labels["new"].text() == "4" and dialog.import_button.isEnabled()
    dialog.reject()


def test_a_dialog_closed_before_it_is_painted_reads_nothing(
    registrations_view: RegistrationsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    noted: list[str] = []
    monkeypatch.setattr(registrations_view.imports, "preview", lambda *a, **k: noted.append("x"))
    dialog = registrations_view.preview_file(DATA / "eventbrite-attendees.csv")
    dialog.reject()
    deadline = time.monotonic() + 2 * FIRST_READ_LATEST_MS / 1000  # past its latest start
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    assert not dialog.busy and noted == []


def test_the_import_dialog_is_built_before_import_is_pressed_and_reused(
    registrations_view: RegistrationsView,
) -> None:
    """The view builds its preview dialog with itself, polished and painted once off screen,
    never shown; every file is previewed in it, with nothing of the file before."""
    built = registrations_view.import_dialog
    assert not built.isVisible() and not built.busy and built.reusable
    assert built.testAttribute(Qt.WidgetAttribute.WA_WState_Polished)
    first = registrations_view.preview_file(DATA / "broken.csv")
    assert first is built
    first.show()
    settle(first)
    assert first.count_labels["errors"].text() == "3" and first.problems.toPlainText()
    first.reject()
    second = registrations_view.preview_file(DATA / "eventbrite-attendees.csv")
    assert second is built
    assert second.path.name == "eventbrite-attendees.csv"
    assert "eventbrite-attendees.csv" in second.windowTitle() + second.title.text()
    assert {label.text() for label in second.count_labels.values()} == {"–"}
    assert not second.problems.toPlainText() and second.mapping_table.rowCount() == 0
    assert "Reading eventbrite-attendees.csv" in second.detected.text()
    second.show()
    settle(second)
    assert second.count_labels["new"].text() == "4" and second.count_labels["errors"].text() == "0"
    assert second.import_button.isEnabled()
    second.import_button.click()
    settle(second, registrations_view)
    assert second.import_result is not None and registrations_view.model.rowCount() == 4


def test_a_file_previewed_while_the_dialog_is_busy_gets_a_dialog_of_its_own(
    registrations_view: RegistrationsView,
) -> None:
    first = registrations_view.preview_file(DATA / "eventbrite-attendees.csv")
    first.show()
    assert first.busy and not first.reusable
    other = registrations_view.preview_file(DATA / "broken.csv")
    assert other is not first
    other.show()
    settle(first, other)
    assert first.count_labels["new"].text() == "4"
    assert other.count_labels["errors"].text() == "3"
    first.reject()
    other.reject()


def test_bad_rows_disable_import_and_change_nothing(registrations_view: RegistrationsView) -> None:
    import_through_dialog(registrations_view, DATA / "pretix-orders-semicolon.csv")
    before = snapshot(registrations_view)
    dialog = registrations_view.preview_file(DATA / "broken.csv")
    dialog.show()
    settle(dialog)
    assert not dialog.import_button.isEnabled()
    assert dialog.count_labels["errors"].text() == "3"
    text = dialog.problems.toPlainText()
    assert "row 3: missing e-mail address" in text and "row 4: malformed" in text
    dialog.do_import()  # even if called anyway
    settle(dialog)
    assert dialog.import_result is None
    dialog.reject()
    assert snapshot(registrations_view) == before
    assert registrations_view.model.rowCount() == 3


def test_columns_can_be_mapped_by_hand(
    registrations_view: RegistrationsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    imports = registrations_view.imports
    preview = imports.preview
    readings: list[dict[str, str] | None] = []

    def counted(path: Path, mapping: dict[str, str] | None) -> PreviewSummary:
        readings.append(mapping)  # on the registrations worker
        return preview(path, mapping)

    monkeypatch.setattr(imports, "preview", counted)
    dialog = registrations_view.preview_file(DATA / "custom-columns.csv")
    dialog.show()
    settle(dialog)
    assert not dialog.import_button.isEnabled()
    assert "No name or e-mail column" in dialog.problems.toPlainText()
    assert dialog.headers == ["Participant", "Contact", "Ticket"]
    participant = dialog.combo_for("Participant")
    participant.setCurrentIndex(participant.findData("name"))
    settle(dialog)
    assert not dialog.import_button.isEnabled()  # still no e-mail column
    contact = dialog.combo_for("Contact")
    contact.setCurrentIndex(contact.findData("email"))
    settle(dialog)
    assert dialog.import_button.isEnabled()
    assert dialog.count_labels["new"].text() == "2"
    assert len(readings) == 3  # the file, then once per change
    dialog.import_button.click()
    settle(dialog, registrations_view)
    assert [a.name for a in registrations_view.model.attendees] == ["Mak Chi Ming", "麥志明"]


def test_search_filters_by_name_email_or_code(registrations_view: RegistrationsView) -> None:
    import_through_dialog(registrations_view, DATA / "google-forms-big5.csv")
    assert registrations_view.model.rowCount() == 5
    code = registrations_view.model.attendees[4].code or ""
    registrations_view.search.setText("歐陽")
    settle(registrations_view)
    assert (
        registrations_view.model.rowCount() == 1
        and cell(registrations_view, 0, 2) == "Au Yeung Na Na"
    )
    registrations_view.search.setText("KAYAN@")
    settle(registrations_view)
    assert registrations_view.model.rowCount() == 1 and cell(registrations_view, 0, 1) == "李嘉欣"
    registrations_view.search.setText(code.lower())
    settle(registrations_view)
    assert registrations_view.model.rowCount() == 1 and cell(registrations_view, 0, 1) == "司徒詠詩"
    registrations_view.search.clear()
    settle(registrations_view)
    assert registrations_view.model.rowCount() == 5


def test_reissue_and_revoke_from_the_list(
    registrations_view: RegistrationsView, messages: list[str]
) -> None:
    import_through_dialog(registrations_view, DATA / "plain-gb18030.csv")
    old = registrations_view.model.attendees[0].code
    registrations_view.reissue(registrations_view.model.attendees[0].id)
    settle(registrations_view)
    assert registrations_view.model.attendees[0].code not in (None, old)
    registrations_view.revoke(registrations_view.model.attendees[1].id)
    settle(registrations_view)
    assert registrations_view.model.attendees[1].code is None
    assert cell(registrations_view, 1, 4) == "no valid ticket · 無有效門票"
    assert "without a valid ticket" in registrations_view.summary.text()
    assert any("revoked" in m for m in messages)


def test_render_tickets_with_progress_on_a_worker_thread(
    qtbot: QtBot, registrations_view: RegistrationsView, tmp_path: Path, messages: list[str]
) -> None:
    import_through_dialog(registrations_view, DATA / "google-forms-big5.csv")
    pdf, png_dir = tmp_path / "out" / "tickets.pdf", tmp_path / "out" / "png"
    assert registrations_view.start_render(pdf, png_dir, per_page=1)
    assert (
        registrations_view.progress.isVisible() and not registrations_view.render_button.isEnabled()
    )
    qtbot.waitUntil(lambda: not registrations_view.rendering, timeout=60_000)
    assert (
        registrations_view.render_button.isEnabled() and not registrations_view.progress.isVisible()
    )
    assert registrations_view.last_render is not None and registrations_view.last_render.count == 5
    assert pdf.is_file() and (png_dir / "mail-merge.csv").is_file()
    pngs = sorted(png_dir.glob("*.png"))
    assert len(pngs) == 5
    assert decode_qr(QImage(str(pngs[0]))) == [registrations_view.model.attendees[0].code]
    assert any("5 tickets rendered" in m for m in messages)


def test_render_with_nobody_to_render_says_so(
    qtbot: QtBot, registrations_view: RegistrationsView, tmp_path: Path, messages: list[str]
) -> None:
    """The tickets are read on the worker: with nobody registered it says so, renders nothing."""
    pdf = tmp_path / "out" / "tickets.pdf"
    assert registrations_view.start_render(pdf, None)
    qtbot.waitUntil(lambda: not registrations_view.rendering, timeout=60_000)
    assert (
        registrations_view.render_button.isEnabled() and not registrations_view.progress.isVisible()
    )
    assert registrations_view.last_render is None and not pdf.exists()
    assert any("No attendee has a valid ticket yet" in m for m in messages)


def test_screenshots(qtbot: QtBot, registrations_view: RegistrationsView) -> None:
    import_through_dialog(registrations_view, DATA / "google-forms-big5.csv")
    import_through_dialog(registrations_view, DATA / "eventbrite-attendees.csv")
    registrations_view.reissue(registrations_view.model.attendees[1].id)
    registrations_view.revoke(registrations_view.model.attendees[6].id)
    settle(registrations_view)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for width, height in ((1366, 768), (1920, 1080)):
        registrations_view.resize(width, height)
        qtbot.wait(50)
        shot = registrations_view.grab()
        assert (shot.width(), shot.height()) == (width, height)
        shot.save(str(SCREENSHOTS / f"registrations-{width}x{height}.png"))
        # the dark theme is on (not a white default window)
        assert shot.toImage().pixelColor(5, height - 5).lightness() < 80
    dialog = registrations_view.preview_file(DATA / "broken.csv")
    dialog.show()
    settle(dialog)
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(SCREENSHOTS / "registrations-import-preview-errors.png"))
    dialog.reject()
    dialog = registrations_view.preview_file(DATA / "google-forms-big5.csv")
    dialog.show()
    settle(dialog)
    qtbot.waitExposed(dialog)
    grabbed = dialog.grab()
    grabbed.save(str(SCREENSHOTS / "registrations-import-preview.png"))
    assert grabbed.toImage().pixelColor(5, 5) != QColor("white")
    dialog.reject()


def _people_csv(path: Path, count: int) -> Path:
    rows = ["Name,Email", *(f"Person {n:02d},p{n}@example.com" for n in range(count))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


PEOPLE = 20_000  # 100 chunks: the stop reaches the child long before the last one


def _gone(registrations_view: RegistrationsView) -> int:
    return sum(1 for a in registrations_view.model.attendees if a.status == "gone")


def test_an_import_marking_many_gone_asks_naming_how_many(
    registrations_view: RegistrationsView, tmp_path: Path
) -> None:
    """The console's counterpart of --allow-many-gone: the real question box, answered by its
    buttons; Cancel (the default, also Escape) changes nothing, the named button imports."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from kiosk.ui.console.many_gone import CONFIRM_TITLE

    import_through_dialog(registrations_view, _people_csv(tmp_path / "all.csv", 40))
    half = _people_csv(tmp_path / "half.csv", 20)
    asked: list[dict[str, str]] = []

    def answer(choice: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox), box
        buttons = {b.text(): b for b in box.buttons()}
        asked.append(
            {"title": box.windowTitle(), "text": box.text(), "default": box.defaultButton().text()}
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        box.grab().save(str(SCREENSHOTS / "import-many-gone-question.png"))
        buttons[choice].click()

    before = snapshot(registrations_view)
    dialog = registrations_view.preview_file(half)
    dialog.show()
    settle(dialog)
    assert "marks 20 of the 40 registered attendees gone" in dialog.problems.toPlainText()
    QTimer.singleShot(200, lambda: answer("Cancel · 取消"))
    dialog.import_button.click()
    assert asked and asked[0]["title"] == CONFIRM_TITLE
    assert "leaves out 20 of the 40 registered attendees (50%)" in asked[0]["text"]
    assert "20 位已登記參加者" in asked[0]["text"]
    assert asked[0]["default"] == "Cancel · 取消"
    assert dialog.isVisible()
    assert "was not confirmed" in dialog.problems.toPlainText()
    assert snapshot(registrations_view) == before  # nothing written, nobody gone
    assert _gone(registrations_view) == 0

    QTimer.singleShot(200, lambda: answer("&Mark 20 gone and import"))
    dialog.import_button.click()
    settle(dialog, registrations_view)
    result = dialog.import_result
    assert result is not None
    assert _gone(registrations_view) == 20


def test_an_import_marking_few_gone_does_not_ask(
    registrations_view: RegistrationsView, tmp_path: Path
) -> None:
    import_through_dialog(registrations_view, _people_csv(tmp_path / "all.csv", 40))

    def never(_parent: object, _question: object) -> bool:
        raise AssertionError("asked for an import that marks only a few people gone")

    dialog = ImportPreviewDialog(
        registrations_view.worker,
        registrations_view.imports,
        registrations_view,
        confirm_many_gone=never,
    )
    dialog.begin(_people_csv(tmp_path / "few.csv", 37))
    dialog.show()
    settle(dialog)
    dialog.import_button.click()
    settle(dialog)
    assert dialog.import_result is not None
    registrations_view.refresh()
    settle(registrations_view)
    assert _gone(registrations_view) == 3


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_a_big_import_shows_progress_and_stops_between_chunks(
    registrations_view: RegistrationsView, tmp_path: Path
) -> None:
    """The import runs in a child process with a progress bar; Stop (the Cancel button, or
    Escape) stops it between two chunks, keeping what was written; importing again completes
    it."""
    big = _people_csv(tmp_path / "big.csv", PEOPLE)
    dialog = registrations_view.preview_file(big)
    dialog.show()
    settle(dialog)
    progressed: list[int] = []
    dialog.progress.valueChanged.connect(progressed.append)
    dialog.import_button.click()
    assert dialog.importing and dialog.cancel_button.text() == "Stop import 停止匯入"
    deadline = time.monotonic() + 60
    while not [v for v in progressed if v > 0]:
        assert time.monotonic() < deadline
        QApplication.processEvents()
        time.sleep(0.001)
    assert dialog.progress.isVisible() and dialog.progress.maximum() == PEOPLE
    dialog.reject()  # what Cancel / Escape do during an import
    settle(dialog)
    assert dialog.stopped and dialog.isVisible() and dialog.import_result is None
    assert "Import stopped after" in dialog.problems.toPlainText()
    registrations_view.refresh()
    settle(registrations_view)
    written = registrations_view.model.rowCount()
    assert 0 < written < 6000
    again = import_through_dialog(registrations_view, big)
    assert again.import_result is not None
    assert again.import_result.new == PEOPLE - written
    assert registrations_view.model.rowCount() == PEOPLE
