"""Verdict cards (issue #23 item 12): the big ✔ ! ✖ marks at the sides are whole, never cut at
the window's edge, at laptop, projector and 4:3 sizes; a red verdict says what the usher does
next, in both languages, from a real scan of the door's repository."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.checkin import NEXT_STEPS, Tone, Verdict
from kiosk.ui.app import make_application
from kiosk.ui.doors.verdict_view import TONE_COLOURS, VerdictCard, VerdictOverlay
from kiosk.ui.doors.window import card_for
from tests.doors_helpers import make_event, repository, seed_people

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def painted(qtbot: QtBot, size: tuple[int, int], card: VerdictCard) -> QImage:
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(*size)
    overlay = VerdictOverlay(host)
    overlay.resize(*size)
    overlay.show_card(card, hold_ms=60_000)
    return overlay.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def differs_from(image: QImage, x: int, background: QColor) -> int:
    """Pixels of column `x` that are not the card's background."""
    return sum(1 for y in range(image.height()) if image.pixelColor(x, y) != background)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080), (1024, 768)])
def test_the_side_marks_are_whole(qtbot: QtBot, size: tuple[int, int]) -> None:
    make_application()
    for tone in Tone:
        image = painted(qtbot, size, VerdictCard(tone, "Headline", "標題"))
        background = TONE_COLOURS[tone][0]
        width = image.width()
        assert differs_from(image, 0, background) == 0, (tone, "cut at the left edge")
        assert differs_from(image, width - 1, background) == 0, (tone, "cut at the right edge")
        strip = int(width * 0.14)
        inked = sum(differs_from(image, x, background) for x in range(2, strip, 4))
        assert inked > 200, (tone, "no mark in the left strip")


def test_red_verdicts_say_what_to_do_next(qtbot: QtBot, tmp_path: Path) -> None:
    make_application()
    folder = make_event(tmp_path / "event", capacity=10)
    seed_people(folder)
    doors = repository(folder)
    try:
        result = doors.scan("NOT-A-TICKET", "Door 1", "scan", dt.datetime.now(dt.UTC))
    finally:
        doors.close()
    assert result.verdict is Verdict.INVALID_CODE
    card = card_for(result)
    assert card.next_step_en == "Find them by name, or send them to the help desk"
    assert card.next_step_zh == "請以姓名查找，或請對方到服務台"
    assert all(verdict.tone is Tone.STOP for verdict in NEXT_STEPS)
    assert {v for v in Verdict if v.tone is Tone.STOP} <= set(NEXT_STEPS)
    with_step = painted(qtbot, (1366, 768), card)
    without = painted(
        qtbot, (1366, 768), VerdictCard(**{**card.__dict__, "next_step_en": "", "next_step_zh": ""})
    )
    changed = sum(
        1
        for y in range(0, 768, 2)
        for x in range(0, 1366, 4)
        if with_step.pixelColor(x, y) != without.pixelColor(x, y)
    )
    assert changed > 300  # the two lines are drawn on the card
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with_step.save(str(SCREENSHOTS / "doors-red-next-step.png"))


def inked_rows(image: QImage, other: QImage) -> set[int]:
    """Rows where the two paintings differ between the side marks' strips."""
    width, height = image.width(), image.height()
    one = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    two = np.frombuffer(other.constBits(), np.uint8).reshape(height, other.bytesPerLine())
    left, right = int(width * 0.14) * 4, int(width * 0.86) * 4
    return set(np.flatnonzero((one[:, left:right] != two[:, left:right]).any(axis=1)).tolist())


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080), (1024, 768)])
def test_an_offline_red_verdict_keeps_its_badge_clear_and_fits(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    """The OFFLINE badge across the top never covers the headline, and a long red verdict
    (a code, two lines of detail, what to do next) is whole on a 4:3 door laptop too; no
    name leaves no hole in the middle of the card."""
    make_application()
    badge = "OFFLINE · 離線 — from this station's list / 按本站名單判斷"
    card = VerdictCard(
        Tone.STOP,
        "Ticket not found",
        "找不到門票",
        "",
        "AIFF-XXXX-1234",
        "This code is not on this station's list. It may be a ticket issued after the list "
        "was downloaded.",
        "此代碼不在本站名單上。",
        badge,
        "Find them by name, or send them to the help desk",
        "請以姓名查找，或請對方到服務台",
    )
    whole = painted(qtbot, size, card)
    badge_only = painted(qtbot, size, VerdictCard(Tone.STOP, "", "", badge=badge))
    blank = painted(qtbot, size, VerdictCard(Tone.STOP, "", ""))
    badge_rows = inked_rows(badge_only, blank)
    text_rows = inked_rows(whole, badge_only)
    assert badge_rows and text_rows
    assert min(text_rows) > max(badge_rows), "text painted under the badge"
    assert max(text_rows) < size[1] - 2, "the last line is cut at the bottom"
    gaps = sorted(text_rows)
    widest_gap = max(b - a for a, b in itertools.pairwise(gaps))
    assert widest_gap < size[1] * 0.1, f"a hole of {widest_gap} px in the card"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    whole.save(str(SCREENSHOTS / f"doors-offline-red-{size[0]}x{size[1]}.png"))
