"""Child process of the soak benchmark: the whole night through the console, unattended.

Opens the real console (maximized, its live projector preview running) and the stage on the
projector, presses GO whenever the show waits for it (and ends the intermission after a few
seconds, as a projectionist would press GO), then opens the sealed results with the passphrase
and steps the award reveal to its last card, its winner's clip included. It prints one line per
cue (`CUE film:F03`, `CUE reveal:4:clip:best-film`) so the benchmark samples this process's
memory after every film, then `DONE` and quits.
"""

from __future__ import annotations

import sys

from kiosk.allocator import bound_malloc

MALLOC = bound_malloc()  # first, as the app's own entry point does (kiosk.cli.main)

# ruff: noqa: E402 (the allocator is bounded before anything else is imported)
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.core.show import CueKind
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.reveal_panel import RevealPanel
from kiosk.ui.console.window import ConsoleWindow

POLL_MS = 100
INTERMISSION_GO_S = 3.0  # the projectionist ends the intermission this long after it starts
REVEAL_STEP_S = 1.2  # between GO presses in the reveal (a clip runs to its end first)
GO_AGAIN_S = 1.0  # a GO that did not move the show is pressed again after this long


def say(text: str) -> None:
    print(text, flush=True)


class Projectionist:
    """Presses GO for the show and then steps the reveal, as the person at the console would."""

    def __init__(self, window: ConsoleWindow, panel: RevealPanel, passphrase: str) -> None:
        self.window = window
        self.panel = panel
        self.passphrase = passphrase
        self.phase = "show"
        self.cue = ""
        self.cue_at = time.monotonic()
        self.pressed_at = 0.0

    def poll(self) -> None:
        if self.phase == "show":
            self._show()
        elif self.phase == "reveal":
            self._reveal()

    def _show(self) -> None:
        show = self.window.night.show
        assert show is not None
        snap = show.snapshot()
        now = time.monotonic()
        self.cue_changed()
        if snap.alert is not None and now - self.pressed_at > GO_AGAIN_S:
            self.pressed_at = now
            show.skip()  # unattended, as rehearse does: the show goes on
            return
        if snap.cue.kind is CueKind.END:
            results = self.panel.launcher.open_results([self.passphrase])
            self.panel.attach(self.panel.launcher.build(results))
            self.phase, self.pressed_at = "reveal", now
            say("CUE reveal:open")
            return
        in_break = snap.cue.kind is CueKind.INTERMISSION and now - self.cue_at > INTERMISSION_GO_S
        if (snap.waiting_for_go or in_break) and now - self.pressed_at > GO_AGAIN_S:
            self.pressed_at = now
            show.go()

    def cue_changed(self) -> None:
        """Say each new cue of the show as it happens (the benchmark samples memory on it)."""
        show = self.window.night.show
        if show is None or self.phase != "show":
            return
        key = show.snapshot().cue.key
        if key != self.cue:
            self.cue, self.cue_at = key, time.monotonic()
            say(f"CUE {key}")

    def film_failed(self, film_id: str, reason: str) -> None:
        say(f"FAILED film {film_id} failed: {reason}")

    def _reveal(self) -> None:
        controller = self.panel.controller
        assert controller is not None
        if time.monotonic() - self.pressed_at < REVEAL_STEP_S or controller.on_stage:
            return  # a clip plays to its end before the next GO
        machine = controller.machine
        if machine.next is None:
            say("DONE")
            controller.finish()
            self.phase = "done"
            QTimer.singleShot(1500, QApplication.quit)
            return
        self.panel.trigger("go")
        self.pressed_at = time.monotonic()
        current = machine.current
        if current is not None:
            say(f"CUE reveal:{current.index}:{current.key}")


def main(event_dir: str, passphrase: str) -> int:
    app = make_application()
    folder = EventFolder(Path(event_dir))
    lock = folder.lock()
    lock.acquire()
    window, _reporter = open_console(folder, screen_name="PROJECTOR")
    window.showMaximized()
    panel = next(
        w
        for w in (window.tabs.widget(i) for i in range(window.tabs.count()))
        if isinstance(w, RevealPanel)
    )
    projectionist = Projectionist(window, panel, passphrase)
    show = window.night.show
    assert show is not None
    show.changed.connect(projectionist.cue_changed)
    show.failed.connect(projectionist.film_failed)
    timer = QTimer()
    timer.setInterval(POLL_MS)
    timer.timeout.connect(projectionist.poll)
    timer.start()
    say(f"READY malloc: {MALLOC}")
    try:
        return app.exec()
    finally:
        window.close()
        lock.release()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
