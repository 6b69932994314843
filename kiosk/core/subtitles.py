"""SRT subtitles: a strict-enough parser that says exactly where a file is broken."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIMING = re.compile(
    r"^(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})"
)


@dataclass(frozen=True)
class SubtitleCue:
    """One subtitle on screen from `start_s` to `end_s`."""

    index: int
    start_s: float
    end_s: float
    text: str


class SubtitleError(ValueError):
    """An SRT file that cannot be shown, with the line where it goes wrong."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}")


def decode_subtitle_bytes(data: bytes) -> str:
    """Decode an SRT file: UTF-8 (with or without BOM), UTF-16 with BOM, else Big5/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "big5hkscs", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SubtitleError(1, "is not text in UTF-8, UTF-16, Big5 or GB18030")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_srt(text: str) -> list[SubtitleCue]:
    """Parse SRT text into cues; SubtitleError names the first broken line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[SubtitleCue] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        number_line = i + 1
        if not lines[i].strip().isdigit():
            raise SubtitleError(number_line, f"expected a cue number, found {lines[i][:40]!r}")
        index = int(lines[i].strip())
        i += 1
        if i >= len(lines):
            raise SubtitleError(number_line, f"cue {index} has no timing line")
        match = _TIMING.match(lines[i].strip())
        if not match:
            raise SubtitleError(
                i + 1, f"expected 'hh:mm:ss,mmm --> hh:mm:ss,mmm', found {lines[i][:40]!r}"
            )
        g = match.groups()
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        if end <= start:
            raise SubtitleError(i + 1, f"cue {index} ends before it starts")
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i].rstrip())
            i += 1
        cues.append(SubtitleCue(index, start, end, "\n".join(body)))
    if not cues:
        raise SubtitleError(1, "contains no subtitles")
    return cues
