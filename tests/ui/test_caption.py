"""Subtitles like a cinema's: size from the picture height, wrapped, never shrunk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.stage.caption import (
    MAX_WIDTH,
    NO_BREAK_AFTER,
    NO_BREAK_BEFORE,
    TEXT_HEIGHT,
    CaptionBox,
    wrap_lines,
)

SIZES = [QSize(1920, 1080), QSize(1366, 768)]
LONG_EN = (
    "I never told you this, but the night we left the harbour I kept the lantern burning "
    "until the very last boat had come home safely to the pier."
)
LONG_ZH = (
    "我從來沒有告訴過你，那天晚上我們離開海港的時候，我一直讓燈籠亮著，"
    "直到最後一艘船平安回到碼頭。「你還記得嗎？」她問。"
)


@pytest.fixture
def box(qtbot: QtBot) -> Iterator[CaptionBox]:
    parent = QWidget()
    qtbot.addWidget(parent)
    yield CaptionBox(parent)
    parent.close()


@pytest.mark.parametrize("stage", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_two_lines_are_as_large_as_one_and_at_least_the_cinema_size(
    box: CaptionBox, stage: QSize
) -> None:
    box.set_text("One line.", stage)
    one = box._font.pixelSize()
    box.set_text("第一行字幕\nThe second line of the cue", stage)
    assert box.lines == ["第一行字幕", "The second line of the cue"]
    assert box._font.pixelSize() == one >= round(stage.height() * TEXT_HEIGHT)
    assert box.height() >= 2 * one


@pytest.mark.parametrize("stage", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
@pytest.mark.parametrize("text", [LONG_EN, LONG_ZH, LONG_ZH + " " + LONG_EN])
def test_long_lines_wrap_at_word_or_cjk_boundaries_never_shrink(
    box: CaptionBox, stage: QSize, text: str
) -> None:
    box.set_text(text, stage)
    assert box._font.pixelSize() == round(stage.height() * TEXT_HEIGHT)
    metrics = QFontMetricsF(box._font)
    assert len(box.lines) >= 2
    for line in box.lines:
        assert metrics.horizontalAdvance(line) <= stage.width() * MAX_WIDTH + 0.5
        assert line[0] not in NO_BREAK_BEFORE and line[-1] not in NO_BREAK_AFTER
    words = [w for line in box.lines for w in line.split(" ") if w]
    assert " ".join(words).replace(" ", "") == text.replace(" ", "")  # nothing lost
    english = set(LONG_EN.split(" "))
    for line in box.lines:  # no English word is cut in two
        for word in line.split(" "):
            if word.isascii() and word:
                assert word in english, word


def test_wrap_keeps_closing_marks_with_the_character_before() -> None:
    lines = wrap_lines("甲乙丙，丁戊。", lambda s: 10.0 * len(s), 35.0)
    assert lines == ["甲乙", "丙，丁", "戊。"]  # never a line that starts with 。or ，


def test_the_text_fades_with_the_picture(box: CaptionBox) -> None:
    box.set_text("字幕 Subtitle", QSize(1920, 1080))
    box.set_level(0.25)
    image = box.grab().toImage()
    brightest = max(
        image.pixelColor(x, y).lightness()
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
    )
    assert 40 <= brightest <= 80  # a quarter of white, as the picture under it
    box.set_level(1.0)
    image = box.grab().toImage()
    brightest = max(
        image.pixelColor(x, y).lightness()
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
    )
    assert brightest > 240
