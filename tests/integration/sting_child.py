"""The reveal's sting player alone, in a process of its own, for test_sting_volume: real libvlc on
the PulseAudio server of the environment, `StingPlayer` playing the sound file argv[1], driven by
lines on stdin:

    play VOLUME -> `play(VOLUME)` (the show's master volume, 0 when muted); prints "PLAYED VOLUME"
    quit        -> closes the player
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.media.sting import StingPlayer
from kiosk.media.vlc_backend import create_instance


def main() -> int:
    sting = StingPlayer(create_instance(extra=["--vout=dummy"]), Path(sys.argv[1]))
    print("READY", flush=True)
    for line in sys.stdin:
        match line.split():
            case ["play", volume]:
                sting.play(float(volume))
                print("PLAYED", volume, flush=True)
            case ["quit"]:
                break
    sting.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
