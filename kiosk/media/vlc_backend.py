"""libvlc through python-vlc: creating the instance the show uses, and asking it about files.

libvlc calls its event callbacks on its own threads and is not re-entrant: a callback here only
records what happened and sets a threading.Event; it never calls back into libvlc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.media.x11_background import paint_black_by_server

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
CLEARS_WHOLE_WINDOW = frozenset({"gl", "gles2", "dummy"})  # outputs that draw the bars too


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


class _VlcValue(ctypes.Union):
    """libvlccore's `vlc_value_t`, the members read or written here."""

    _fields_ = [("i_int", ctypes.c_int64), ("psz_string", ctypes.c_void_p)]


_VLC_VAR_STRING = 0x0040  # libvlccore's type tag of a string variable


def embed_in_x11_window(player: object, window_id: int) -> None:
    """Draw `player`'s films into the X11 window `window_id`, with the instance's video output.

    libvlc 3's `set_xwindow` also empties the player's `vout` variable (libvlc 3.0.24,
    `lib/media_player.c`), so a `--vout=` the instance was created with (`KIOSK_VLC_VOUT`) is
    silently dropped for every embedded player and libvlc picks its own output: its OpenGL
    one, which without a GPU (Xvfb) Mesa draws in software on its `llvmpipe` threads, most of
    a core while a film starts (docs/dev/threads.md, "Whose software OpenGL"). So the player's
    own `vout` (inherited from the instance) is read before and written back after, through
    libvlccore's variable calls (the ones `set_xwindow` itself makes; libvlc has no public call
    for it). Without a chosen output (the default on the night) nothing is written back and
    libvlc's choice, the GPU's OpenGL on a laptop, stays.

    An output that draws only the picture's rectangle (`xcb_x11`: a child window the
    picture's size) leaves the bars to `window_id`, which then gets a black X background
    (`kiosk.media.x11_background`); libvlc's OpenGL outputs clear the whole window
    themselves, and a background there would show black at a film-to-film cut's raise
    instead of the last picture until libvlc draws the next.
    """
    import vlc

    assert isinstance(player, vlc.MediaPlayer)
    core = _libvlccore()
    chosen = _player_vout(core, player) if core is not None else ""
    player.set_xwindow(window_id)
    if core is not None and chosen:
        _set_player_vout(core, player, chosen)
    if chosen and chosen not in CLEARS_WHOLE_WINDOW:
        paint_black_by_server(window_id)  # the bars around the picture are the window's own


def video_output_of(player: object) -> str:
    """The video output `player` will open (its `vout` variable): "" for libvlc's choice."""
    core = _libvlccore()
    return _player_vout(core, player) if core is not None else ""


def _libvlccore() -> ctypes.CDLL | None:
    """libvlccore (already loaded with libvlc), when it is libvlc 3's; None otherwise."""
    if not libvlc_version().startswith("3."):
        return None  # libvlc 4's set_xwindow keeps the player's output
    try:
        core = ctypes.CDLL(ctypes.util.find_library("vlccore") or "libvlccore.so.9")
        getter, setter = core.var_GetChecked, core.var_SetChecked
    except (OSError, AttributeError) as exc:
        log.warning("libvlccore's variables are out of reach (%s): libvlc picks the output", exc)
        return None
    getter.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_VlcValue)]
    setter.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, _VlcValue]
    getter.restype = setter.restype = ctypes.c_int
    return core


def _player_vout(core: ctypes.CDLL, player: Any) -> str:
    """The player's `vout` variable: the instance's `--vout`, or "" for libvlc's choice."""
    import vlc

    value = _VlcValue()
    if core.var_GetChecked(player._as_parameter_, b"vout", _VLC_VAR_STRING, ctypes.byref(value)):
        return ""
    if not value.psz_string:
        return ""
    try:
        return (ctypes.string_at(value.psz_string) or b"").decode()
    finally:
        vlc.libvlc_free(value.psz_string)


def _set_player_vout(core: ctypes.CDLL, player: Any, name: str) -> None:
    text = ctypes.create_string_buffer(name.encode())  # libvlccore copies it
    value = _VlcValue(psz_string=ctypes.cast(text, ctypes.c_void_p))
    if core.var_SetChecked(player._as_parameter_, b"vout", _VLC_VAR_STRING, value):
        log.warning("libvlc kept its own video output: the player refused vout=%s", name)
    else:
        log.debug("embedded player keeps vout=%s", name)


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
