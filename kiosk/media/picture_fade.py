"""Fade a libvlc player's picture up from black with VLC's adjust filter.

On X11 without a compositor nothing can be blended over libvlc's video window, so the stage's
black curtain cannot fade away over a moving film. Instead the film fades itself: the adjust
filter is switched on at black, its level ramped to 1 (the same ease as the curtain's veil), and
switched off again. Under the hood:

* VLC's adjust filter maps luma as `Y' = c * Y + 255 * (b - 1) + 128 - 255 * c / 2` (contrast
  `c` pivots about mid-grey, brightness `b` is an offset). Brightness `1 - (128 - 127.5 c) /
  255` cancels the pivot, so luma is simply scaled by `c`; saturation `c` scales the colour the
  same way. Level 0 is black, level 1 the untouched picture.
* libvlc takes the switch on its video output thread, between pictures, and logs it there
  ("Adding 'adjust' as interactive"): from then on every picture it draws is filtered. The
  fade holds the picture at black until that line, then until two tiny snapshots taken on a
  thread of its own (`_Prover`) prove a black picture drawn, and then starts the ramp; the
  curtain over the film may drop at that moment (`lift_ready`). `kiosk.core.picture_lift`
  says why (what libvlc does, what was measured, why no fixed wait is safe). Switched on
  before the player has a picture, it applies from the first one. It stays on for the player
  (later films too) until switched off.
* A paused film fades too: libvlc redraws the paused picture through the filter every ~60 ms.
"""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from kiosk.core.picture_lift import DRAWN_SNAPSHOTS, FILTER, PictureLift, dark

log = logging.getLogger(__name__)

STEP_MS = 20  # how often the level moves during a ramp
SNAPSHOT_SIZE = (64, 36)  # the proof's snapshots: tiny, cheap to scale and encode


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
    lift: PictureLift


class _Prover:
    """Proves on a thread of its own that libvlc draws a player's picture black: takes
    `DRAWN_SNAPSHOTS` tiny snapshots in a row (libvlc's snapshot waits for the next picture it
    renders, up to half a second), and calls `proven(key, lift, ok)` there: ok if every
    snapshot was taken and black. Never on the GUI thread: the snapshots wait and write files."""

    def __init__(self, proven: Callable[[str, PictureLift, bool], None]) -> None:
        self._proven = proven  # called on this thread (emits a queued signal)
        self._work: queue.SimpleQueue[tuple[str, Any, PictureLift] | None] = queue.SimpleQueue()
        self._folder = Path(tempfile.mkdtemp(prefix="kiosk-fade-"))
        self._thread = threading.Thread(target=self._run, name="fade-prover", daemon=True)
        self._thread.start()

    def prove(self, key: str, player: Any, lift: PictureLift) -> None:
        """Take the snapshots of `player` for `lift`, then `proven` follows."""
        self._work.put((key, player, lift))

    def close(self) -> None:
        """Finish the proof in hand and end the thread (before the players are released)."""
        self._work.put(None)
        self._thread.join(timeout=5)
        shutil.rmtree(self._folder, ignore_errors=True)

    def _run(self) -> None:
        while (item := self._work.get()) is not None:
            key, player, lift = item
            try:
                ok = all(self._black_snapshot(player) for _ in range(DRAWN_SNAPSHOTS))
            except Exception:  # a proof that fails is no proof: the fade falls back
                log.exception("the fade's snapshot of %s failed", key)
                ok = False
            self._proven(key, lift, ok)

    def _black_snapshot(self, player: Any) -> bool:
        path = self._folder / "proof.png"
        path.unlink(missing_ok=True)
        if player.video_take_snapshot(0, str(path), *SNAPSHOT_SIZE) != 0:
            return False
        image = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
        if image.isNull():
            return False
        rows = bytes(image.constBits())  # rows padded to bytesPerLine: padding is 0 (dark)
        return dark(rows)


class PictureFades(QObject):
    """Fades up from black, at most one per player, stepped by one shared Qt timer.

    `filter_added(name, at)` takes libvlc's log line saying a video output has put a filter in
    (`kiosk.media.vlc_log.VlcLogTap.filter_added`); `lift_ready(key)` says when the curtain
    over that film may drop: libvlc draws it through the filter, at black (or, with no proof
    of it in time, the ramp has run under the curtain and the film is back at full). `close()`
    before the players are released."""

    lift_ready = Signal(str)
    _proven = Signal(str, object, bool)  # key, lift, ok (queued from the prover's thread)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ramps: dict[str, _Ramp] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(STEP_MS)
        self._timer.timeout.connect(self._step)
        self._proven.connect(self._on_proven, Qt.ConnectionType.QueuedConnection)
        self._prover = _Prover(self._proven.emit)

    def start(self, key: str, player: Any, seconds: float) -> None:
        """Black `player`'s picture now and fade it up over `seconds` once libvlc draws it
        through the filter; the filter is switched off again at the end."""
        import vlc

        self.cancel(key)
        set_level(player, 0.0)
        switched_on_at = time.monotonic()
        player.video_set_adjust_int(vlc.VideoAdjustOption.Enable, 1)
        self._ramps[key] = _Ramp(player, PictureLift(switched_on_at, seconds))
        self._timer.start()

    def filter_added(self, name: str, at: float) -> None:
        """libvlc logged (monotonic `at`) that a video output put filter `name` in its chain:
        the fades waiting for it have their first filtered pictures proved drawn."""
        if name != FILTER:
            return
        for key, ramp in self._ramps.items():
            if ramp.lift.filter_applied(at):
                self._prover.prove(key, ramp.player, ramp.lift)

    def close(self) -> None:
        """End the prover's thread (before the players are released)."""
        self._prover.close()

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
        return 1.0 if ramp is None else ramp.lift.level(time.monotonic())

    def _on_proven(self, key: str, lift: PictureLift, ok: bool) -> None:
        ramp = self._ramps.get(key)
        if ramp is None or ramp.lift is not lift or not lift.proving:
            return  # cancelled, started again, or fallen back meanwhile
        if not ok:  # no picture yet, or not yet black: again soon (the fallback bounds it)
            QTimer.singleShot(STEP_MS, self, lambda: self._prove_again(key, lift))
            return
        now = time.monotonic()
        lift.picture_drawn(now)
        log.debug(
            "%s black under the curtain: filter in after %.0f ms, drawn after %.0f ms",
            key,
            1000 * ((lift.applied_at or now) - lift.switched_on_at),
            1000 * (now - lift.switched_on_at),
        )
        self._step()

    def _prove_again(self, key: str, lift: PictureLift) -> None:
        ramp = self._ramps.get(key)
        if ramp is not None and ramp.lift is lift and lift.proving:
            self._prover.prove(key, ramp.player, lift)

    def _step(self) -> None:
        now = time.monotonic()
        for key, ramp in list(self._ramps.items()):
            step = ramp.lift.step(now)
            if step.finished:
                del self._ramps[key]
                self._finish(ramp)
                if ramp.lift.fell_back:
                    log.warning("no word from libvlc that %s's filter was in: lifted at full", key)
            elif not ramp.lift.held:
                set_level(ramp.player, step.level)
            if step.lift_curtain:
                self.lift_ready.emit(key)
        if not self._ramps:
            self._timer.stop()

    @staticmethod
    def _finish(ramp: _Ramp) -> None:
        import vlc

        set_level(ramp.player, 1.0)
        ramp.player.video_set_adjust_int(vlc.VideoAdjustOption.Enable, 0)
