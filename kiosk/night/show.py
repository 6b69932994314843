"""The show, wired up: the pure `ShowMachine` driving the projector window and the film players.

The controller owns the machine and a ~25 ms tick, plus a precise one-shot timer aimed at the
clock-driven cut (`ShowMachine.clock_cut_at`), re-aimed at every position the players report,
or at the end of a card's countdown (`ShowMachine.countdown_ends_at`), so a cut is never late
by up to a tick. Every operator action, tick and player fact
goes to the machine; the effects it returns are carried out in order on the stage (cards,
video surfaces, black) and the players by the night's one `EffectRunner`, which commits the
`Journal` entries to SQLite in one transaction per batch, after the projector has changed (the
machine orders them so) and before the console shows the new state (the console reads
`snapshot()` afterwards). The controller plays on the night's `Projector`; while the award
reveal has the projector, the show's clock stands still and the players' facts are not its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, Programme
from kiosk.core.show import (
    SHOW_CLOSED,
    SHOW_RESET,
    Black,
    Blank,
    CueKind,
    CutToFilm,
    Effect,
    FadeMusic,
    Ignored,
    Journal,
    JsonValue,
    PauseFilm,
    PlayFilm,
    PreloadFilm,
    ResumeFilm,
    ResumePoint,
    SeekFilm,
    ShowCard,
    ShowEnd,
    ShowHolding,
    ShowIntermission,
    ShowMachine,
    ShowOptions,
    ShowPhase,
    Snapshot,
    SoundSettings,
    StartMusic,
    StopFilm,
    Unblack,
    resume_point,
    show_started_at,
    sound_settings,
)
from kiosk.core.subtitles import SubtitleCue
from kiosk.media.player import FIRST_PICTURE_S
from kiosk.night.effects import EffectRunner
from kiosk.night.music import MusicController
from kiosk.night.ports import OperatorMessages
from kiosk.night.projector import Projector
from kiosk.night.subtitle_loader import SubtitleLoader
from kiosk.render.cards import (
    BlackCard,
    Card,
    EndCard,
    HoldingCard,
    IntermissionCard,
    TitleCard,
)
from kiosk.services.film_media import FilmMedia
from kiosk.store.journal import Journal as JournalStore

log = logging.getLogger(__name__)

TICK_MS = 25
AIM_WITHIN_S = 1.0  # the cut timer is aimed once the clock cut is this close (positions refine it)


class ShowController(QObject):
    """Runs tonight's show: machine + projector + journal, on the Qt thread.

    Signals: `changed()` after anything the console should redraw at once; `ignored(action,
    reason)` when the machine refuses an action (e.g. a second GO within the guard);
    `ended()` once the end cue is reached; `failed(film_id, reason)` when a film fails.
    """

    changed = Signal()
    ignored = Signal(str, str)
    ended = Signal()
    failed = Signal(str, str)

    def __init__(
        self,
        machine: ShowMachine,
        event: EventConfig,
        projector: Projector,
        runner: EffectRunner,
        messages: OperatorMessages | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        media: FilmMedia | None = None,
        music: MusicController | None = None,
    ) -> None:
        super().__init__()
        self.media = media  # which film files are the ones preflight measured
        self.music = music  # the room's music, which the show starts and fades
        self.preload_failures: dict[str, str] = {}  # films that failed while preloading
        self.machine = machine
        self.config = event
        self.programme: Programme = machine.programme
        self.projector = projector
        self.stage = projector.stage
        self.players = projector.players
        self.messages = messages
        self._runner = runner
        self._clock = clock
        self.closed = False
        self.on_stage: str | None = None  # slot whose video is up, None while a card is
        self._subtitles: dict[str, list[SubtitleCue]] = {}
        self._subtitle_files = SubtitleLoader(machine.programme.films)  # read off this thread
        self._subtitle_text: str | None = None
        self._subtitle_level = 1.0
        self._ended = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._cut_timer = QTimer(self)
        self._cut_timer.setSingleShot(True)
        self._cut_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._cut_timer.timeout.connect(self._cut_due)
        self._lift_slot: str | None = None  # a film fading up under the curtain, until it drops
        players = self.players
        players.film_started.connect(self._film_started)
        players.position.connect(self._film_position)
        players.duration.connect(self._film_duration)
        players.ended.connect(self._film_ended)
        players.failed.connect(self._film_failed)
        players.fade_lift_ready.connect(self._lift_curtain)
        projector.handed_over.connect(self._handed_over)

    # Life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Bind the players to the stage surfaces, put the first cue up and start ticking."""
        self.projector.bind_surfaces()
        self._carry_out(self.machine.open(self._clock()))
        self._timer.start()

    def close(self) -> None:
        """Stop ticking, stop the films and let go of the projector (which stays open).

        Journalled as `show_closed`, so the report tells a quit from a crash."""
        if self.closed:
            return
        self.closed = True
        snap = self.snapshot()
        position = snap.film_elapsed_s or 0.0
        self._runner.write([Journal(SHOW_CLOSED, {"cue": snap.cue.key, "position": position})])
        self._timer.stop()
        self._cut_timer.stop()
        self._lift_slot = None
        self._subtitle_files.close()
        players = self.players
        players.film_started.disconnect(self._film_started)
        players.position.disconnect(self._film_position)
        players.duration.disconnect(self._film_duration)
        players.ended.disconnect(self._film_ended)
        players.failed.disconnect(self._film_failed)
        players.fade_lift_ready.disconnect(self._lift_curtain)
        self.projector.handed_over.disconnect(self._handed_over)
        if not self.projector.closed:
            self.projector.stop_films()

    def now(self) -> float:
        """The controller's clock (monotonic seconds)."""
        return self._clock()

    def _handed_over(self, to_reveal: bool) -> None:
        """The reveal took the projector (stand still) or gave it back (show our cue again)."""
        if to_reveal:
            self._timer.stop()
            self._set_subtitle(None)
            return
        cue = self.machine.cue.kind
        if cue is CueKind.END:
            self._card(EndCard(self.config))
        elif cue is CueKind.HOLDING:
            self._card(HoldingCard(self.config, self.programme))
        self.stage.set_black(self.snapshot().black)
        self._timer.start()
        self.changed.emit()

    def can_lend_players(self) -> str | None:
        """Why the projector cannot go to the reveal now (None: it can): only before or after
        the show."""
        if self.machine.cue.kind in (CueKind.HOLDING, CueKind.END):
            return None
        return "the show is under way: finish it (or go to the end cue) before the awards"

    @property
    def players_lent(self) -> bool:
        """True while the award reveal has the projector."""
        return self.projector.with_reveal

    def snapshot(self) -> Snapshot:
        """The show as the console shows it, now."""
        return self.machine.snapshot(self._clock())

    # Operator actions --------------------------------------------------------------------

    def go(self) -> None:
        """GO."""
        self._act(self.machine.go)

    def toggle_pause(self) -> None:
        """Pause, or resume what is paused."""
        phase = self.snapshot().phase
        self._act(self.machine.resume if phase is ShowPhase.PAUSED else self.machine.pause)

    def fade_to_black(self) -> None:
        """Fade to black and hold (or lift the black if it is already down)."""
        if self.snapshot().black:
            self._act(self.machine.unblack)
        else:
            self._act(self.machine.fade_to_black)

    def cut_to_black(self) -> None:
        """Black at once and hold."""
        self._act(self.machine.cut_to_black)

    def back(self) -> None:
        """Restart the film, or go back a cue."""
        self._act(self.machine.back)

    def skip(self) -> None:
        """Move on to the next cue."""
        self._act(self.machine.skip)

    def retry(self) -> None:
        """Play a failed film again from where it failed."""
        self._act(self.machine.retry)

    def seek_by(self, seconds: float) -> None:
        """Move the current film by `seconds` (negative: back)."""
        snap = self.snapshot()
        if snap.film_elapsed_s is None:
            self._act(lambda now: self.machine.seek(now, 0.0))
            return
        target = snap.film_elapsed_s + seconds
        self._act(lambda now: self.machine.seek(now, target))

    def jump_to(self, cue_key: str) -> None:
        """Go straight to a cue (`film:F03`, `card:F03`, `intermission`, `end`)."""
        self._act(lambda now: self.machine.jump_to(now, cue_key))

    # Sound -------------------------------------------------------------------------------

    def set_master_volume(self, percent: float) -> None:
        """Master volume 0-100 %, journalled so a restart keeps it."""
        self.players.set_master_volume(percent)
        if self.music is not None:
            self.music.follow_master()
        self._runner.write([Journal("master_volume", {"percent": self.players.master_volume})])
        self.changed.emit()

    def toggle_mute(self) -> None:
        """Mute or unmute the films."""
        self.players.set_muted(not self.players.muted)
        if self.music is not None:
            self.music.follow_master()
        self._runner.write([Journal("mute", {"muted": self.players.muted})])
        self.changed.emit()

    def set_trim(self, film_id: str, trim_db: float) -> None:
        """The operator's gain correction for one film, journalled."""
        self.players.set_trim(film_id, trim_db)
        self._runner.write([Journal("gain_trim", {"film": film_id, "trim_db": trim_db})])
        self.changed.emit()

    # Inside ------------------------------------------------------------------------------

    def tick(self) -> None:
        """The clock: cards end, countdowns run, films are cut at their duration."""
        effects = self.machine.tick(self._clock())
        if effects:
            self._carry_out(effects)
        self._update_subtitle()

    def _act(self, action: Callable[[float], list[Effect]]) -> None:
        if self.players_lent or self.closed:
            log.info("show action ignored: the award reveal has the projector")
            return
        self._carry_out(action(self._clock()))

    def _film_position(self, film_id: str, seconds: float) -> None:
        self._fact(self.machine.film_position, film_id, seconds)

    def _film_duration(self, film_id: str, seconds: float) -> None:
        if not self.players_lent:
            self.machine.film_duration(film_id, seconds)

    def _film_ended(self, film_id: str) -> None:
        self._fact(self.machine.film_ended, film_id)

    def _fact(self, fact: Callable[..., list[Effect]], *args: Any) -> None:
        if self.players_lent:
            return
        effects = fact(self._clock(), *args)
        if effects:
            self._carry_out(effects)
        else:
            self._aim_cut()  # a new position moves the film clock

    def _film_started(self, film_id: str) -> None:
        """Journal the gain the film really plays at, then tell the machine."""
        if not self.players_lent:
            self._runner.write([Journal("film_gain", self.gain_report(film_id))])
        self._fact(self.machine.film_started, film_id)

    def gain_report(self, film_id: str) -> dict[str, JsonValue]:
        """What the film plays at, for the journal and the console: preflight's gain (if its
        file is the one measured), the operator's trim, libvlc's preamp and volume."""
        level = self.players.level_of(film_id)
        verdict = self.media.known_verdict(film_id) if self.media is not None else None
        return {
            "film": film_id,
            "gain_db": None if level.gain_db == -math.inf else round(level.gain_db, 2),
            "preflight_db": round(self.players.gain_of(film_id) - self.players.trim_of(film_id), 2),
            "trim_db": self.players.trim_of(film_id),
            "preamp_db": level.preamp_db,
            "volume": level.volume,
            "master_percent": self.players.master_volume,
            "limited": level.limited,
            "file": verdict.state.value if verdict is not None else None,
        }

    def _film_failed(self, film_id: str, reason: str) -> None:
        if self.players_lent:
            return
        effects = self.machine.film_failed(self._clock(), film_id, reason)
        alert = self.machine.snapshot(self._clock()).alert
        on_screen = alert is not None and alert.film_id == film_id
        if on_screen:
            self.preload_failures.pop(film_id, None)
        else:  # only preloading: the show loads it again when its turn comes
            self.preload_failures[film_id] = reason
        if self.messages is not None:
            if on_screen:
                self.messages.error(f"Film {film_id} failed: {reason}")
            else:
                self.messages.error(
                    f"Film {film_id} could not be preloaded: {reason}. It is tried again at its "
                    "turn; check the file now"
                )
        self.failed.emit(film_id, reason)
        self._carry_out(effects)

    def _carry_out(self, effects: Iterable[Effect]) -> None:
        self._runner.run(effects, self._do)
        self._aim_cut()
        if not self._ended and self.machine.cue.kind is CueKind.END:
            self._ended = True
            self.ended.emit()
        self.changed.emit()

    def _do(self, effect: Effect) -> None:
        stage, players = self.stage, self.players
        match effect:
            case ShowHolding():
                self._card(HoldingCard(self.config, self.programme))
            case ShowCard(film, _):
                self._card(TitleCard.for_film(film, self.programme))
            case ShowIntermission(intermission, seconds_left, running):
                card = IntermissionCard.counting(intermission, seconds_left, running, self._clock)
                self._card(card)
            case ShowEnd():
                self._card(EndCard(self.config))
            case Blank():
                self._card(BlackCard())
            case PreloadFilm(film, slot, start_at):
                players.preload(slot.value, film.id, film.file, start_at)
            case PlayFilm(film, slot, start_at):
                players.play(slot.value, film.id, film.file, start_at)
                self._video(slot.value)
            case CutToFilm(_, slot):
                # raise first: the surface keeps the old picture on screen (Qt never paints
                # it) until libvlc draws the new first frame, ~FIRST_PICTURE_S after the resume
                self._video(slot.value)
                players.cut(slot.value)
            case PauseFilm(slot):
                players.pause(slot.value)
            case ResumeFilm(slot):
                players.resume(slot.value)
            case SeekFilm(slot, position):
                players.seek(slot.value, position)
            case StopFilm(slot):
                players.stop(slot.value)
            case Black(fade):
                self._lift_slot = None
                stage.set_black(True, fade)
            case Unblack(fade):
                self._unblack(fade)
            case StartMusic(moment, fade_in):
                if self.music is not None and not self.players_lent:
                    self.music.start(moment, fade_in)
            case FadeMusic(seconds):
                if self.music is not None:
                    self.music.fade(seconds)
            case Ignored(action, reason):
                log.info("%s ignored: %s", action, reason)
                self.ignored.emit(action, reason)

    def _aim_cut(self) -> None:
        """Aim the one-shot cut timer at the next cut the clock makes: a film's clock cut when
        it is near (else later positions refine it, or the tick takes it), a card's end (or
        the intermission's) at once, its countdown being the show's own clock."""
        now = self._clock()
        film_cut = self.machine.clock_cut_at(now)
        if film_cut is not None and film_cut - now > AIM_WITHIN_S:
            film_cut = None
        due = film_cut if film_cut is not None else self.machine.countdown_ends_at(now)
        if due is None:
            self._cut_timer.stop()
            return
        # whole milliseconds, rounded up: firing a hair early would leave the cut to the tick
        self._cut_timer.start(max(0, math.ceil((due - now) * 1000)))

    def _unblack(self, fade_s: float) -> None:
        """Lift the black. Over a card the stage fades its curtain away. Over a film, which X11
        cannot blend a curtain over, the film fades itself up from black (libvlc's adjust
        filter) and the black curtain drops once libvlc draws the film through the filter, at
        black (`players.fade_lift_ready`; see `kiosk.core.picture_lift`)."""
        slot = self.on_stage
        self._lift_slot = None
        if slot is None or fade_s <= 0 or not self.players.fade_in(slot, fade_s):
            self.stage.set_black(False, fade_s)
            return
        self._lift_slot = slot

    def _lift_curtain(self, slot: str) -> None:
        if slot != self._lift_slot:  # black again, or another film, meanwhile
            return
        self._lift_slot = None
        if not self.machine.snapshot(self._clock()).black:
            self.stage.set_black(False, 0.0)

    def _cut_due(self) -> None:
        if self._timer.isActive():  # only while the show ticks (not closed, not lent)
            self.tick()

    def _card(self, card: Card) -> None:
        self.on_stage = None
        self._set_subtitle(None)
        self.stage.show_card(card)
        self._lift_cut_away()

    def _video(self, slot: str) -> None:
        self.on_stage = slot
        self.stage.show_video(slot)  # flushed to the X server before libvlc draws
        if slot != self._lift_slot:
            self._lift_cut_away()

    def _lift_cut_away(self) -> None:
        """The show cut away from a film whose curtain still waited for libvlc (the film ended
        or was skipped under it): the black was lifted, so the new picture comes up at once."""
        if self._lift_slot is not None:
            self._lift_curtain(self._lift_slot)

    # Subtitles ---------------------------------------------------------------------------

    def _update_subtitle(self) -> None:
        film = self.machine.cue.film
        if self.on_stage is None or film is None or film.subtitles is None:
            self._set_subtitle(None)
            return
        elapsed = self.snapshot().film_elapsed_s or 0.0
        cues = self._subtitles_of(film)
        text = next((c.text for c in cues if c.start_s <= elapsed < c.end_s), None)
        self._set_subtitle(text, self.players.picture_level(self.on_stage))

    def _subtitles_of(self, film: Film) -> list[SubtitleCue]:
        if film.id not in self._subtitles:
            loaded = self._subtitle_files.ready(film.id)
            if loaded is None:
                return []  # its file is still being read (on the loader's thread)
            if loaded.problem is not None:
                log.warning("subtitles of %s cannot be shown: %s", film.id, loaded.problem)
                if self.messages is not None:
                    self.messages.warning(
                        f"Subtitles of {film.id} cannot be shown: {loaded.problem}"
                    )
            self._subtitles[film.id] = loaded.cues
        return self._subtitles[film.id]

    def _set_subtitle(self, text: str | None, level: float = 1.0) -> None:
        """Subtitles fade with the picture: their level follows the film's fade up."""
        if text != self._subtitle_text or abs(level - self._subtitle_level) > 0.01:
            self._subtitle_text, self._subtitle_level = text, level
            self.stage.set_subtitle(text, level)


def create_show(
    event: EventConfig,
    programme: Programme,
    projector: Projector,
    runner: EffectRunner,
    messages: OperatorMessages | None = None,
    *,
    options: ShowOptions | None = None,
    resume: ResumePoint | None = None,
    media: FilmMedia | None = None,
    music: MusicController | None = None,
) -> ShowController:
    """A controller with its machine on the night's projector; `media` says which film files
    are the ones preflight measured (the gain report, the console's flags); `music` is the
    room's music the show starts and fades."""
    chosen = options or ShowOptions.from_event(event)
    # the next player takes about FIRST_PICTURE_S to show its first frame: order the cut so early
    machine = ShowMachine(programme, replace(chosen, cut_lead_s=FIRST_PICTURE_S), resume)
    return ShowController(machine, event, projector, runner, messages, media=media, music=music)


@dataclass(frozen=True)
class NightStart:
    """What the journal says the night opens with, read once when the event opens (before any
    window, so the GUI thread never reads the journal back during the night): where the show
    was, the sound as last set, and the music's entries for its deck."""

    resume: ResumePoint | None
    sound: SoundSettings
    music: tuple[tuple[str, Mapping[str, Any]], ...] = ()


MUSIC_KINDS = ("music_level", "music_started", "music_track", SHOW_RESET)


def read_night_start(journal: JournalStore, now: dt.datetime | None = None) -> NightStart:
    """The night's start from one read of the journal: the resume point (None if no show was
    ever opened) with how long the night has been running at `now` (default: this moment) if
    it had begun, the sound settings and the music's entries."""
    entries = list(journal.entries())
    pairs = [(e.kind, e.data) for e in entries]
    music = tuple((kind, data) for kind, data in pairs if kind in MUSIC_KINDS)
    sound = sound_settings(pairs)
    point = resume_point(pairs)
    started = show_started_at((e.kind, e.at) for e in entries)
    if point is None or started is None:
        return NightStart(point, sound, music)
    try:
        began = dt.datetime.fromisoformat(started)
    except ValueError:
        log.warning("the journal's show start %r is not a time; elapsed counts from now", started)
        return NightStart(point, sound, music)
    moment = now or dt.datetime.now(dt.UTC)
    elapsed = max(0.0, (moment - began).total_seconds())
    return NightStart(replace(point, show_elapsed_s=elapsed), sound, music)


def read_resume_point(journal: JournalStore, now: dt.datetime | None = None) -> ResumePoint | None:
    """Where the journal says the show was (see :func:`read_night_start`)."""
    return read_night_start(journal, now).resume
