"""The room's music players alone, in a process of their own, for test_music_first_sound: real
libvlc on the PulseAudio server of the environment, the show's `MusicPlayers` on a Qt event
loop, driven by lines on stdin:

    play DECK TRACK FADE_IN_S BLOCK_MS -> `play(DECK, TRACK, 0 dB, FADE_IN_S)`, then the Qt
                                          thread busy for BLOCK_MS (a loaded machine: the
                                          fade's first step comes that much later); prints
                                          "PLAYED DECK T" (T: time.monotonic() just before)
    stop DECK                          -> `fade_out(DECK, 0)`; prints "STOPPED DECK T" (T: just
                                          after: the sound is gone by then, or soon after)
    level DECK                         -> prints "LEVEL DECK X" (the deck's amplitude now)
    quit                               -> closes the players

The music follows a master volume of 100 %, unmuted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from kiosk.media.music_player import MusicPlayers
from kiosk.media.vlc_backend import create_instance
from tests.child_commands import listen_to_stdin


class FullMaster:
    """The films' master volume at 100 %, not muted."""

    master_volume = 100.0
    muted = False


def main() -> int:
    app = QCoreApplication([])
    players = MusicPlayers(create_instance(extra=["--vout=dummy"]), FullMaster())

    def on_line(text: str) -> None:
        words = text.split()
        match words:
            case ["play", deck, track, fade_in_s, block_ms]:
                before = time.monotonic()
                players.play(int(deck), Path(track), 0.0, float(fade_in_s))
                time.sleep(int(block_ms) / 1000)
                print("PLAYED", deck, f"{before:.4f}", flush=True)
            case ["stop", deck]:
                players.fade_out(int(deck), 0.0)
                print("STOPPED", deck, f"{time.monotonic():.4f}", flush=True)
            case ["level", deck]:
                print("LEVEL", deck, f"{players.level_of(int(deck)):.4f}", flush=True)
            case ["quit"]:
                app.quit()

    _commands = listen_to_stdin(on_line)  # kept while the child listens
    print("READY", flush=True)
    try:
        return app.exec()
    finally:
        players.close()


if __name__ == "__main__":
    sys.exit(main())
