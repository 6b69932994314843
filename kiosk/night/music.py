"""The room's music, wired up: the pure `MusicDeck` driving the two music players.

The show asks for music through its effects (`StartMusic` on the holding, intermission and End
slides, `FadeMusic` at GO, see `kiosk.core.show.machine`); the booth's keys ask for start,
pause/resume, skip, fade-now and the level. Every request goes to the deck; the effects it
returns are carried out on the players and their journal entries committed by the night's one
`EffectRunner` (one transaction per batch) before the console redraws (`changed`). The
players' facts (position, end, failure) go back to the deck. A tick of its own lets the deck
free a deck whose fade-out is over.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.core.music import (
    DeckState,
    FadeOutTrack,
    MusicDeck,
    MusicEffect,
    MusicLevel,
    MusicRefused,
    MusicView,
    PauseTracks,
    PlayTrack,
    ResumeTracks,
)
from kiosk.core.music_plan import MusicMoment
from kiosk.core.show.effects import Journal
from kiosk.media.music_player import MusicPlayers
from kiosk.night.effects import EffectRunner
from kiosk.night.ports import OperatorMessages

log = logging.getLogger(__name__)

TICK_MS = 100
LEVEL_STEP_DB = 2.0  # one press of the booth's music level keys


class MusicController(QObject):
    """Runs the room's music: deck + players + journal, on the Qt thread.

    Signal `changed()` after anything the console's music line should redraw."""

    changed = Signal()

    def __init__(
        self,
        deck: MusicDeck,
        players: MusicPlayers,
        runner: EffectRunner,
        messages: OperatorMessages | None = None,
        *,
        fade_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.deck = deck
        self.players = players
        self.fade_s = fade_s  # the booth's fade-now takes the plan's fade time
        self._runner = runner
        self._messages = messages
        self._clock = clock
        self._closed = False
        players.set_level(deck.level_db)
        players.position.connect(self._position)
        players.ended.connect(self._ended)
        players.failed.connect(self._failed)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    # What the show asks -------------------------------------------------------------------

    def start(self, moment: MusicMoment, fade_in_s: float = 0.0) -> None:
        """The moment's music (the show entered its slide), rising over `fade_in_s`; nothing
        if it plays already."""
        self._carry_out(self.deck.start(self._clock(), moment, fade_in_s), booth=False)

    def fade(self, seconds: float) -> None:
        """Fade to silence over `seconds` (the show's GO); nothing if nothing sounds."""
        self._carry_out(self.deck.fade_out(self._clock(), seconds, by="show"), booth=False)

    # The booth ----------------------------------------------------------------------------

    def toggle(self, moment: MusicMoment | None) -> str:
        """Start the music of `moment` (the current slide's) if none plays, else pause or
        resume it; what happened, for the log panel."""
        now = self._clock()
        view = self.deck.view(now)
        if view.state is DeckState.PLAYING:
            self._carry_out(self.deck.pause(now))
            return "music paused"
        if view.state is DeckState.PAUSED:
            self._carry_out(self.deck.resume(now))
            return "music resumed"
        if moment is None:
            self._refused("start", "no music under title cards and films")
            return "no music here"
        self._carry_out(self.deck.start(now, moment))
        return f"{moment.label} music started"

    def skip(self) -> str:
        """The next track now."""
        self._carry_out(self.deck.skip(self._clock()))
        return "next track"

    def fade_now(self) -> str:
        """Fade the music out over the plan's fade time."""
        self._carry_out(self.deck.fade_out(self._clock(), self.fade_s, by="booth"))
        return f"music fading out over {self.fade_s:g} s"

    def level_by(self, step_db: float) -> str:
        """Move the booth's music level by `step_db`."""
        now = self._clock()
        self._carry_out(self.deck.set_level(now, self.deck.level_db + step_db))
        return f"music level {self.deck.level_db:+.1f} dB"

    def follow_master(self) -> None:
        """The films' master volume or mute changed: the music follows."""
        self.players.follow_master()

    def view(self) -> MusicView:
        """What the console's music line shows."""
        return self.deck.view(self._clock())

    def close(self) -> None:
        """Stop driving the music (the night closes; the projector releases the players)."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()

    # Inside -------------------------------------------------------------------------------

    def _carry_out(self, effects: list[MusicEffect], *, booth: bool = True) -> None:
        if self._closed:
            return

        def do(effect: MusicEffect) -> None:
            self._do(effect, booth)

        self._runner.run(effects, do)
        if not booth:  # the booth's own presses are in the log panel through the key map
            for effect in effects:
                if isinstance(effect, Journal):
                    self._tell(effect)
        self.changed.emit()

    def _tell(self, entry: Journal) -> None:
        """The log panel's line for what the show or the music itself did."""
        data = entry.data
        moment = data.get("moment")
        label = MusicMoment(moment).label if isinstance(moment, str) else "music"
        text = {
            "music_started": f"{label} music: {data.get('track')}",
            "music_track": f"now playing {data.get('track')} ({label})",
            "music_faded": f"{label} music fading out over {data.get('seconds')} s",
        }.get(entry.kind)
        if text is not None and self._messages is not None:
            self._messages.info(f"Music · 音樂: {text}")

    def _do(self, effect: MusicEffect, booth: bool) -> None:
        players = self.players
        match effect:
            case PlayTrack(deck, track, fade_in):
                players.play(deck, track.path, track.gain_db, fade_in)
            case FadeOutTrack(deck, seconds):
                players.fade_out(deck, seconds)
            case PauseTracks():
                players.pause()
            case ResumeTracks():
                players.resume()
            case MusicLevel(level):
                players.set_level(level)
            case MusicRefused(action, reason):
                if booth:
                    self._refused(action, reason)
                else:
                    log.debug("music %s: %s", action, reason)

    def _refused(self, action: str, reason: str) -> None:
        log.info("music %s refused: %s", action, reason)
        if self._messages is not None:
            self._messages.info(f"Music · 音樂: {reason}")

    def _tick(self) -> None:
        now = self._clock()
        before = self.deck.view(now).state
        self.deck.tick(now)  # a deck whose fade-out is over is free again (no effects)
        if self.deck.view(now).state is not before:
            self.changed.emit()

    def _position(self, deck: int, seconds: float, length_s: float) -> None:
        effects = self.deck.track_position(self._clock(), deck, seconds, length_s)
        if effects:
            self._carry_out(effects, booth=False)

    def _ended(self, deck: int) -> None:
        self._carry_out(self.deck.track_ended(self._clock(), deck), booth=False)

    def _failed(self, deck: int, reason: str) -> None:
        log.warning("music deck %d failed: %s", deck, reason)
        if self._messages is not None:
            self._messages.warning(f"Music · 音樂: {reason}; the next track plays")
        self._carry_out(self.deck.track_failed(self._clock(), deck, reason), booth=False)
