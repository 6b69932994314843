"""The door window with pytest-qt on the offscreen platform: scans, verdict screens, panels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core.admissions import ScanResult
from kiosk.core.checkin import Verdict
from kiosk.core.repeat_scans import RepeatGuard
from kiosk.core.tickets import TicketCodec
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application
from kiosk.ui.doors import window as doors_window_module
from kiosk.ui.doors.app import open_doors
from kiosk.ui.doors.panels import STATUS_COLUMN, SearchPanel
from kiosk.ui.doors.window import DoorsWindow
from tests.doors_helpers import Person, make_event, repository, seed_people

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def small_hall_people(tmp_path: Path) -> list[Person]:
    return seed_people(make_event(tmp_path / "event", capacity=8))


class FakeMonotonic:
    """A monotonic clock the test moves by hand (for the same-code repeat window)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def window(
    qtbot: QtBot, tmp_path: Path, small_hall_people: list[Person], monotonic: FakeMonotonic
) -> DoorsWindow:
    make_application()
    doors = open_doors(make_event(tmp_path / "event", capacity=8), "Door 1", with_sound=False)
    doors.context.repeats = RepeatGuard(clock=monotonic)
    qtbot.addWidget(doors)
    doors.resize(1366, 768)
    doors.show()
    qtbot.waitExposed(doors)
    return doors


def answer(qtbot: QtBot, window: DoorsWindow, action: Callable[[], None]) -> object:
    """Do something at the door and wait for its answer from the desk's worker thread."""
    with qtbot.waitSignal(window.answered, timeout=5000) as blocker:
        action()
    return blocker.args[0] if blocker.args else None


def scan(qtbot: QtBot, window: DoorsWindow, text: str, method: str = "scan") -> ScanResult:
    result = answer(qtbot, window, lambda: window.handle_code(text, method))
    assert isinstance(result, ScanResult), result
    return result


def colour_at_centre(window: DoorsWindow) -> QColor:
    image = window.grab().toImage()
    return QColor(image.pixel(image.width() // 2, int(image.height() * 0.03)))


def cell(panel: SearchPanel, row: int, column: int) -> str:
    item = panel.table.item(row, column)
    assert item is not None
    return item.text()


def is_green(colour: QColor) -> bool:
    return colour.green() > 120 and colour.red() < 80


def is_amber(colour: QColor) -> bool:
    return colour.red() > 200 and 130 < colour.green() < 200 and colour.blue() < 60


def is_red(colour: QColor) -> bool:
    return colour.red() > 170 and colour.green() < 80


def test_scan_admits_then_amber_then_fades_back(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person], monotonic: FakeMonotonic
) -> None:
    result = scan(qtbot, window, small_hall_people[0].code)
    assert result.verdict is Verdict.ADMITTED
    assert window.overlay.showing and window.overlay.card is not None
    assert window.overlay.card.name == "陳大文"
    assert is_green(colour_at_centre(window))
    qtbot.waitUntil(lambda: window.in_tile.value.text() == "1", timeout=1000)  # just after
    monotonic.now += 2.5  # later than a double read of the scanner
    again = scan(qtbot, window, small_hall_people[0].code)
    assert again.verdict is Verdict.ALREADY_CHECKED_IN
    assert window.overlay.card.detail_zh.startswith("已於 ")  # replaces the green at once
    assert is_amber(colour_at_centre(window))
    assert window.context.sounds.played == ["admitted", "already"]
    qtbot.waitUntil(lambda: not window.overlay.isVisible(), timeout=3000)  # ready within ~2 s


@pytest.mark.parametrize(
    "kind", ["garbage", "foreign", "unknown"], ids=["invalid", "other-event", "unknown"]
)
def test_refusals_are_red(qtbot: QtBot, window: DoorsWindow, kind: str) -> None:
    text = {
        "garbage": "hello",
        "foreign": TicketCodec(b"q" * 32).issue(1),
        "unknown": TicketCodec(window.context.repo._codec._secret_key).issue(4000),  # type: ignore[attr-defined]
    }[kind]
    result = scan(qtbot, window, text)
    assert result.verdict.tone.value == "stop"
    assert is_red(colour_at_centre(window))
    assert window.context.sounds.played == ["refused"]


def test_scanner_burst_into_any_focused_widget_is_a_scan(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person]
) -> None:
    from kiosk.ui.doors.scanner_capture import ScannerCapture

    capture = ScannerCapture(window)
    capture.scanned.connect(lambda text: window.handle_code(text, "scan"))
    capture.install(QApplication.instance())  # type: ignore[arg-type]
    try:
        window.focus_search()
        target = window.search_panel.query
        qtbot.keyClicks(target, small_hall_people[1].code)
        with qtbot.waitSignal(window.answered, timeout=5000):
            qtbot.keyClick(target, Qt.Key.Key_Return)
        assert window.last_result is not None
        assert window.last_result.name == "李小龍"
        assert target.text() == ""  # nothing leaked into the search box
        # a person typing slowly still types into the box
        qtbot.keyClicks(target, "Wong", delay=150)
        qtbot.wait(150)
        assert target.text() == "Wong"
    finally:
        capture.uninstall()


def test_walk_in_from_the_window(qtbot: QtBot, window: DoorsWindow) -> None:
    window.focus_walk_in()
    panel = window.walk_in_panel
    panel.name.setText("周潤發")
    panel.email.setText("bad-address")
    answer(qtbot, window, panel.register_button.click)
    assert "not an e-mail" in panel.feedback.text()
    panel.email.setText("chow@example.com")
    answer(qtbot, window, panel.register_button.click)
    assert window.last_result is not None and window.last_result.method == "walk-in"
    assert window.last_result.verdict is Verdict.ADMITTED
    assert panel.name.text() == ""
    qtbot.waitUntil(lambda: window.in_tile.value.text() == "1", timeout=1000)
    assert window.registered_tile.value.text() == "6"  # a walk-in is not "registered"


def test_search_shows_masked_emails_and_admits_by_hand(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person]
) -> None:
    panel = window.search_panel
    panel.query.setText("wong")
    panel.run_search()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10000)  # searched on the reader
    assert panel.table.rowCount() == 1
    assert cell(panel, 0, 2) == "m•••@e•••.org"
    assert "meiling" not in cell(panel, 0, 2)
    assert cell(panel, 0, 1) == "01/11 18:00 · —"  # registered (Hong Kong time) · no phone
    assert panel.admit_button.isEnabled()
    answer(qtbot, window, panel.admit_button.click)
    assert window.last_result is not None and window.last_result.method == "manual"
    qtbot.waitUntil(lambda: not panel.admit_button.isEnabled(), timeout=1000)  # now in
    assert "已入場" in cell(panel, 0, STATUS_COLUMN)


def test_undo_and_other_stations_appear_by_polling(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person], tmp_path: Path
) -> None:
    scan(qtbot, window, small_hall_people[0].code)
    answer(qtbot, window, window.undo_last)
    window.refresh_all()
    assert "Undone" in window.status_line.text() and window.in_tile.value.text() == "0"
    other = repository(EventFolder(tmp_path / "event"), capacity=8)
    other.scan(small_hall_people[2].code, "Door 2", "scan", dt.datetime.now(dt.UTC))
    window.poll()  # counted on the reader thread, shown when done
    qtbot.waitUntil(lambda: window.in_tile.value.text() == "1", timeout=3000)
    assert sum(count for _, count in window.chart.slots) == 1


def test_the_figures_are_polled_only_while_the_window_is_on_screen(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person], tmp_path: Path
) -> None:
    """Another door's admission: not asked for while the window is hidden (a station showing
    its voting screen), asked for on the reader once it is back."""
    qtbot.waitUntil(lambda: window.in_tile.value.text() == "0")  # the first count, on the reader
    other = repository(EventFolder(tmp_path / "event"), capacity=8)
    other.scan(small_hall_people[3].code, "Door 2", "scan", dt.datetime.now(dt.UTC))
    reader = window.context.reader
    assert reader is not None
    window.hide()
    window.poll()
    assert reader.pending == 0
    window.show()
    window.poll()
    qtbot.waitUntil(lambda: window.in_tile.value.text() == "1", timeout=3000)


def test_full_house_stops_walk_ins(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person]
) -> None:
    for n in range(3):  # capacity 8: three walk-ins and five of the six registered get in
        answer(qtbot, window, partial(window.register_walk_in, f"Walk {n}", "", ""))
    for person in small_hall_people:
        scan(qtbot, window, person.code)
    window.refresh_all()
    assert window.figures is not None and window.figures.places_left == 0
    assert not window.walk_in_panel.register_button.isEnabled()
    assert window.last_result is not None
    assert window.last_result.verdict is Verdict.CAPACITY_REACHED
    assert is_red(colour_at_centre(window))


def test_one_window_per_station_name(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "ev")
    first = folder.station_lock("Door 1")
    first.acquire()
    try:
        from kiosk.store.errors import EventLockedError

        with pytest.raises(EventLockedError):
            folder.station_lock("door 1").acquire()
        folder.station_lock("Door 2").acquire()  # another door is fine
    finally:
        first.release()


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1080p", "768p"])
def test_screenshots(
    qtbot: QtBot,
    window: DoorsWindow,
    small_hall_people: list[Person],
    monotonic: FakeMonotonic,
    size,
) -> None:
    """Rendered for a person to look at: build/screenshots/doors-*.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window.resize(*size)
    window.search_panel.query.setText("Ch")
    window.search_panel.run_search()
    qtbot.waitUntil(lambda: not window.search_panel.busy, timeout=10000)
    label = f"{size[0]}x{size[1]}"
    scan(qtbot, window, small_hall_people[3].code)
    window.overlay.dismiss()
    window.refresh_all()
    shots: dict[str, QImage] = {"ready": window.grab().toImage()}
    scan(qtbot, window, small_hall_people[0].code)
    shots["green"] = window.grab().toImage()
    monotonic.now += 3
    scan(qtbot, window, small_hall_people[0].code)
    shots["amber"] = window.grab().toImage()
    scan(qtbot, window, "AIFF-00000-0000000000000000")
    shots["red"] = window.grab().toImage()
    for name, image in shots.items():
        assert image.width() == size[0]
        image.save(str(SCREENSHOTS / f"doors-{label}-{name}.png"))
    assert is_green(QColor(shots["green"].pixel(size[0] // 2, 20)))
    assert is_amber(QColor(shots["amber"].pixel(size[0] // 2, 20)))
    assert is_red(QColor(shots["red"].pixel(size[0] // 2, 20)))


def test_same_code_twice_at_once_is_one_scan_and_the_green_stays(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person], monotonic: FakeMonotonic
) -> None:
    first = scan(qtbot, window, small_hall_people[1].code)
    assert first.verdict is Verdict.ADMITTED
    monotonic.now += 0.25  # the scanner read the ticket again
    window.handle_code(small_hall_people[1].code.lower(), "scan")
    qtbot.wait(300)
    assert window.last_result is first
    assert is_green(colour_at_centre(window))
    assert window.context.sounds.played == ["admitted"]
    monotonic.now += 2.5  # much later: a real second scan, amber
    assert scan(qtbot, window, small_hall_people[1].code).verdict is Verdict.ALREADY_CHECKED_IN


def test_ctrl_z_in_a_text_box_undoes_the_typing_and_undo_asks_naming_who(
    qtbot: QtBot,
    window: DoorsWindow,
    small_hall_people: list[Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+Z in the code box undid the last admission at once (issue #23 item 2): now it
    undoes the typing; the Undo button names who and asks once; "Undone" goes at the next
    admission."""
    asked: list[str] = []
    answers = [False, True]

    def confirm(_parent: object, question: str) -> bool:
        asked.append(question)
        return answers.pop(0)

    monkeypatch.setattr(doors_window_module, "confirm_undo", confirm)
    scan(qtbot, window, small_hall_people[2].code)
    assert window.undo_button.text().startswith("Undo: 黃美玲 (")
    window.code_entry.setFocus()
    qtbot.keyClicks(window.code_entry, "typed")
    qtbot.keyClick(window.code_entry, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(200)
    assert window.code_entry.text() != "typed"  # the typing was undone
    assert asked == [] and "Undone" not in window.status_line.text()

    window.undo_button.click()  # asked, cancelled: still admitted
    assert len(asked) == 1 and asked[0].startswith("Un-admit 黃美玲 (admitted ")
    assert "撤銷 黃美玲" in asked[0]
    qtbot.wait(200)
    assert "Undone" not in window.status_line.text()
    with qtbot.waitSignal(window.answered, timeout=5000) as blocker:
        window.undo_button.click()  # asked again, confirmed
    assert blocker.args[0].name == "黃美玲"
    assert "Undone" in window.status_line.text()
    assert not window.undo_button.text().startswith("Undo: 黃美玲")
    scan(qtbot, window, small_hall_people[3].code)
    assert "Undone" not in window.status_line.text()  # old news once someone else comes in


def test_names_are_shown_as_text_not_markup(
    qtbot: QtBot, window: DoorsWindow, small_hall_people: list[Person]
) -> None:
    hostile = '<img width=2000 src="x"><b>Mallory</b>'
    result = answer(qtbot, window, lambda: window.register_walk_in(hostile, "", ""))
    assert isinstance(result, ScanResult)
    undone = answer(qtbot, window, window.undo_last)
    assert undone is not None
    for label in (window.status_line, window.walk_in_panel.feedback):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>Mallory</b>" in window.status_line.text()
    assert window.undo_button.isVisible()
    assert window.status_line.sizeHint().width() < 2000


def test_console_labels_are_plain_unless_asked(qtbot: QtBot) -> None:
    from kiosk.ui.common.theme import text_label

    make_application()
    label = text_label('<img width=2000 src="x">Mallory')
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.sizeHint().width() < 1000  # the tag is shown as text, not a 2000 px image
    assert text_label("<b>3</b>", rich=True).textFormat() == Qt.TextFormat.RichText
