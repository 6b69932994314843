"""The console on a real X display beside a projector monitor, driven over stdin lines, saying
what its Show and Viewer's vote tabs claim the projector shows (for test_projector_truth).

    stdin "press NAME"   -> the console command NAME as its key would (go, difficulties…)
    stdin "vote open"    -> the Viewer's vote tab's Open button (which puts the slide up once
                            the opening is committed: DONE then)
    stdin "vote slide"   -> the voting-slide button clicked (on/off)
    stdin "facts"        -> "FACTS {json}": the badge, the current run-order row's state, the
                            slide button's on/off and text, after a refresh
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.vote_panel import VotePanel


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread."""

    line = Signal(str)


def main() -> int:
    folder = EventFolder(Path(sys.argv[1]))
    app = make_application()
    window, _reporter = open_console(folder)
    panel = window.show_panel
    assert panel is not None
    vote = window.findChildren(VotePanel)[0]

    def facts() -> dict[str, object]:
        panel.refresh()
        vote.refresh()
        snap = panel.controller.snapshot()
        model = panel.run_model
        row = model.row_of_cue(snap.cue.key)
        return {
            "badge": panel.phase_label.text().strip(),
            "row": None if row is None else model.data(model.index(row, 4)),
            "cue": snap.cue.key,
            "slide_button": vote.slide_button.isChecked(),
            "slide_text": vote.slide_button.text(),
            "log": window.log_view.toPlainText().splitlines()[-3:],
        }

    def done_when_answered() -> None:
        if vote.busy:
            QTimer.singleShot(10, done_when_answered)
        else:
            print("DONE", flush=True)

    def on_line(text: str) -> None:
        command, _, argument = text.strip().partition(" ")
        if command == "press":
            panel.trigger(argument)
            print("DONE", flush=True)
        elif command == "vote" and argument == "open":
            vote.open_vote()  # committed on the vote tab's worker, then the slide goes up
            done_when_answered()
        elif command == "vote" and argument == "slide":
            vote.slide_button.click()
            print("DONE", flush=True)
        elif command == "facts":
            print("FACTS " + json.dumps(facts(), ensure_ascii=False), flush=True)
        elif command == "quit":
            app.quit()

    commands = Commands()
    commands.line.connect(on_line)

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    window.showMaximized()
    threading.Thread(target=read_stdin, daemon=True).start()
    QTimer.singleShot(1000, lambda: print("READY", flush=True))
    try:
        return app.exec()
    finally:
        window.night.close()


if __name__ == "__main__":
    sys.exit(main())
