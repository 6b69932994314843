"""Benchmark: from a state change to the host's stage display showing it (headless chromium).

`make bench` prints the median and the worst of 30 changes published to a real StageDisplay
(the console publishes on its 100 ms state tick, which comes on top: see test_remote_console
for OSC -> console -> tablet end to end).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from kiosk.remote.stage_display import StageDisplay
from tests.browser import requires_chromium, tablet

CHANGES = 30
TOKEN = "bench-token-0123456789"


@requires_chromium
def test_stage_display_update_latency(tmp_path: Path) -> None:
    display = StageDisplay(TOKEN, lambda host: True, host="127.0.0.1", port=0)
    display.start()
    try:
        display.publish({"mode": "show", "on_now": "Holding slide · 等候畫面", "next": ""})
        with tablet(tmp_path) as browser:
            browser.get(f"http://127.0.0.1:{display.port}/stage?t={TOKEN}")
            lags = []
            for change in range(CHANGES):
                seen = browser.execute_script("return window.stageUpdates.length")
                published = time.time() * 1000
                display.publish({"mode": "show", "on_now": f"change {change}", "next": ""})
                deadline = time.monotonic() + 5
                while browser.execute_script("return window.stageUpdates.length") == seen:
                    assert time.monotonic() < deadline, "the page never showed the change"
                    time.sleep(0.005)
                shown = browser.execute_script(f"return window.stageUpdates[{seen}].at")
                lags.append(float(shown) - published)
                time.sleep(0.05)
    finally:
        display.stop()
    print(
        f"\nstage display: publish -> page updated, median {statistics.median(lags):.1f} ms, "
        f"max {max(lags):.1f} ms over {CHANGES} changes"
    )
