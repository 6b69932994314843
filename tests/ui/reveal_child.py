"""Child process for the reveal crash test: open the console, start the reveal, GO `steps`
times, say where it is, then keep running until the test kills it (SIGKILL)."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.reveal_panel import RevealPanel


def main(event_dir: str, passphrase: str, steps: int) -> int:
    app = make_application()
    folder = EventFolder(Path(event_dir))
    lock = folder.lock()
    lock.acquire()
    window, _reporter = open_console(folder)
    window.show()
    show = window.night.show
    assert show is not None
    show.jump_to("end")
    panel = next(
        w
        for w in (window.tabs.widget(i) for i in range(window.tabs.count()))
        if isinstance(w, RevealPanel)
    )
    results = panel.launcher.open_results([passphrase])
    panel.attach(panel.launcher.build(results))
    for _ in range(steps):
        panel.trigger("go")
    controller = panel.controller
    assert controller is not None and controller.machine.current is not None
    print(f"AT {controller.machine.current.index}", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
