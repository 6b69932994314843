"""Keyboard-wedge capture: simulated scanner bursts, input-method commits and people typing."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.core.scanner_layouts import US_KEYCODES
from kiosk.core.tickets import TicketCodec, normalise_scanned
from kiosk.ui.app import make_application
from kiosk.ui.doors.scanner_capture import ScannerCapture

# Not `serial`: the keys are synthetic and sent at once; the gaps the tests need are waited
# for (max_gap_s x 2-3). 5 runs of 5 passed with two busy loops on a machine at load 17.

CODE = TicketCodec(b"s" * 32).issue(1234, 1)
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


class Form(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.line = QLineEdit()
        self.notes = QPlainTextEdit()
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.button = QPushButton("Undo")
        self.clicks = 0
        self.button.clicked.connect(self._clicked)
        self.returns: list[str] = []
        self.line.returnPressed.connect(lambda: self.returns.append(self.line.text()))
        layout = QVBoxLayout(self)
        for widget in (self.line, self.notes, self.combo, self.button):
            layout.addWidget(widget)

    def _clicked(self) -> None:
        self.clicks += 1


@pytest.fixture
def form(qtbot: QtBot) -> Form:
    make_application()
    widget = Form()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def capture(form: Form) -> Iterator[tuple[ScannerCapture, list[str]]]:
    scanner = ScannerCapture(form)
    seen: list[str] = []
    scanner.scanned.connect(seen.append)
    app = QApplication.instance()
    assert app is not None
    scanner.install(app)
    yield scanner, seen
    scanner.uninstall()


def targets(form: Form) -> list[QWidget]:
    combo_line = form.combo.lineEdit()
    assert combo_line is not None
    return [form.line, form.notes, combo_line, form.button, form]


@pytest.mark.parametrize("seed", range(5))
def test_a_burst_ending_in_enter_is_captured_whatever_has_focus(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]], seed: int
) -> None:
    _scanner, seen = capture
    target = random.Random(seed).choice(targets(form))
    target.setFocus()
    qtbot.keyClicks(target, CODE)
    qtbot.keyClick(target, Qt.Key.Key_Return)
    assert seen == [CODE]
    assert form.line.text() == "" and form.notes.toPlainText() == ""
    assert form.combo.currentText() == ""
    assert form.clicks == 0 and form.returns == []  # Enter pressed nothing


def test_lower_case_and_keypad_enter(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    _scanner, seen = capture
    qtbot.keyClicks(form.notes, CODE.lower())
    qtbot.keyClick(form.notes, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert [normalise_scanned(text) for text in seen] == [CODE]
    assert form.notes.toPlainText() == ""


def test_input_method_commit_strings_in_full_width(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """A Chinese input method left on: each key arrives as a full-width commit string."""
    _scanner, seen = capture
    form.line.setFocus()
    for character in CODE.translate(FULL_WIDTH):
        event = QInputMethodEvent()
        event.setCommitString(character)
        QApplication.sendEvent(form.line, event)
    qtbot.keyClick(form.line, Qt.Key.Key_Return)
    assert len(seen) == 1 and seen[0] != CODE  # full-width as typed…
    assert normalise_scanned(seen[0]) == CODE  # …read as the code
    assert form.line.text() == "" and form.returns == []


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_people_typing_still_type(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    scanner, seen = capture
    form.line.setFocus()
    slow = int(scanner.max_gap_s * 1000 * 2)
    qtbot.keyClicks(form.line, "Chan Tai", delay=slow)  # QTest types ASCII only
    qtbot.wait(slow)
    assert form.line.text() == "Chan Tai"
    qtbot.keyClick(form.line, Qt.Key.Key_Return)
    assert form.returns == ["Chan Tai"] and seen == []
    # a short fast burst that is not a code: typed through, Enter reaches the field
    form.line.clear()
    qtbot.keyClicks(form.line, "ab")
    qtbot.keyClick(form.line, Qt.Key.Key_Return)
    assert form.line.text() == "ab" and form.returns[-1] == "ab" and seen == []
    # a slow human input method commit is replayed too
    event = QInputMethodEvent()
    event.setCommitString("文")
    QApplication.sendEvent(form.line, event)
    qtbot.waitUntil(lambda: form.line.text() == "ab文", timeout=1000)
    # editing keys pass straight through
    qtbot.keyClick(form.line, Qt.Key.Key_Backspace)
    assert form.line.text() == "ab"


def test_a_long_burst_that_is_not_a_code_is_still_a_scan(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """Someone scanned the wrong barcode: the screen should say so, not type it somewhere."""
    _scanner, seen = capture
    qtbot.keyClicks(form.line, "4006381333931")
    qtbot.keyClick(form.line, Qt.Key.Key_Return)
    assert seen == ["4006381333931"] and form.line.text() == ""


def test_two_scans_back_to_back(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    _scanner, seen = capture
    other = TicketCodec(b"s" * 32).issue(99)
    for code in (CODE, other):
        qtbot.keyClicks(form.button, code)
        qtbot.keyClick(form.button, Qt.Key.Key_Return)
    assert seen == [CODE, other] and form.clicks == 0


def test_shift_and_altgr_presses_do_not_split_a_burst(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """The issue's lost scans: a Shift press before every capital used to end the burst."""
    _scanner, seen = capture
    form.line.setFocus()
    for character in CODE:
        if character.isupper():
            qtbot.keyPress(form.line, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
            qtbot.keyClick(form.line, character, Qt.KeyboardModifier.ShiftModifier)
            qtbot.keyRelease(form.line, Qt.Key.Key_Shift)
        else:
            qtbot.keyPress(form.line, Qt.Key.Key_AltGr)  # a layout needing AltGr: ignored
            qtbot.keyClick(form.line, character)
    qtbot.keyClick(form.line, Qt.Key.Key_Return)
    assert seen == [CODE] and form.line.text() == ""


def test_a_code_cut_by_a_stall_is_kept_back_not_typed(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    scanner, seen = capture
    form.line.setFocus()
    qtbot.keyClicks(form.line, CODE[:9])
    qtbot.wait(int(scanner.max_gap_s * 1000 * 3))  # the GUI or the system hiccups mid-scan
    assert form.line.text() == ""  # "AIFF-0…" is the start of a code: held, not typed
    qtbot.keyClicks(form.line, CODE[9:])
    qtbot.keyClick(form.line, Qt.Key.Key_Return)
    assert seen == [CODE] and form.line.text() == ""
    # a whole code with no Enter at all is still a scan once the burst stops
    qtbot.keyClicks(form.notes, CODE.lower())
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    assert normalise_scanned(seen[1]) == CODE and form.notes.toPlainText() == ""


def test_may_become_code() -> None:
    from kiosk.ui.doors.scanner_capture import may_become_code

    assert may_become_code("AI") and may_become_code("aiff-00") and may_become_code(CODE[:20])
    assert not may_become_code("A") and not may_become_code("Aileen")
    assert not may_become_code("Chan")


def test_a_scan_split_by_a_long_stall_is_taken_back_out_of_the_box(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    scanner, seen = capture
    form.line.setText("Chan ")
    form.line.setFocus()
    qtbot.keyClicks(form.line, CODE[:1])
    qtbot.wait(int(scanner.max_gap_s * 1000 * 2))  # "A" alone: typed through
    assert form.line.text() == "Chan A"
    qtbot.keyClicks(form.line, CODE[1:])
    qtbot.keyClick(form.line, Qt.Key.Key_Return)
    assert seen == [CODE]
    assert form.line.text() == "Chan "  # the leaked "A" is gone again


US_KEY_OF = {character: code for code, character in US_KEYCODES.items()}
# what those US keys type on a French (AZERTY) host: the digit row without Shift, A/Q, Z/W, M
FRENCH_ON = dict(zip("1234567890-QWAZM", "&é\"'(-è_çà)AZQW,", strict=True))


class ScannerKeys:
    """A scanner's key presses as the window system delivers them: each with the keyboard's
    own timestamp (12 ms apart, as a scanner types) and its key code."""

    def __init__(self, target: QObject) -> None:
        self.target = target
        self.stamp_ms = 1_000_000

    def press(self, text: str, key: int, scan_code: int = 0) -> None:
        self.stamp_ms += 12
        event = QKeyEvent(
            QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, scan_code, 0, 0, text
        )
        event.setTimestamp(self.stamp_ms)
        QApplication.sendEvent(self.target, event)

    def types(self, text: str) -> None:
        for character in text:
            self.press(character, ord(character.upper()))

    def us_scanner_on_french_host(self, code: str) -> None:
        """A scanner at its US setting: the US keys of `code`, read by a French layout."""
        for character in code.upper():
            typed = FRENCH_ON.get(character, character)
            self.press(typed, ord(typed.upper()), US_KEY_OF[character])

    def enter(self) -> None:
        self.press("\r", Qt.Key.Key_Return)

    def types_and_enters(self, text: str) -> None:
        self.types(text)
        self.enter()


def test_a_burst_held_up_behind_a_busy_gui_is_not_split(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """The GUI thread is held up mid-scan (a loaded door laptop); the scanner's other keys are
    still queued when the event loop comes back, behind the burst's timer, which is overdue by
    then: the timer must not end the burst before those keys are read."""
    scanner, seen = capture
    form.line.setFocus()
    keys = ScannerKeys(form.line)
    barcode = "4006381333931"  # a long burst that does not look like a code: the short gap
    keys.types(barcode[:6])
    time.sleep(scanner.max_gap_s * 3)  # the GUI thread busy: nothing runs, the timer is due
    rest = QTimer(form)
    rest.setSingleShot(True)
    rest.timeout.connect(lambda: keys.types_and_enters(barcode[6:]))
    rest.start(0)  # the queued keys: due after the burst's timer, as they are on a real laptop
    qtbot.waitUntil(lambda: bool(seen) or form.returns != [], timeout=3000)
    assert seen == [barcode]
    assert form.line.text() == "" and form.returns == []


def test_a_us_scanners_code_on_a_french_host_waits_through_a_stall(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """Typed on a French layout, a US scanner's code starts "QIFF)à&..." — the start of a code
    only through the US key table; it must be held as patiently as a code typed as printed."""
    scanner, seen = capture
    form.line.setFocus()
    keys = ScannerKeys(form.line)
    keys.us_scanner_on_french_host(CODE[:9])
    qtbot.wait(int(scanner.max_gap_s * 1000 * 3))  # a hiccup longer than a gap, mid-scan
    assert form.line.text() == ""  # held back, not typed into the field
    keys.us_scanner_on_french_host(CODE[9:])
    keys.enter()
    assert seen == [CODE] and form.line.text() == ""


def test_a_us_scanners_code_split_on_a_french_host_is_read_whole(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """A stall after the first key: it is typed into the field ("Q", as the French layout
    reads the US "A" key); the rest ends with Enter. The two parts are read together through
    the US key table: one scan of the code, and the "Q" taken back out of the field."""
    _scanner, seen = capture
    form.line.setFocus()
    keys = ScannerKeys(form.line)
    keys.us_scanner_on_french_host(CODE[:1])
    qtbot.waitUntil(lambda: form.line.text() == "Q", timeout=2000)  # one key: typing
    keys.us_scanner_on_french_host(CODE[1:])
    keys.enter()
    assert seen == [CODE] and form.line.text() == ""


def test_keys_caught_at_the_window_are_taken_back_from_the_field_they_typed_into(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """Real key presses reach the application at the window (the X or Wayland window), and
    only then the focused field: a split scan's first keys, typed into the field, must still
    come back out of it when the rest of the burst makes the code."""
    _scanner, seen = capture
    form.line.setText("Chan ")
    form.line.setFocus()
    window = form.windowHandle()
    assert window is not None
    keys = ScannerKeys(window)
    keys.types(CODE[:1])
    qtbot.waitUntil(lambda: form.line.text() == "Chan A", timeout=2000)
    keys.types(CODE[1:])
    keys.enter()
    assert seen == [CODE]
    assert form.line.text() == "Chan "


def test_a_code_let_through_by_two_stalls_is_a_scan_at_its_enter(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """A loaded laptop stamps a scanner's keys late: a pause longer than the patience in the
    middle of the code and another before its Enter. Every key has landed in the field by the
    time Enter comes; Enter makes them a scan, and they come back out of the field."""
    _scanner, seen = capture
    form.line.setFocus()
    window = form.windowHandle()
    assert window is not None
    keys = ScannerKeys(window)
    keys.types(CODE[:20])
    qtbot.waitUntil(lambda: form.line.text() == CODE[:20], timeout=3000)  # patience ran out
    keys.types(CODE[20:])
    keys.stamp_ms += 200  # the Enter stamped 200 ms after the last key: the rest let through
    keys.enter()
    assert seen == [CODE]
    assert form.line.text() == "" and form.returns == []


def test_the_late_enter_of_a_scan_taken_without_it_presses_nothing(
    qtbot: QtBot, form: Form, capture: tuple[ScannerCapture, list[str]]
) -> None:
    """A whole code is a scan once its burst stops; when its Enter then comes late (a busy
    laptop), that Enter must not reach the field (or press the button) that has the focus."""
    _scanner, seen = capture
    form.line.setFocus()
    window = form.windowHandle()
    assert window is not None
    keys = ScannerKeys(window)
    keys.types(CODE)
    qtbot.waitUntil(lambda: seen == [CODE], timeout=3000)  # taken when the burst stopped
    keys.enter()
    assert form.returns == [] and seen == [CODE] and form.line.text() == ""
    keys.enter()  # a second Enter is a person's: it reaches the field
    assert form.returns == [""]
