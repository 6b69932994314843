"""When may the black curtain come off a film that fades itself up from black? (plain Python)

Over a film the stage's curtain cannot fade (X11 without a compositor blends nothing over
libvlc's window): libvlc's adjust filter is switched on at black, and the curtain drops so the
film can fade up by itself. The curtain may drop only once libvlc has the filter: until then
libvlc may still draw the film's bright picture, and a dropped curtain would show it (a flash).

What libvlc 3.0.24 does, read from its video output and measured under Xvfb (xcb_x11):

* Switching the filter on queues a request to the player's video output thread. That thread
  takes requests only between pictures (a picture it is drawing is finished first, and the
  X server has taken it: the xcb output waits for the server's reply), then rebuilds its
  filter chain and logs, on its own thread, the debug line "Adding 'adjust' as interactive"
  (`added_filter`). From that line on every picture it draws goes through the filter, at the
  level already set (black), playing or paused.
* At idle the line came 0-2 ms after the switch and the black picture reached the screen
  10-73 ms after it. A fixed wait of 120 ms after the switch was the old rule: a libvlc held
  back by a loaded machine drew its unfiltered picture after the curtain had gone.
* `media.get_stats().displayed_pictures` cannot tell: libvlc updates it only every 250-500 ms
  (in steps of 8-12 pictures), and not at all while the film is paused.
* The line alone is not enough: the X server keeps what libvlc drew under the curtain
  (backing store, "WHEN MAPPED" on Xvfb) and shows it again when the curtain goes. Dropped at
  the line, before libvlc's first filtered picture, the curtain uncovered the last unfiltered
  one for a picture's time (seen: one bright picture, then black). So after the line the fade
  asks libvlc for `DRAWN_SNAPSHOTS` tiny snapshots in a row, off the GUI thread: libvlc takes
  a snapshot from the next picture it renders, after the filters, and draws one picture (and
  waits for the X server to take it) before it renders the next, so the second snapshot proves
  a filtered picture is on the window. Measured: snapshots at +3, +48 ms (playing) and +40,
  +107 ms (paused) after the switch, all black.

`PictureLift` decides for one fade: held at black until libvlc's line (`filter_applied`), then
until the snapshots prove a black picture drawn (`picture_drawn`): the ramp starts, and the
curtain may drop, then. With no proof within `PROOF_WITHIN_S` of the switch (a libvlc that
logs otherwise, a film with no picture yet, a machine starved for that long), the ramp runs
under the curtain and the curtain drops when it has finished, with the film back at full: a
later, harder lift, never a flash.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

PROOF_WITHIN_S = 1.5  # no proof of a filtered picture within this long: ramp under the curtain
FILTER = "adjust"  # the filter a fade switches on
DRAWN_SNAPSHOTS = 2  # snapshots in a row that prove a filtered picture drawn
DARK_MEAN = 8.0  # a snapshot's mean luma (0-255) at most this: black
_ADDED = re.compile(r"^Adding '([^']+)' as (?:static|interactive)$")


def added_filter(module: str, message: str) -> str | None:
    """The video filter a libvlc log line says a video output has just put in its chain
    ("Adding 'adjust' as interactive", logged by libvlc's core, module "main"), or None."""
    if module != "main":
        return None
    found = _ADDED.match(message)
    return found.group(1) if found else None


def ease(progress: float) -> float:
    """The ramp's shape: slow, faster, slow (as the stage curtain's InOutSine)."""
    progress = max(0.0, min(1.0, progress))
    return 0.5 - 0.5 * math.cos(math.pi * progress)


@dataclass(frozen=True)
class LiftStep:
    """Where a fade is at one moment: the picture's level, and whether the curtain may come
    off now (True once per fade)."""

    level: float  # 0 black .. 1 the untouched picture
    lift_curtain: bool
    finished: bool  # the ramp is over: switch the filter off


class PictureLift:
    """One film fading up from black: its ramp, and when the curtain over it may drop.

    `filter_applied(at)` is libvlc's word that the filter is in (`added_filter`);
    `picture_drawn(at)` the snapshots' proof that libvlc has drawn a picture through it;
    `step(now)` says where the picture is and whether to drop the curtain. Times are
    monotonic seconds.
    """

    def __init__(
        self, switched_on_at: float, seconds: float, proof_within_s: float = PROOF_WITHIN_S
    ) -> None:
        self.switched_on_at = switched_on_at
        self.seconds = max(0.0, seconds)
        self.proof_within_s = proof_within_s
        self.applied_at: float | None = None  # libvlc's line: from then on, filtered pictures
        self.ramp_from: float | None = None  # when the ramp started (None: held at black)
        self.fell_back = False  # no proof in time: the ramp ran under the curtain
        self._lift_pending = False
        self._lifted = False

    def filter_applied(self, at: float) -> bool:
        """libvlc logged (at `at`) that the filter is in; True if this is the line the fade
        waited for (then prove a picture drawn). A line from before this fade's switch
        belongs to an earlier one."""
        if at < self.switched_on_at or self.applied_at is not None or self.ramp_from is not None:
            return False
        self.applied_at = at
        return True

    def picture_drawn(self, at: float) -> None:
        """Snapshots taken after the line proved (at `at`) a black picture drawn: the ramp
        starts and the curtain may drop. After the fallback the curtain waits for the end."""
        if self.applied_at is None or self.ramp_from is not None:
            return
        self.ramp_from = at
        self._lift_pending = True

    @property
    def held(self) -> bool:
        """Still waiting for libvlc (the picture held at black)."""
        return self.ramp_from is None

    @property
    def proving(self) -> bool:
        """libvlc has the filter in and the fade waits for the proof of a picture drawn."""
        return self.applied_at is not None and self.ramp_from is None

    def level(self, now: float) -> float:
        """How far up the picture is at `now`: 0 black .. 1 untouched."""
        if self.ramp_from is None or now < self.ramp_from:
            return 0.0
        return ease(1.0 if self.seconds <= 0 else (now - self.ramp_from) / self.seconds)

    def step(self, now: float) -> LiftStep:
        """Advance to `now`: the level to set, whether the curtain may drop now, whether the
        ramp is over."""
        if self.ramp_from is None and now - self.switched_on_at >= self.proof_within_s:
            self.ramp_from = now  # fall back: fade up under the curtain, drop it at the end
            self.fell_back = True
        finished = self.ramp_from is not None and (
            self.seconds <= 0 or now - self.ramp_from >= self.seconds
        )
        lift = not self._lifted and (self._lift_pending or finished)
        if lift:
            self._lifted = True
        return LiftStep(1.0 if finished else self.level(now), lift, finished)


def dark(luma: bytes) -> bool:
    """Whether a snapshot's 8-bit grey pixels are black (the filter at level 0)."""
    return bool(luma) and sum(luma) / len(luma) <= DARK_MEAN
