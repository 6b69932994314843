"""The show's two film players (slots A and B) on libvlc, for one-frame cuts between films.

Each slot is a `vlc.MediaPlayer` drawing into a native window of the stage (`bind`). The next
film is *primed* while the current one plays: it plays silent (muted, volume 0) until its first
picture is drawn (libvlc's vout event), then pauses there, so the hidden surface holds a real
first frame (docs/dev/playback-notes.md: `:start-paused` leaves it black). A cut then only resumes a
paused player and raises its surface; libvlc redraws the paused picture at once on resume, so the
first frame appears about `FIRST_PICTURE_S` later.

Never seek a paused player: libvlc 3 then drops the film's sound after the resume for seconds
(captured from PulseAudio: a film primed, paused, rewound with `set_time(0)` and resumed was
heard for 2%-55% of its length). A primed film is paused at the first picture, where libvlc's
time is still 0 (it starts its sound with the picture), so there is nothing to rewind; a film
primed at a later position gets it from `:start-time`. The pause must land at once: whatever
the film plays before it is lost from its start. Through Qt's queue it landed up to 0.25 s
late on a loaded machine (a quarter second of the film's sound gone), so a small thread of
its own (`_Pauser`) pauses a priming player as soon as libvlc reports its first picture.

Positions: libvlc reports its time about every 300 ms (not interpolated). The `position` signal
carries that time moved forward by how long the event waited in Qt's queue (each event is
stamped with the monotonic clock on libvlc's thread), so the show's film clock, extrapolated
from the last position, tracks the picture on screen within ~10 ms.

libvlc calls its event callbacks on its own threads and is not re-entrant. The callbacks here
only emit a queued Qt signal (`_vlc_event`); everything else runs on the Qt thread, except two
libvlc calls that must not wait there: the priming pause (`_Pauser`, above) and ending a
slot's film (`_Stopper`): libvlc waits for the film's decoding and output threads to end,
which took up to 1.5 s on a loaded machine, on the thread that times the next cut. While a
slot's film ends there, whatever is asked of the slot waits (`pending`) and runs after.
Each load of a slot gets a new generation number, so late events from the film a slot played
before are dropped.

A slot's film is ended with `set_media(None)`, never with libvlc's stop between films: libvlc
3's stop also destroys the player's audio output, and until a new film's sound creates
another, the player refuses its volume and mute and forgets its device; a film primed there
played at full level until the priming pause (docs/dev/playback-notes.md, "Sound").
`set_media(None)` ends the film the same way (its decoders and their memory go, its sound
stream closes) and keeps the output with its volume and mute.

On PulseAudio a film is primed only once the output has played for a moment (an
`OutputHold` plays silence on it when the night opens, after a device change and a reopen): a
film whose sound starts on an output nothing is playing on, as the first film's does when its
priming pause lands late, fell behind its clock when the sink's timing changed meanwhile, and
at the cut libvlc threw away the sound it queued, about a second (docs/dev/testing.md, "The
first film's sound on a cold output").
While the priming waits, the slot says PRIMING; a cut then plays the film as it loads.

Loudness: a film's gain in dB (measured by preflight, plus the operator's trim) goes to
libvlc's equalizer preamp, which is linear in dB; the operator's master volume (0-100 %) goes
to `audio_set_volume`, which is cubic (see `kiosk.media.audio_level` for the measured laws).
The equalizer is set before a film starts (changing it while a film plays restarts libvlc's
audio filters), and again only when the operator trims the film.
"""

from __future__ import annotations

import enum
import logging
import math
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from kiosk.media.audio_level import OutputLevel, output_level
from kiosk.media.output_device import ChosenDevice, silence_player
from kiosk.media.output_hold import OutputHold
from kiosk.media.picture_fade import PictureFades
from kiosk.media.vlc_backend import embed_in_x11_window
from kiosk.media.vlc_log import VlcLogTap

log = logging.getLogger(__name__)

SLOTS = ("A", "B")
PRIME_TIMEOUT_S = 8.0  # a film that shows no picture this long after loading has failed
STOP_DELAY_MS = 300  # the slot just cut away from keeps its last frame this long
POSITION_EVERY_S = 0.25  # at most this often a `position` signal per playing film
EARLY_END_S = 0.75  # ending this much before its length: the file is damaged
# From resuming a primed player to its first picture on screen (libvlc's input and video output
# threads, then the X server): measured 20-35 ms under Xvfb. The show orders the clock cut this
# much before the film's end, so the new first picture lands when the old last one is due to go.
FIRST_PICTURE_S = 0.025
REOPEN_TRACK_MS = 100  # a film's audio track is off this long when its output is reopened


class SlotState(enum.Enum):
    """What one slot's player is doing."""

    EMPTY = "empty"
    PRIMING = "priming"  # playing muted until its first picture
    READY = "ready"  # paused on its first frame, waiting for the cut
    PLAYING = "playing"
    PAUSED = "paused"


@dataclass
class _Slot:
    name: str
    player: Any  # vlc.MediaPlayer
    generation: int = 0
    state: SlotState = SlotState.EMPTY
    film_id: str | None = None
    start_at_s: float = 0.0
    play_when_ready: bool = False
    pictures: bool = False
    started: bool = False
    length_s: float | None = None
    position_s: float = 0.0
    position_sent_at: float = 0.0
    stop_pending: bool = False
    stopping: bool = False  # the stopper's thread is stopping the player
    own_pauses: int = 0  # pauses asked for whose Paused event has not come yet
    pending: list[Callable[[], None]] = field(default_factory=list)
    loaded_at: float = 0.0
    preamp_db: float | None = None  # the equalizer preamp set on this player
    pause_armed: bool = False  # the pauser thread pauses it at its first picture (priming)
    paused_early: bool = False  # ... and it did


class FilmPlayers(QObject):
    """Two libvlc players (slots "A" and "B") that preload, cut, pause, seek and report facts.

    Signals (always on the Qt thread): `film_started(film_id)` when a playing film shows
    moving pictures, `position(film_id, seconds)` about four times a second, `duration(film_id,
    seconds)` once libvlc knows the length, `ended(film_id)`, `failed(film_id, reason)`,
    `fade_lift_ready(slot)` when the curtain over a slot fading up from black may drop
    (`fade_in`). Give it the instance's `log_tap`: a fade learns from libvlc's log when its
    filter is in (without it every fade waits its fallback and lifts at full), and it says
    whether libvlc plays on PulseAudio, whose output the players warm (`warm_output`: an
    `OutputHold`) before they prime a film on it.
    """

    film_started = Signal(str)
    position = Signal(str, float)
    duration = Signal(str, float)
    ended = Signal(str)
    failed = Signal(str, str)
    fade_lift_ready = Signal(str)
    _vlc_event = Signal(str, int, str, float, float)  # slot, generation, kind, value, at (queued)
    _stopped = Signal(str)  # a slot's film ended on the stopper's thread (queued)

    def __init__(
        self,
        instance: object,
        gain_for: Callable[[str], float] = lambda _film_id: 0.0,
        parent: QObject | None = None,
        *,
        log_tap: VlcLogTap | None = None,
        warm_output: bool | None = None,
    ) -> None:
        super().__init__(parent)
        import vlc

        assert isinstance(instance, vlc.Instance)
        self._vlc = vlc
        self._instance = instance
        self._gain_for = gain_for
        self._trims: dict[str, float] = {}
        self._master = 100.0
        self._muted = False
        self._closed = False
        self._device = ChosenDevice()
        self._slots = {name: _Slot(name, instance.media_player_new()) for name in SLOTS}
        self._lock = threading.Lock()  # pause_armed, paused_early, own_pauses, with _Pauser
        self._pauser = _Pauser(self._slots, self._lock)
        self._stopped.connect(self._on_stopped, Qt.ConnectionType.QueuedConnection)
        self._stopper = _Stopper(self._stopped.emit)
        self._fades = PictureFades(self)
        self._fades.lift_ready.connect(self.fade_lift_ready)
        if log_tap is not None:
            log_tap.filter_added.connect(self._fades.filter_added)
        self._vlc_event.connect(self._on_vlc_event, Qt.ConnectionType.QueuedConnection)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(500)
        self._watchdog.timeout.connect(self._check_priming)
        self._watchdog.start()
        for slot in self._slots.values():
            self._attach(slot)
        if warm_output is None:  # the tap heard libvlc name its output as the players were made
            warm_output = log_tap is not None and log_tap.audio_module == "pulse"
        self._hold = OutputHold(instance, self._device) if warm_output else None

    # Set-up -----------------------------------------------------------------------------

    def _attach(self, slot: _Slot) -> None:
        vlc = self._vlc
        player = slot.player
        player.video_set_key_input(False)  # keys and clicks go to Qt, not to VLC's window
        player.video_set_mouse_input(False)
        manager = player.event_manager()
        kinds = {
            vlc.EventType.MediaPlayerVout: ("vout", None),  # python-vlc misreads new_count
            vlc.EventType.MediaPlayerPlaying: ("playing", None),
            vlc.EventType.MediaPlayerPaused: ("paused", None),
            vlc.EventType.MediaPlayerLengthChanged: ("length", lambda e: e.u.new_length / 1000),
            vlc.EventType.MediaPlayerTimeChanged: ("time", lambda e: e.u.new_time / 1000),
            vlc.EventType.MediaPlayerEndReached: ("end", None),
            vlc.EventType.MediaPlayerEncounteredError: ("error", None),
        }
        for event_type, (kind, value_of) in kinds.items():
            manager.event_attach(event_type, self._callback(slot, kind, value_of))

    def _callback(
        self, slot: _Slot, kind: str, value_of: Callable[[Any], float] | None
    ) -> Callable[[Any], None]:
        def on_event(event: Any) -> None:  # a libvlc thread: read, emit, never call libvlc
            value = value_of(event) if value_of is not None else 0.0
            if kind == "vout":
                self._pauser.first_picture(slot.name, slot.generation)
            self._vlc_event.emit(slot.name, slot.generation, kind, value, time.monotonic())

        return on_event

    def bind(self, slot: str, window_id: int) -> None:
        """Draw slot `slot` into the native window `window_id` (which must outlive playback)."""
        player = self._slots[slot].player
        if sys.platform.startswith("linux"):
            embed_in_x11_window(player, window_id)
        elif sys.platform == "win32":
            player.set_hwnd(window_id)
        elif sys.platform == "darwin":
            player.set_nsobject(window_id)

    # Commands (Qt thread) ----------------------------------------------------------------

    def preload(self, slot: str, film_id: str, path: Path, start_at_s: float = 0.0) -> None:
        """Load `path` into `slot` hidden and silent, paused on its frame at `start_at_s`."""
        self._when_free(slot, lambda: self._load(slot, film_id, path, start_at_s, play=False))

    def play(self, slot: str, film_id: str, path: Path, start_at_s: float = 0.0) -> None:
        """Load `path` into `slot` unless it is loaded there, and play it from `start_at_s`."""
        state = self._slots[slot]
        if state.film_id == film_id and state.state is not SlotState.EMPTY:
            if abs(state.start_at_s - start_at_s) > 0.05 or state.state is SlotState.PLAYING:
                state.player.set_time(int(start_at_s * 1000))
            self.cut(slot)
            return
        self._flush_stop(slot)
        self._load(slot, film_id, path, start_at_s, play=True)

    def cut(self, slot: str) -> None:
        """Start the film primed in `slot` (its first frame is already drawn)."""
        state = self._slots[slot]
        match state.state:
            case SlotState.READY | SlotState.PAUSED:
                state.state = SlotState.PLAYING
                # sound on before the resume: the paused player is silent anyway, and unmuting
                # after it lost the film's first ~0.1-0.25 s under load (PulseAudio applies
                # mute and volume asynchronously)
                self._apply_volume(state)
                state.player.set_pause(0)
            case SlotState.PRIMING:
                with self._lock:
                    state.pause_armed = False
                state.play_when_ready = True
            case SlotState.PLAYING:
                pass
            case SlotState.EMPTY:
                log.warning("cut to slot %s, which holds no film", slot)

    def pause(self, slot: str) -> None:
        """Pause the slot; its picture stays up."""
        state = self._slots[slot]
        if state.state is SlotState.PLAYING:
            state.state = SlotState.PAUSED
            with self._lock:
                state.own_pauses += 1
            state.player.set_pause(1)
        elif state.state is SlotState.PRIMING:
            state.play_when_ready = False

    def resume(self, slot: str) -> None:
        """Resume a paused slot."""
        self.cut(slot)

    def seek(self, slot: str, position_s: float) -> None:
        """Move the slot's film to `position_s`, keeping it playing or paused."""
        state = self._slots[slot]
        if state.state is SlotState.EMPTY:
            return
        state.position_s = position_s
        if state.state in (SlotState.PRIMING, SlotState.READY):
            state.start_at_s = position_s
        state.player.set_time(int(position_s * 1000))

    def fade_in(self, slot: str, seconds: float) -> bool:
        """Black the slot's picture now and fade it up over `seconds` once libvlc has the
        filter in; `fade_lift_ready(slot)` follows (see `kiosk.media.picture_fade`). False if
        the slot holds no film."""
        state = self._slots[slot]
        if state.state is SlotState.EMPTY:
            return False
        self._fades.start(slot, state.player, seconds)
        return True

    def fading(self, slot: str) -> bool:
        """Whether the slot's picture is fading up (`fade_in`)."""
        return self._fades.fading(slot)

    def picture_level(self, slot: str) -> float:
        """How far up the slot's picture is (0 black .. 1 untouched), for what fades with it."""
        return self._fades.level(slot)

    def stop(self, slot: str) -> None:
        """Unload the slot; its last frame stays up a moment so the cut never shows black."""
        state = self._slots[slot]
        self._fades.cancel(slot)
        silence_player(state.player)  # from the cut, not from libvlc's stop STOP_DELAY_MS later
        state.generation += 1
        state.film_id, state.state = None, SlotState.EMPTY
        if state.stop_pending:
            return
        state.stop_pending = True
        QTimer.singleShot(STOP_DELAY_MS, self, lambda: self._flush_stop(slot))

    def state_of(self, slot: str) -> SlotState:
        """What a slot is doing."""
        return self._slots[slot].state

    def time_of(self, slot: str) -> float:
        """libvlc's current time of the slot's film, in seconds (0 when empty)."""
        state = self._slots[slot]
        if state.state is SlotState.EMPTY:
            return 0.0
        return max(0, int(state.player.get_time())) / 1000

    def snapshot(self, slot: str, path: Path, width: int = 320) -> bool:
        """Save the slot's current picture as PNG; safe on a worker thread (not a callback)."""
        state = self._slots[slot]
        if state.state is SlotState.EMPTY or not state.pictures:
            return False
        return int(state.player.video_take_snapshot(0, str(path), width, 0)) == 0

    # Sound -------------------------------------------------------------------------------

    def set_master_volume(self, percent: float) -> None:
        """The operator's master volume, 0-100 %."""
        self._master = max(0.0, min(100.0, percent))
        self._apply_all()

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute the films (the players keep running)."""
        self._muted = muted
        self._apply_all()

    def set_trim(self, film_id: str, trim_db: float) -> None:
        """The operator's correction for one film, added to its measured gain."""
        self._trims[film_id] = trim_db
        self._apply_all()

    def trim_of(self, film_id: str) -> float:
        """The operator's trim for a film in dB (0 if none)."""
        return self._trims.get(film_id, 0.0)

    def gain_of(self, film_id: str) -> float:
        """The gain asked for a film: preflight's measured gain plus the operator's trim."""
        return self._gain_for(film_id) + self.trim_of(film_id)

    def level_of(self, film_id: str) -> OutputLevel:
        """How libvlc plays a film: its preamp, its volume and the gain they really give."""
        return output_level(self.gain_of(film_id), self._master)

    @property
    def master_volume(self) -> float:
        """The master volume, 0-100 %."""
        return self._master

    @property
    def muted(self) -> bool:
        """Whether the films are muted."""
        return self._muted

    def _apply_all(self) -> None:
        for state in self._slots.values():
            if state.state in (SlotState.PLAYING, SlotState.PAUSED):
                self._apply_volume(state)

    def _apply_volume(self, state: _Slot) -> None:
        if state.film_id is None:
            return
        level = self.level_of(state.film_id)
        self._set_preamp(state, level.preamp_db)
        state.player.audio_set_mute(self._muted)
        if state.player.audio_set_volume(level.volume) != 0:
            log.warning("libvlc refused the volume of slot %s (no audio output)", state.name)

    def _set_preamp(self, state: _Slot, preamp_db: float) -> None:
        """Give the slot's player an equalizer that is flat but for its preamp."""
        if state.preamp_db is not None and abs(state.preamp_db - preamp_db) < 0.005:
            return
        if set_preamp(state.player, preamp_db):
            state.preamp_db = preamp_db

    # Audio output device -----------------------------------------------------------------

    def audio_devices(self) -> list[tuple[str, str]]:
        """The current audio output's devices as (id, description), from libvlc's
        `audio_output_device_enum` (empty: no device, or a dummy output)."""
        player = self._slots[SLOTS[0]].player
        found: list[tuple[str, str]] = []
        devices = player.audio_output_device_enum()
        device = devices
        while device:
            entry = device.contents
            found.append((_text(entry.device), _text(entry.description)))
            device = entry.next
        if devices:
            import vlc

            vlc.libvlc_audio_output_device_list_release(devices)
        return found

    def set_audio_device(self, device_id: str) -> None:
        """Send both players' sound to `device_id` (one of `audio_devices()`)."""
        self._device.choose(device_id, ())  # each slot is sent to it by its route below
        for state in self._slots.values():
            self._route_sound(state)
        if self._hold is not None:
            self._hold.warm()  # the new device may be cold
        log.info("audio device: %s", device_id)

    def reopen_audio(self, module: str) -> None:
        """Give both players a new audio output of libvlc's `module` (e.g. "pulse") and restart
        the sound of the films they hold, leaving the picture alone.

        libvlc 3 never reconnects an output whose sound server died or whose device went away
        (measured: it keeps failing to write, and choosing a device fails too). A new output
        (`audio_output_set`) is taken up when the film's audio track is switched off and on;
        the film's sound comes back within about a second (see kiosk.core.audio_watch)."""
        for state in self._slots.values():
            # without a module name only the track is restarted (enough when the server lives)
            self._route_sound(state, module)
            if state.state is SlotState.EMPTY:
                continue
            track = int(state.player.audio_get_track())
            if track < 0:
                continue
            state.player.audio_set_track(-1)
            generation = state.generation
            QTimer.singleShot(
                REOPEN_TRACK_MS, self, lambda s=state, t=track, g=generation: self._retrack(s, t, g)
            )
        if self._hold is not None:
            self._hold.warm(module)
        log.info("audio output reopened (%s)", module or "the same output, track restarted")

    def _route_sound(self, state: _Slot, module: str = "") -> None:
        """The one rule for a slot's sound output: a new output of libvlc's `module` when one
        is named, the chosen device, and the level the slot must have now (its film's while it
        plays or is paused, silence otherwise: a new output starts at full level).

        Set before each film's `play()` too: libvlc 3's PulseAudio output remembers a device
        for its next sound stream only when it is chosen while no stream is open (chosen while
        a film plays, it moves that film's stream and the next one opens on the system's
        default sink: measured, the third film of a night on the default sink)."""
        self._device.reopen(state.player, module)
        if state.state in (SlotState.PLAYING, SlotState.PAUSED):
            self._apply_volume(state)
        else:
            silence_player(state.player)

    def _retrack(self, state: _Slot, track: int, generation: int) -> None:
        if self._closed or state.generation != generation:
            return
        state.player.audio_set_track(track)
        if state.state in (SlotState.PLAYING, SlotState.PAUSED):
            state.preamp_db = None  # the new output starts without the film's equalizer
            self._apply_volume(state)

    # Shut-down ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop and release both players (call before the stage windows go)."""
        if self._closed:
            return
        self._closed = True
        self._watchdog.stop()
        self._pauser.close()
        self._stopper.close()  # no stop in flight while the players are released
        self._fades.close()  # no snapshot in flight either
        for state in self._slots.values():
            self._fades.cancel(state.name)
            state.generation += 1
            state.stop_pending, state.pending = False, []
            silence_player(state.player)
            state.player.stop()
            state.player.release()
            state.state = SlotState.EMPTY
        if self._hold is not None:
            self._hold.close()

    # Inside ------------------------------------------------------------------------------

    def _when_free(self, slot: str, action: Callable[[], None]) -> None:
        state = self._slots[slot]
        if state.stop_pending:
            state.pending.append(action)
        else:
            action()

    def _flush_stop(self, slot: str) -> None:
        state = self._slots[slot]
        if self._closed or not state.stop_pending or state.stopping:
            return
        state.stopping = True
        self._stopper.stop(state)  # what is asked of the slot meanwhile waits in `pending`

    @Slot(str)
    def _on_stopped(self, slot: str) -> None:
        state = self._slots[slot]
        state.stopping = False
        if self._closed or not state.stop_pending:
            return
        state.stop_pending = False
        actions, state.pending = state.pending, []
        for action in actions:
            action()

    def _load(self, slot: str, film_id: str, path: Path, start_at_s: float, *, play: bool) -> None:
        state = self._slots[slot]
        self._fades.cancel(slot)
        with self._lock:
            state.generation += 1
            state.own_pauses = 0
            state.pause_armed, state.paused_early = not play, False
        state.film_id, state.start_at_s = film_id, start_at_s
        state.play_when_ready, state.pictures, state.started = play, False, False
        state.length_s, state.position_s, state.position_sent_at = None, start_at_s, 0.0
        state.loaded_at = time.monotonic()
        cold_for_s = 0.0 if play or self._hold is None else self._hold.cold_for_s()
        if cold_for_s > 0:  # primed once the output is warm; a cut meanwhile plays it then
            silence_player(state.player)  # whatever it still holds, until it is loaded
            state.state = SlotState.PRIMING
            self._load_when_warm(slot, state.generation, path, cold_for_s)
            return
        if not path.is_file():
            state.state = SlotState.EMPTY
            state.film_id = None
            self._fail_later(film_id, f"the file is missing: {path}")
            return
        media = self._instance.media_new_path(str(path))
        media.add_option(":play-and-pause")  # keep the last frame up at the end
        if start_at_s > 0:
            media.add_option(f":start-time={start_at_s:.3f}")
        silence_player(state.player)  # set_media stops a film the player still holds
        state.player.set_media(media)
        media.release()
        # the film's equalizer set now: setting it later, while the film plays, restarts
        # libvlc's audio filters
        self._set_preamp(state, self.level_of(film_id).preamp_db)
        state.state = SlotState.PRIMING
        self._route_sound(state)  # silent until the cut, on the chosen device from its start
        if state.player.play() != 0:
            state.state, state.film_id = SlotState.EMPTY, None
            self._fail_later(film_id, "libvlc could not start the film")

    def _load_when_warm(self, slot: str, generation: int, path: Path, wait_s: float) -> None:
        """In `wait_s`, load the film `_load` put off until the output is warm (Qt's coarse
        timer may fire a little early: `_load_warm` then waits the rest)."""
        QTimer.singleShot(
            math.ceil(wait_s * 1000), self, lambda: self._load_warm(slot, generation, path)
        )

    def _load_warm(self, slot: str, generation: int, path: Path) -> None:
        """Prime the film `_load` put off until the output was warm, unless the slot has moved
        on (stopped, loaded again); played at once if the show cut to it meanwhile."""
        state = self._slots[slot]
        if self._closed or state.generation != generation or state.film_id is None:
            return
        if state.state is not SlotState.PRIMING:
            return
        cold_for_s = 0.0 if self._hold is None else self._hold.cold_for_s()
        if cold_for_s > 0:  # the timer came early, or the output was warmed again meanwhile
            self._load_when_warm(slot, generation, path, cold_for_s)
            return
        play = state.play_when_ready
        self._load(slot, state.film_id, path, state.start_at_s, play=play)

    def _fail_later(self, film_id: str, reason: str) -> None:
        """Report a failure from the event loop, never from inside the caller's call."""
        QTimer.singleShot(0, self, lambda: self.failed.emit(film_id, reason))

    def _check_priming(self) -> None:
        now = time.monotonic()
        for state in self._slots.values():
            if state.state is SlotState.PRIMING and now - state.loaded_at > PRIME_TIMEOUT_S:
                self._fail(state, f"no picture within {PRIME_TIMEOUT_S:g} s of loading")

    def _fail(self, state: _Slot, reason: str) -> None:
        film_id = state.film_id
        self._fades.cancel(state.name)
        silence_player(state.player)
        state.generation += 1
        state.state, state.film_id = SlotState.EMPTY, None
        state.stop_pending = True
        QTimer.singleShot(0, self, lambda: self._flush_stop(state.name))
        if film_id is not None:
            log.warning("film %s failed in slot %s: %s", film_id, state.name, reason)
            self.failed.emit(film_id, reason)

    @Slot(str, int, str, float, float)
    def _on_vlc_event(self, slot: str, generation: int, kind: str, value: float, at: float) -> None:
        state = self._slots[slot]
        if kind != "time":
            log.debug("slot %s gen %d: %s %.3f (%s)", slot, generation, kind, value, state.state)
        if generation != state.generation or state.film_id is None:
            return  # an event about what this slot held before
        film_id = state.film_id
        match kind:
            case "vout" if state.player.has_vout() > 0:
                self._first_picture(state)
            case "playing":
                if state.state is SlotState.PLAYING and state.pictures and not state.started:
                    state.started = True
                    self.film_started.emit(film_id)
            case "length" if value > 0:
                state.length_s = value
                self.duration.emit(film_id, value)
            case "time":
                self._time(state, value + (time.monotonic() - at))
            case "paused":
                with self._lock:
                    ours = state.own_pauses > 0
                    if ours:
                        state.own_pauses -= 1
                if not ours and state.state in (SlotState.PLAYING, SlotState.PRIMING):
                    self._end(state)  # `:play-and-pause` pauses at the end by itself
            case "end":
                self._end(state)
            case "error":
                self._fail(state, "libvlc could not decode the film")

    def _first_picture(self, state: _Slot) -> None:
        if state.pictures:
            return
        state.pictures = True
        if state.state is not SlotState.PRIMING:
            return
        with self._lock:
            early = state.paused_early
            if not early and not state.play_when_ready:
                state.own_pauses += 1  # paused below, here
            state.pause_armed = False
        if state.play_when_ready:
            if early:  # the pauser paused it before the cut was asked: resume it
                state.state = SlotState.READY
                self.cut(state.name)
                return
            self._apply_volume(state)
            state.state = SlotState.PLAYING
            state.started = True
            self.film_started.emit(state.film_id or "")
            return
        state.state = SlotState.READY
        if not early:
            state.player.set_pause(1)
        log.debug("primed %s (paused by the %s)", state.film_id, "pauser" if early else "Qt thread")

    def _time(self, state: _Slot, seconds: float) -> None:
        """libvlc's time of the film, carried forward to now (the event waited in Qt's queue)."""
        state.position_s = seconds
        if state.state is not SlotState.PLAYING:
            return
        now = time.monotonic()
        if now - state.position_sent_at >= POSITION_EVERY_S:
            state.position_sent_at = now
            self.position.emit(state.film_id or "", seconds)

    def _end(self, state: _Slot) -> None:
        film_id = state.film_id or ""
        if not state.pictures:
            self._fail(state, "libvlc found no picture in the file")
            return
        length = state.length_s
        if length is not None and state.position_s < length - EARLY_END_S:
            self._fail(
                state,
                f"the film stopped at {state.position_s:.1f} s of {length:.1f} s "
                "(the file looks damaged)",
            )
            return
        if state.state is SlotState.PLAYING:
            state.state = SlotState.PAUSED
        self.ended.emit(film_id)


class _Pauser:
    """Pauses a priming player the moment libvlc reports its first picture.

    libvlc's callbacks must not call libvlc, and the way through Qt's event queue can take a
    quarter of a second on a loaded machine, during which the film plays on, muted, and that
    part of it is lost. This thread is woken by the callback and pauses the player at once,
    if the slot still holds the same film (generation) and still wants the pause (armed).
    """

    def __init__(self, slots: dict[str, _Slot], lock: threading.Lock) -> None:
        self._slots = slots
        self._lock = lock
        self._wake: queue.SimpleQueue[tuple[str, int] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="player-pauser", daemon=True)
        self._thread.start()

    def first_picture(self, slot: str, generation: int) -> None:
        """Called from libvlc's thread: hand the pause to this thread (never call libvlc)."""
        self._wake.put((slot, generation))

    def close(self) -> None:
        """Stop the thread (before the players are released)."""
        self._wake.put(None)
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while (item := self._wake.get()) is not None:
            name, generation = item
            state = self._slots[name]
            with self._lock:
                if state.generation != generation or not state.pause_armed:
                    continue
                state.pause_armed, state.paused_early = False, True
                state.own_pauses += 1
                state.player.set_pause(1)


class _Stopper:
    """Ends the film a player holds on a thread of its own: libvlc waits for the film's threads
    to end (up to 1.5 s measured on a loaded machine), which must not hold the GUI thread.

    The film is ended with `set_media(None)`, not libvlc's stop, which would also destroy the
    player's audio output (see the module's docstring); `close` stops the players for good."""

    def __init__(self, stopped: Callable[[str], None]) -> None:
        self._stopped = stopped  # called on this thread with the slot's name (emits a signal)
        self._work: queue.SimpleQueue[_Slot | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="player-stopper", daemon=True)
        self._thread.start()

    def stop(self, slot: _Slot) -> None:
        """End the slot's film there; `stopped(name)` follows."""
        self._work.put(slot)

    def close(self) -> None:
        """Finish the stops asked for and end the thread (before the players are released)."""
        self._work.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while (slot := self._work.get()) is not None:
            started = time.monotonic()
            slot.player.set_media(None)  # keeps the audio output (`stop()` destroys it)
            log.debug("slot %s emptied in %.0f ms", slot.name, (time.monotonic() - started) * 1e3)
            self._stopped(slot.name)


def set_preamp(player: Any, preamp_db: float) -> bool:
    """Give a libvlc player an equalizer that is flat but for its preamp (the linear-in-dB
    stage of `kiosk.media.audio_level`); False if libvlc refused it. Set it before the sound
    starts: changing it while a player plays restarts libvlc's audio filters."""
    import vlc

    equalizer = vlc.AudioEqualizer()
    equalizer.set_preamp(preamp_db)
    refused = player.set_equalizer(equalizer) != 0
    equalizer.release()  # libvlc copied its values
    if refused:
        log.warning("libvlc refused the equalizer (preamp %.2f dB)", preamp_db)
    return not refused


def _text(value: object) -> str:
    """libvlc strings come as bytes (or None)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)
