"""The room's music on libvlc: two players ("decks" 0 and 1) so one track can crossfade into the
next, on the films' own libvlc instance -- the same audio output and device as the films, the
same libvlc log the sound-loss alarm listens to.

Loudness goes the films' way (`kiosk.media.audio_level`): a track's gain in dB (preflight's,
plus the booth's music level) goes to the equalizer preamp, set before the track starts, and
the rest with the operator's master volume (the films', read at every change) to libvlc's
cubic volume. A fade scales the sound's *amplitude*; since libvlc's volume is
cubic, the volume set is `volume × amplitude^(1/3)`, stepped every `FADE_STEP_MS`. Fades are
equal-power (quarter sine up, quarter cosine down): a crossfade keeps the room's loudness.

A deck is never `stop()`ped while the night runs: libvlc 3's stop throws the player's audio
output away, `audio_set_volume` and `audio_set_mute` are then refused (-1) until the next
track's output exists, and that output starts at libvlc's 100 % -- measured on PulseAudio, the
first 30-40 ms of every track played at full level before the fade's first step reached it
(docs/dev/testing.md, "The music's first sound"). Loading the next track with `set_media`
(and silencing a deck with `set_media(None)`) keeps the output, so its level and mute, set
before `play`, hold from the track's first sample.

libvlc's callbacks only emit a queued Qt signal (`_vlc_event`); every libvlc call is made on
the Qt thread. Each load of a deck gets a new generation, so late events of the track a deck
played before are dropped.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from kiosk.media.audio_level import output_level
from kiosk.media.output_device import ChosenDevice
from kiosk.media.player import set_preamp

log = logging.getLogger(__name__)

DECKS = (0, 1)
FADE_STEP_MS = 40


class MasterSound(Protocol):
    """The films' master volume and mute, which the music follows (`FilmPlayers`)."""

    @property
    def master_volume(self) -> float:
        """0-100 %."""
        ...

    @property
    def muted(self) -> bool:
        """Whether the show's sound is muted."""
        ...


@dataclass
class _Fade:
    started: float
    seconds: float
    start_level: float  # amplitude, 0..1
    end_level: float
    stop_at_end: bool


@dataclass
class _Deck:
    player: Any  # vlc.MediaPlayer
    generation: int = 0
    path: Path | None = None
    gain_db: float = 0.0
    level: float = 0.0  # amplitude now (fades), 0..1
    fade: _Fade | None = None
    paused: bool = False
    length_s: float = 0.0
    preamp_db: float | None = None


def _faded(fade: _Fade, done: float) -> float:
    """The amplitude `done` (0..1) of the way through a fade: equal power (a quarter sine up,
    a quarter cosine down), so a track fading in under one fading out keeps the loudness."""
    if fade.end_level >= fade.start_level:
        return fade.start_level + (fade.end_level - fade.start_level) * math.sin(math.pi / 2 * done)
    return fade.end_level + (fade.start_level - fade.end_level) * math.cos(math.pi / 2 * done)


class MusicPlayers(QObject):
    """Two libvlc players for the room's music: play with a fade-in, fade out and stop, pause,
    resume, follow the booth's level and the films' master volume.

    Signals (Qt thread): `position(deck, seconds, length_s)` as libvlc reports its time,
    `ended(deck)`, `failed(deck, reason)`.
    """

    position = Signal(int, float, float)
    ended = Signal(int)
    failed = Signal(int, str)
    _vlc_event = Signal(int, int, str, float)  # deck, generation, kind, value (queued)

    def __init__(
        self,
        instance: object,
        master: MasterSound,
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        import vlc

        assert isinstance(instance, vlc.Instance)
        self._vlc = vlc
        self._instance = instance
        self._master = master
        self._clock = clock
        self._level_db = 0.0
        self._device = ChosenDevice()
        self._closed = False
        self._decks = [_Deck(instance.media_player_new()) for _ in DECKS]
        self._vlc_event.connect(self._on_vlc_event, Qt.ConnectionType.QueuedConnection)
        for index, deck in enumerate(self._decks):
            self._attach(index, deck)
        self._fader = QTimer(self)
        self._fader.setInterval(FADE_STEP_MS)
        self._fader.setTimerType(Qt.TimerType.PreciseTimer)
        self._fader.timeout.connect(self._step_fades)

    def _attach(self, index: int, deck: _Deck) -> None:
        vlc = self._vlc
        kinds: dict[Any, tuple[str, Callable[[Any], float] | None]] = {
            vlc.EventType.MediaPlayerPlaying: ("playing", None),
            vlc.EventType.MediaPlayerLengthChanged: ("length", lambda e: e.u.new_length / 1000),
            vlc.EventType.MediaPlayerTimeChanged: ("time", lambda e: e.u.new_time / 1000),
            vlc.EventType.MediaPlayerEndReached: ("end", None),
            vlc.EventType.MediaPlayerEncounteredError: ("error", None),
        }
        manager = deck.player.event_manager()
        for event_type, (kind, value_of) in kinds.items():
            manager.event_attach(event_type, self._callback(index, deck, kind, value_of))

    def _callback(
        self, index: int, deck: _Deck, kind: str, value_of: Callable[[Any], float] | None
    ) -> Callable[[Any], None]:
        def on_event(event: Any) -> None:  # a libvlc thread: read, emit, never call libvlc
            value = value_of(event) if value_of is not None else 0.0
            self._vlc_event.emit(index, deck.generation, kind, value)

        return on_event

    # Commands (Qt thread) ----------------------------------------------------------------

    def play(self, deck: int, path: Path, gain_db: float, fade_in_s: float = 0.0) -> None:
        """Start `path` on `deck` at `gain_db` (plus the booth's level), fading up over
        `fade_in_s` (0: at full level at once)."""
        state = self._decks[deck]
        state.generation += 1
        state.path, state.gain_db, state.paused, state.length_s = path, gain_db, False, 0.0
        if not path.is_file():
            self._stop(state)
            self._fail_later(deck, f"the music file is missing: {path}")
            return
        media = self._instance.media_new_path(str(path))
        state.player.set_media(media)  # ends what the deck played, keeps its audio output
        media.release()
        state.fade = None
        state.level = 0.0 if fade_in_s > 0 else 1.0
        state.preamp_db = None
        if not self._apply(state):  # preamp, mute and volume before the sound starts
            log.warning("music deck %d: libvlc refused the level before the sound", deck)
        if fade_in_s > 0:
            state.fade = _Fade(self._clock(), fade_in_s, 0.0, 1.0, stop_at_end=False)
            self._fader.start()
        if state.player.play() != 0:
            state.path = None
            self._fail_later(deck, "libvlc could not start the music file")
        log.info("music deck %d: %s at %+.1f dB, fade-in %.1f s", deck, path.name, gain_db,
                 fade_in_s)  # fmt: skip

    def fade_out(self, deck: int, seconds: float) -> None:
        """Fade `deck` to silence over `seconds` and stop it (0: stop at once)."""
        state = self._decks[deck]
        if state.path is None:
            return
        if seconds <= 0:
            self._stop(state)
            return
        state.fade = _Fade(self._clock(), seconds, state.level, 0.0, stop_at_end=True)
        self._fader.start()

    def pause(self) -> None:
        """Pause every deck that plays (a fade stands still where it is)."""
        now = self._clock()
        for state in self._decks:
            if state.path is not None and not state.paused:
                state.paused = True
                fade = state.fade
                if fade is not None:
                    left = fade.seconds * (1 - self._progress(fade, now))
                    state.fade = replace(fade, started=now, seconds=left, start_level=state.level)
                state.player.set_pause(1)

    def resume(self) -> None:
        """Resume the paused decks (a fade goes on from where it stood)."""
        now = self._clock()
        for state in self._decks:
            if state.path is not None and state.paused:
                state.paused = False
                if state.fade is not None:
                    state.fade = replace(state.fade, started=now)
                    self._fader.start()
                state.player.set_pause(0)

    def set_level(self, level_db: float) -> None:
        """The booth's music level in dB, on top of each track's gain."""
        self._level_db = level_db
        self.follow_master()

    def follow_master(self) -> None:
        """Apply the films' master volume and mute (after the operator changed them)."""
        for state in self._decks:
            if state.path is not None:
                self._apply(state)

    def sounding(self) -> bool:
        """Whether any deck plays (not paused): the sound-loss alarm expects sound then."""
        return any(s.path is not None and not s.paused for s in self._decks)

    def level_of(self, deck: int) -> float:
        """A deck's amplitude now (0 silent .. 1 full), for tests and the console."""
        state = self._decks[deck]
        return state.level if state.path is not None else 0.0

    def set_audio_device(self, device_id: str) -> None:
        """Send the music to `device_id` (the device the films use)."""
        self._device.choose(device_id, (state.player for state in self._decks))

    def reopen_audio(self, module: str) -> None:
        """A new audio output (after the sound server or device went; see
        `FilmPlayers.reopen_audio`): a deck that plays restarts its audio track on it."""
        for state in self._decks:
            self._device.reopen(state.player, module)
            if state.path is None:
                continue
            track = int(state.player.audio_get_track())
            if track >= 0:
                state.player.audio_set_track(-1)
                state.player.audio_set_track(track)
                state.preamp_db = None
                self._apply(state)

    def close(self) -> None:
        """Stop and release both players."""
        if self._closed:
            return
        self._closed = True
        self._fader.stop()
        for state in self._decks:
            state.generation += 1
            state.player.stop()
            state.player.release()
            state.path = None

    # Inside ------------------------------------------------------------------------------

    def _apply(self, state: _Deck) -> bool:
        """Set the deck's preamp, mute and volume; False if libvlc refused the volume (the
        player has no audio output)."""
        level = output_level(state.gain_db + self._level_db, self._master.master_volume)
        stale = state.preamp_db is None or abs(state.preamp_db - level.preamp_db) > 0.005
        if stale and set_preamp(state.player, level.preamp_db):
            state.preamp_db = level.preamp_db
        volume = round(level.volume * max(0.0, min(1.0, state.level)) ** (1 / 3))
        state.player.audio_set_mute(self._master.muted)
        return bool(state.player.audio_set_volume(volume) == 0)

    @staticmethod
    def _progress(fade: _Fade, now: float) -> float:
        if fade.seconds <= 0:
            return 1.0
        return max(0.0, min(1.0, (now - fade.started) / fade.seconds))

    def _step_fades(self) -> None:
        now = self._clock()
        busy = False
        for state in self._decks:
            fade = state.fade
            if fade is None or state.path is None or state.paused:
                continue
            done = self._progress(fade, now)
            state.level = _faded(fade, done)
            if done >= 1.0:
                state.fade = None
                if fade.stop_at_end:
                    self._stop(state)
                    continue
            else:
                busy = True
            self._apply(state)
        if not busy:
            self._fader.stop()

    def _stop(self, state: _Deck) -> None:
        """Silence the deck and end its track, keeping its audio output (see the module's
        docstring: `stop()` would lose it)."""
        state.generation += 1
        state.fade, state.path, state.level, state.paused = None, None, 0.0, False
        state.player.audio_set_volume(0)
        state.player.set_media(None)

    def _fail_later(self, deck: int, reason: str) -> None:
        QTimer.singleShot(0, self, lambda: self.failed.emit(deck, reason))

    @Slot(int, int, str, float)
    def _on_vlc_event(self, deck: int, generation: int, kind: str, value: float) -> None:
        state = self._decks[deck]
        if generation != state.generation or state.path is None:
            return
        match kind:
            case "playing":
                self._apply(state)  # again: a setting made before the output existed may be lost
            case "length" if value > 0:
                state.length_s = value
            case "time":
                self.position.emit(deck, value, state.length_s)
            case "end":
                if state.fade is not None and state.fade.stop_at_end:
                    # libvlc reports the end once it has read the file, while PulseAudio
                    # still holds ~1.3 s of its sound, and from then on takes no volume: a
                    # fade-out would freeze where it stood for that long. Silence at once.
                    self._stop(state)
                else:  # a track ending by itself plays out what is still buffered
                    state.generation += 1
                    state.path, state.fade = None, None
                self.ended.emit(deck)
            case "error":
                state.generation += 1
                name = state.path.name
                state.path, state.fade = None, None
                self.failed.emit(deck, f"libvlc could not play {name}")
