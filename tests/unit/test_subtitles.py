"""SRT parsing."""

from __future__ import annotations

import pytest

from kiosk.core.subtitles import SubtitleError, decode_subtitle_bytes, parse_srt

GOOD = (
    "1\n00:00:01,000 --> 00:00:02,500\nHello\n兩行字幕\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n"
)


def test_parses_cues_with_cjk_text() -> None:
    cues = parse_srt(GOOD)
    assert [(c.index, c.start_s, c.end_s) for c in cues] == [(1, 1.0, 2.5), (2, 3.0, 4.0)]
    assert cues[0].text == "Hello\n兩行字幕"


def test_windows_line_endings_and_bom() -> None:
    data = ("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8")
    assert len(parse_srt(decode_subtitle_bytes(data))) == 2


def test_big5_subtitles_decode() -> None:
    assert "兩行字幕" in decode_subtitle_bytes(GOOD.encode("big5hkscs"))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("1\n00:00:01,000 -> 00:00:02,000\nHi\n", 2),
        ("one\n00:00:01,000 --> 00:00:02,000\nHi\n", 1),
        ("1\n00:00:03,000 --> 00:00:02,000\nHi\n", 2),
        ("", 1),
    ],
)
def test_broken_files_name_the_line(text: str, line: int) -> None:
    with pytest.raises(SubtitleError) as caught:
        parse_srt(text)
    assert caught.value.line == line
