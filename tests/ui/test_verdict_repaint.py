"""A verdict painted over the previous one (only its lines of text repainted) must look exactly
like the same verdict painted on a fresh screen: read back from the window's backing store."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.checkin import Tone
from kiosk.ui.app import make_application
from kiosk.ui.doors.verdict_view import VerdictCard, VerdictOverlay

FIRST = VerdictCard(Tone.GO, "Welcome", "歡迎入場", name="陳大文", name_latin="Chan Tai Man")
LONGER = VerdictCard(
    Tone.GO,
    "Welcome",
    "歡迎入場",
    name="司徒歐陽慧琳",
    name_latin="Szeto Au-Yeung Wai Lam",
    detail_en="Walk-in registered at the door",
    detail_zh="現場登記",
)
AMBER = VerdictCard(
    Tone.CAUTION,
    "Already checked in",
    "已經入場",
    name="李小龍",
    detail_en="Already checked in at 19:02 at Door 1",
    detail_zh="已於 19:02 在 1 號門入場",
)
OFFLINE = VerdictCard(Tone.GO, "Welcome", "歡迎入場", name="王", badge="OFFLINE · 離線")


def on_screen(qtbot: QtBot, overlay: VerdictOverlay, card: VerdictCard) -> QImage:
    painted: list[bool] = []
    overlay.painted.connect(lambda: painted.append(True))
    overlay.show_card(card)
    qtbot.waitUntil(lambda: bool(painted), timeout=2000)
    qtbot.wait(20)
    window = overlay.window()
    screen = window.screen()
    return screen.grabWindow(window.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)


def strongly_different_pixels(first: QImage, second: QImage) -> int:
    """Pixels (of every other row and column) whose colour differs by more than a shade.

    Not an exact comparison: Qt draws large text a shade differently at its edges depending on
    what it drew before (whatever the widget does), so exact equality is not a property of
    the screen; text left over from the previous verdict, or a missing background, differs by
    far more than a shade over thousands of pixels.
    """
    assert first.size() == second.size()
    count = 0
    for y in range(0, first.height(), 2):
        for x in range(0, first.width(), 2):
            a, b = first.pixelColor(x, y), second.pixelColor(x, y)
            if (
                max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue()))
                > 96
            ):
                count += 1
    return count


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_a_verdict_over_the_previous_one_looks_like_a_fresh_one(qtbot: QtBot) -> None:
    make_application()
    sequences = [(FIRST, LONGER), (LONGER, FIRST), (FIRST, AMBER), (LONGER, OFFLINE)]
    # every card once first: Qt's first drawing of a font at a new size can differ from later
    # ones by a shade at the edges of the large text, whoever draws it
    warm_host = QWidget()
    qtbot.addWidget(warm_host)
    warm_host.resize(1366, 768)
    warm_host.show()
    qtbot.waitExposed(warm_host)
    for card in (FIRST, LONGER, AMBER, OFFLINE):
        on_screen(qtbot, VerdictOverlay(warm_host), card)
    for before, after in sequences:
        fresh_host = QWidget()
        qtbot.addWidget(fresh_host)
        fresh_host.resize(1366, 768)
        fresh_host.show()
        qtbot.waitExposed(fresh_host)
        fresh = on_screen(qtbot, VerdictOverlay(fresh_host), after)

        host = QWidget()
        qtbot.addWidget(host)
        host.resize(1366, 768)
        host.show()
        qtbot.waitExposed(host)
        overlay = VerdictOverlay(host)
        on_screen(qtbot, overlay, before)
        over = on_screen(qtbot, overlay, after)
        strong = strongly_different_pixels(over, fresh)
        assert strong < 50, f"{before.name} then {after.name}: {strong} pixels differ"
        host.close()
        fresh_host.close()
