"""Child process of the winner-animation benchmark: a real StageWindow on the Xvfb display.

Usage: `python -c "from tests.bench.winner_animation_child import main; main()" EVENT_DIR RUNS`.
Puts the "and the award goes to" card up, then plays the winner card's entrance RUNS times,
recording the time of every `frame_shown`; prints one JSON object per run on stdout:
`{"run": n, "latency_ms": ..., "frames": [t0, t1, ...]}` (times in ms from the GO).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.core.awards import CategoryResult, JuryResults, StepKind, build_plan
from kiosk.media.stills import StillProvider, cache_dir_for
from kiosk.render.reveal_cards import card_for_step
from kiosk.store.event_folder import EventFolder
from kiosk.ui.stage.window import StageWindow


def wait(ms: int) -> None:
    """Run the event loop for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    """Play the winner card's entrance several times and print the frame times."""
    app = QApplication(sys.argv[:1])
    folder = EventFolder(Path(sys.argv[1]))
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    config = folder.load_config()
    programme = folder.load_programme(config)
    films = programme.films
    results = JuryResults(
        tuple(
            CategoryResult(
                award.id,
                films[4 * n + 2].id,
                tuple(films[4 * n + k].id for k in range(4)),
                citation_en="For a dream of maps that redraws what cinema can imagine.",
                citation_zh="以地圖之夢，重新描繪電影的想像。",
            )
            for n, award in enumerate(config.awards)
        )
    )
    stills = StillProvider(cache_dir_for(folder.root))
    stills.prepare_all(programme)
    plan = build_plan(config.awards, results)
    winner_step = next(s for s in plan if s.kind is StepKind.WINNER)
    envelope_step = next(s for s in plan if s.kind is StepKind.ENVELOPE)
    winner = card_for_step(winner_step, config, programme, results, stills)
    envelope = card_for_step(envelope_step, config, programme, results, stills)

    stage = StageWindow(config, programme)
    stage.start()
    wait(1500)  # mapped, fullscreen, settled
    frames: list[float] = []
    stage.frame_shown.connect(lambda: frames.append(time.perf_counter()))
    for run in range(1, runs + 1):
        stage.show_card(envelope, animate=False)
        wait(400)
        frames.clear()
        go = time.perf_counter()
        stage.show_card(winner, animate=True)
        deadline = go + 10
        while (stage.cards.animating or not frames) and time.perf_counter() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        wait(100)
        record = {
            "run": run,
            "size": [stage.width(), stage.height()],
            "latency_ms": (frames[0] - go) * 1000 if frames else None,
            "frames": [(t - go) * 1000 for t in frames],
        }
        print(json.dumps(record), flush=True)
    stage.close()
    app.quit()


if __name__ == "__main__":
    main()
