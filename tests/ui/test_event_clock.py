"""The event's clock, not the laptop's: a console on a laptop set to Los Angeles time shows the
show's projected end, the log panel's times and the log file's times on Hong Kong time."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console

pytestmark = [pytest.mark.vlc, pytest.mark.slow]
HK = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture
def laptop_in_los_angeles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def close_to(shown: str, expected: dt.datetime) -> bool:
    candidates = {(expected + dt.timedelta(minutes=m)).strftime("%H:%M") for m in (-1, 0, 1)}
    return shown in candidates


def test_console_clock_and_log_panel_use_the_event_zone(
    qtbot: QtBot, small_event: EventFolder, laptop_in_los_angeles: None
) -> None:
    assert time.strftime("%Z") in ("PST", "PDT")  # the laptop really is elsewhere
    make_application()
    window, _reporter = open_console(small_event)
    qtbot.addWidget(window)
    window.show()
    try:
        panel = window.show_panel
        assert panel is not None
        panel.refresh()
        text = panel.show_clock.text()
        ends = re.search(r"ends <b[^>]*>(\d\d:\d\d)</b>", text)
        assert ends is not None, text
        remaining = re.search(r"remaining <b>(\d+):(\d\d)(?::(\d\d))?</b>", text)
        assert remaining is not None, text
        parts = [int(p) for p in remaining.groups() if p is not None]
        seconds = (
            parts[0] * 3600 + parts[1] * 60 + parts[2]
            if len(parts) == 3
            else (parts[0] * 60 + parts[1])
        )
        expected = dt.datetime.now(HK) + dt.timedelta(seconds=seconds)
        assert close_to(ends.group(1), expected), (text, expected)
        stamps: list[str] = []
        window.messages.posted.connect(lambda _level, at, _text: stamps.append(at))
        window.messages.info("clock check")
        assert stamps and close_to(stamps[0][:5], dt.datetime.now(HK))
    finally:
        window.close()
