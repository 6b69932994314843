"""The Outputs dialog with real libvlc players on the PulseAudio server of the environment, in
a process of its own (for test_audio_outputs_real): prints the outputs it offers as JSON, then
clicks "Test tone" on the output in use (argv[1]) for each "go" line and prints PLAYING and
DONE."""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core.audio_outputs import audio_outputs
from kiosk.core.console_settings import ConsoleSettings
from kiosk.media.player import FilmPlayers
from kiosk.media.test_tone import TonePlayer
from kiosk.media.vlc_backend import create_instance
from kiosk.ui.console.outputs_dialog import OutputsDialog


def main() -> int:
    current = sys.argv[1]
    app = QApplication([])
    instance = create_instance(extra=["--aout=pulse", "--vout=dummy"])
    players = FilmPlayers(instance)
    tone = TonePlayer(instance)
    outputs = audio_outputs(players.audio_devices(), current)
    parent = QWidget()
    dialog = OutputsDialog(parent, ConsoleSettings(None, current), outputs, tone.play)
    print("OUTPUTS " + json.dumps({
        "outputs": [[o.device, o.name, o.in_use] for o in outputs],
        "selected": dialog.audio_choice.currentData(),
        "selected_text": dialog.audio_choice.currentText(),
    }), flush=True)  # fmt: skip
    for _line in sys.stdin:  # "go": the test is recording
        dialog.test_button.click()
        deadline = time.monotonic() + 15
        while not tone.playing() and not tone.finished() and time.monotonic() < deadline:
            time.sleep(0.01)
        print("PLAYING", flush=True)
        while not tone.finished() and time.monotonic() < deadline:
            time.sleep(0.02)
        print("DONE", flush=True)
    tone.close()
    players.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
