"""The night as the console opens it, for the music listening test, in its own process.

`python -m tests.integration.music_child EVENT_DIR` builds the night the way `open_console`
does (`open_night` on a real stage window with real libvlc, then `restore`: a crash at the
intermission comes back there), shows the stage, prints `READY`, then takes lines on stdin:

    go       -> the show's GO (as the Space key does)
    facts    -> prints "FACTS {json}": the cue, the music's state, moment and track, and
                whether the "no sound" alarm is up
    quit     -> closes the night
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kiosk.core.show import ShowOptions
from kiosk.night import open_night
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, show_instance
from kiosk.ui.stage.window import StageWindow


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread."""

    line = Signal(str)


def main() -> int:
    folder = EventFolder(Path(sys.argv[1]))
    app = make_application()
    config = folder.load_config()
    programme = folder.load_programme(config)
    stage = StageWindow(config, programme, None)
    night = open_night(
        config,
        programme,
        folder.open_db(),
        stage,
        show_instance(),
        options=ShowOptions.from_event(config),
    )
    stage.resize(640, 360)
    stage.show()
    restored = night.restore()

    def facts() -> dict[str, object]:
        show, music = night.show, night.music
        assert show is not None and music is not None
        view = music.view()
        sound = night.sound
        return {
            "cue": show.machine.cue.key,
            "music": view.state.value,
            "moment": view.moment.value if view.moment else None,
            "track": view.track,
            "sound_lost": sound is not None and sound.sound_lost,
        }

    def on_line(text: str) -> None:
        command = text.strip()
        if command == "go" and night.show is not None:
            night.show.go()
            print("WENT", flush=True)
        elif command == "facts":
            print("FACTS", json.dumps(facts()), flush=True)
        elif command == "quit":
            app.quit()

    commands = Commands()
    commands.line.connect(on_line)

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    print("READY", restored.cue_key if restored else "fresh", flush=True)
    try:
        return app.exec()
    finally:
        night.close()


if __name__ == "__main__":
    sys.exit(main())
