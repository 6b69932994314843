"""Fade a libvlc player's picture up from black with VLC's adjust filter.

On X11 without a compositor nothing can be blended over libvlc's video window, so the stage's
black curtain cannot fade away over a moving film. Instead the film fades itself: the adjust
filter is switched on at black, its level ramped to 1 (the same ease as the curtain's veil), and
switched off again. Under the hood:

* VLC's adjust filter maps luma as `Y' = c * Y + 255 * (b - 1) + 128 - 255 * c / 2` (contrast
  `c` pivots about mid-grey, brightness `b` is an offset). Brightness `1 - (128 - 127.5 c) /
  255` cancels the pivot, so luma is simply scaled by `c`; saturation `c` scales the colour the
  same way. Level 0 is black, level 1 the untouched picture.
* libvlc applies the switch from the next picture or two: measured under Xvfb (VLC 3.0.24,
  xcb_x11 output), the picture on screen is black 40-60 ms after it (`DARK_WITHIN_S` leaves
  room for a loaded machine). Switched on before the player has a picture, it applies from
  the first one. It stays on for the player (later films too) until switched off.
* A paused film fades too: libvlc redraws the paused picture through the filter every ~60 ms.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

DARK_WITHIN_S = 0.12  # after `start`, the picture on screen is black by then
STEP_MS = 20  # how often the level moves during a ramp


def ease(progress: float) -> float:
    """The ramp's shape: slow, faster, slow (as the stage curtain's InOutSine)."""
    progress = max(0.0, min(1.0, progress))
    return 0.5 - 0.5 * math.cos(math.pi * progress)


def set_level(player: Any, level: float) -> None:
    """Scale the picture of a player whose adjust filter is on: 0 black, 1 unchanged."""
    import vlc

    level = max(0.0, min(1.0, level))
    player.video_set_adjust_float(vlc.VideoAdjustOption.Contrast, level)
    player.video_set_adjust_float(vlc.VideoAdjustOption.Brightness, 1 - (128 - 127.5 * level) / 255)
    player.video_set_adjust_float(vlc.VideoAdjustOption.Saturation, level)


@dataclass
class _Ramp:
    player: Any  # vlc.MediaPlayer
    starts_at: float  # monotonic
    seconds: float


class PictureFades(QObject):
    """Fades up from black, at most one per player, stepped by one shared Qt timer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ramps: dict[str, _Ramp] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(STEP_MS)
        self._timer.timeout.connect(self._step)

    def start(self, key: str, player: Any, seconds: float, after_s: float = 0.0) -> None:
        """Black `player`'s picture now and fade it up over `seconds`, beginning `after_s` from
        now; the filter is switched off again at the end."""
        import vlc

        self.cancel(key)
        set_level(player, 0.0)
        player.video_set_adjust_int(vlc.VideoAdjustOption.Enable, 1)
        self._ramps[key] = _Ramp(player, time.monotonic() + after_s, max(0.0, seconds))
        self._timer.start()

    def cancel(self, key: str) -> None:
        """Stop a fade where it is and show the picture untouched (filter off)."""
        ramp = self._ramps.pop(key, None)
        if ramp is not None:
            self._finish(ramp)
        if not self._ramps:
            self._timer.stop()

    def fading(self, key: str) -> bool:
        """Whether a fade runs for `key`."""
        return key in self._ramps

    def level(self, key: str) -> float:
        """How far up `key`'s picture is now: 0 black .. 1 untouched (no fade running)."""
        ramp = self._ramps.get(key)
        if ramp is None:
            return 1.0
        now = time.monotonic()
        if now < ramp.starts_at:
            return 0.0
        return ease(1.0 if ramp.seconds <= 0 else (now - ramp.starts_at) / ramp.seconds)

    def _step(self) -> None:
        now = time.monotonic()
        for key, ramp in list(self._ramps.items()):
            if now < ramp.starts_at:
                continue
            progress = 1.0 if ramp.seconds <= 0 else (now - ramp.starts_at) / ramp.seconds
            if progress >= 1.0:
                del self._ramps[key]
                self._finish(ramp)
            else:
                set_level(ramp.player, ease(progress))
        if not self._ramps:
            self._timer.stop()

    @staticmethod
    def _finish(ramp: _Ramp) -> None:
        import vlc

        set_level(ramp.player, 1.0)
        ramp.player.video_set_adjust_int(vlc.VideoAdjustOption.Enable, 0)
