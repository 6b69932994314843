"""libvlc through python-vlc: creating the instance the show uses, and asking it about files.

libvlc calls its event callbacks on its own threads and is not re-entrant: a callback here only
records what happened and sets a threading.Event; it never calls back into libvlc.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

BASE_ARGS = (
    "--no-video-title-show",  # VLC would draw the file name over the film
    "--no-osd",
    "--no-snapshot-preview",
    "--no-stats",
    "--no-sub-autodetect-file",  # the programme says which subtitles to show
    "--quiet",
    # VLC downmixes to stereo itself (L = FL + 0.707·C + 0.707·SL, LFE dropped), whatever the
    # sound server: preflight measures a multichannel film through the same matrix
    # (kiosk.media.probe), so it plays at the loudness measured. Without it PulseAudio
    # remixes with its own, normalised matrix (a 5.1 film came out 4-10 dB quieter).
    "--stereo-mode=1",
)
HEADLESS_ARGS = ("--vout=dummy", "--aout=dummy")


class PlayerUnavailableError(RuntimeError):
    """libvlc (VLC 3) is not installed or cannot start."""


def create_instance(*, headless: bool = False, extra: Sequence[str] = ()) -> object:
    """A libvlc instance with the show's settings; `headless` for tests and checks."""
    try:
        import vlc
    except (ImportError, OSError) as exc:  # python-vlc raises OSError when libvlc is missing
        raise PlayerUnavailableError(
            f"libvlc is not available ({exc}); run `make run` or `apt-get install vlc`"
        ) from exc
    args = [*BASE_ARGS, *(HEADLESS_ARGS if headless else ()), *extra]
    if os.environ.get("KIOSK_VLC_VERBOSE"):
        args.remove("--quiet")
    instance = vlc.Instance(args)
    if instance is None:
        raise PlayerUnavailableError(f"libvlc refused to start with {args}")
    return instance


def libvlc_version() -> str:
    """The libvlc version string, e.g. '3.0.24 Vetinari'."""
    import vlc

    version: bytes = vlc.libvlc_get_version()
    return version.decode()


def check_opens(instance: object, path: Path, timeout_s: float = 10.0) -> str | None:
    """Ask libvlc to open and parse a file; None if it finds a video track, else why not."""
    import vlc

    assert isinstance(instance, vlc.Instance)
    media = instance.media_new_path(str(path))
    done = threading.Event()

    def on_parsed(_event: object) -> None:  # runs on a libvlc thread: only signal
        done.set()

    manager = media.event_manager()
    manager.event_attach(vlc.EventType.MediaParsedChanged, on_parsed)
    try:
        if media.parse_with_options(vlc.MediaParseFlag.local, int(timeout_s * 1000)) != 0:
            return "libvlc could not start parsing the file"
        if not done.wait(timeout_s + 1):
            return f"libvlc did not finish reading the file within {timeout_s:g} s"
        status = media.get_parsed_status()
        if status != vlc.MediaParsedStatus.done:
            return f"libvlc could not read the file ({status})"
        kinds = {track.type for track in media.tracks_get() or ()}
        if vlc.TrackType.video not in kinds:
            return "libvlc finds no video track"
        return None
    finally:
        manager.event_detach(vlc.EventType.MediaParsedChanged)
        media.release()
