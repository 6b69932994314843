"""The stall log: the worst of the last minutes, and which stalls are logged or incidents."""

from __future__ import annotations

from kiosk.core.stalls import Stall, StallLog, status_text


def test_the_worst_of_the_window_and_nothing_older() -> None:
    stalls = StallLog(window_s=60.0)
    stalls.record(100.0, 3.0)
    stalls.record(100.5, 180.0)
    stalls.record(130.0, 40.0)
    assert stalls.worst(130.0) == 180.0
    assert stalls.worst(160.9) == 180.0  # second 100 is still within 60 s of 160.9
    assert stalls.worst(161.5) == 40.0  # the 180 ms of second 100 has left the window
    assert stalls.worst(1000.0) == 0.0


def test_thresholds_and_words() -> None:
    stalls = StallLog()
    assert not stalls.should_log(50.0) and stalls.should_log(50.1)
    assert not stalls.is_incident(100.0) and stalls.is_incident(100.1)
    stall = Stall(230.4, "report_view.py:301 export")
    assert stall.describe() == "GUI thread held 230 ms by report_view.py:301 export"
    assert stall.journal_data() == {"ms": 230.4, "handler": "report_view.py:301 export"}
    assert status_text(12.4) == "GUI worst 12 ms / 5 min"
