"""The real libvlc plays a real generated clip to its end (headless outputs)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import vlc

from kiosk.media.vlc_backend import create_instance, libvlc_version


def test_libvlc_is_version_3() -> None:
    assert libvlc_version().startswith("3.")


def test_clip_plays_to_the_end(clips: dict[str, Path]) -> None:
    instance = create_instance(headless=True)
    assert isinstance(instance, vlc.Instance)
    player = instance.media_player_new()
    ended = threading.Event()
    playing = threading.Event()
    manager = player.event_manager()
    # callbacks only signal: libvlc must never be called from its own callback thread
    manager.event_attach(vlc.EventType.MediaPlayerEndReached, lambda _e: ended.set())
    manager.event_attach(vlc.EventType.MediaPlayerPlaying, lambda _e: playing.set())
    player.set_media(instance.media_new_path(str(clips["good"])))
    started = time.monotonic()
    assert player.play() == 0
    assert playing.wait(5)
    assert ended.wait(10), "clip never reached its end"
    took = time.monotonic() - started
    assert 1.5 < took < 6  # a 2-second clip plays in about real time
    player.stop()
    player.release()
