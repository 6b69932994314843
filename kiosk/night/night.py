"""The running night as one object: the journal, the current show, the reveal, the key mode.

`Night` owns the projector (stage + A/B players + sting) and the one `EffectRunner` that both
the show and the reveal carry their effects out through. Everything that replaces or hands over
the running show goes through it — restoring after a crash, Start over, the award reveal and
the rehearsal — so every holder of "the show" asks the night for it, and hears
`show_replaced` when it changes, instead of keeping a controller that may have been closed.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from pathlib import Path

import sqlite_utils
from PySide6.QtCore import QObject, Signal

from kiosk.core.awards import RevealMachine, RevealStep
from kiosk.core.event import EventConfig
from kiosk.core.music import music_deck
from kiosk.core.music_plan import SKIP_FADE_S, MusicMoment, moment_of_cue
from kiosk.core.preflight import FilmCheck
from kiosk.core.programme import Programme
from kiosk.core.show import SHOW_RESET, CueKind, ResumePoint, ShowOptions, SoundSettings, under_way
from kiosk.media.music_player import MusicPlayers
from kiosk.media.player import FilmPlayers
from kiosk.media.sound_server import pulse_socket
from kiosk.media.sting import StingPlayer
from kiosk.media.test_tone import TonePlayer
from kiosk.media.vlc_log import VlcLogTap
from kiosk.night.audio_alarm import SoundWatch
from kiosk.night.effects import EffectRunner
from kiosk.night.journal_writer import JournalWriter
from kiosk.night.music import MusicController
from kiosk.night.ports import OperatorMessages, Stage
from kiosk.night.projector import Projector
from kiosk.night.reveal import RevealController
from kiosk.night.show import NightStart, ShowController, create_show, read_night_start
from kiosk.render.cards import Card, DifficultiesCard
from kiosk.services.film_media import FilmMedia
from kiosk.services.music import playable_tracks
from kiosk.store.database import db_path, open_database
from kiosk.store.film_checks import FilmCheckRepository
from kiosk.store.journal import Journal as JournalStore

log = logging.getLogger(__name__)

# what the show's keys do while the reveal has the projector


class KeyMode(enum.Enum):
    """Whom the operator's GO, back and black keys drive."""

    SHOW = "show"
    REVEAL = "reveal"


class Night(QObject):
    """Tonight, running: the show controller, the award reveal and the projector they share.

    Signals: `show_replaced(ShowController)` when a new show is about to start (restored,
    started over; the one before it is closed already);
    `reveal_started(RevealController)`; `mode_changed(KeyMode)` when the projector goes to the
    reveal or back to the show.
    """

    show_replaced = Signal(object)
    reveal_started = Signal(object)
    mode_changed = Signal(object)
    film_outside_stage = Signal(str)  # libvlc drew a film in a window of its own: why

    def __init__(
        self,
        config: EventConfig,
        programme: Programme,
        journal: JournalStore,
        projector: Projector,
        runner: EffectRunner,
        messages: OperatorMessages | None = None,
        *,
        options: ShowOptions | None = None,
        checks: FilmCheckRepository | None = None,
        media: FilmMedia | None = None,
        sound: SoundWatch | None = None,
        log_tap: VlcLogTap | None = None,
        music: MusicController | None = None,
        start: NightStart | None = None,
    ) -> None:
        """``start``: the journal as the night opens (:func:`read_night_start`), read before
        any window; None: a night with no show before it (nothing to restore)."""
        super().__init__()
        self._start = start
        self._checks = checks
        self._outside_reported = False
        self.log_tap = log_tap  # libvlc's log (None: a night built without it)
        self.music = music  # the room's music (None: the programme has no [music])
        self.sound = sound  # the "no sound" alarm (None: a night built without it)
        self.media = media  # which film files are the ones preflight measured
        self.config = config
        self.programme = programme
        self.journal = journal
        self.projector = projector
        self.runner = runner
        self.messages = messages
        self.options = options or ShowOptions.from_event(config)
        self.show: ShowController | None = None
        self.reveal: RevealController | None = None
        projector.handed_over.connect(self._handed_over)
        if log_tap is not None:
            log_tap.own_window.connect(self._libvlc_own_window)

    def _libvlc_own_window(self, reason: str) -> None:
        """libvlc says it draws outside the stage: the audience sees nothing of the film."""
        log.error("FILM OUTSIDE THE PROJECTOR WINDOW: %s", reason)
        if not self._outside_reported and self.messages is not None:
            self.messages.error(
                "Films are playing OUTSIDE the projector window · 影片沒有在投影視窗播放 — "
                f"{reason}. Quit and start the app again in an X11 session."
            )
        self._outside_reported = True
        self.film_outside_stage.emit(reason)

    @property
    def mode(self) -> KeyMode:
        """Whom the show's keys drive now."""
        return KeyMode.REVEAL if self.projector.with_reveal else KeyMode.SHOW

    def film_checks(self) -> dict[str, FilmCheck]:
        """The stored preflight results (from the last run, by anyone)."""
        return self._checks.all() if self._checks is not None else {}

    # The show ----------------------------------------------------------------------------

    def open_show(self, resume: ResumePoint | None = None) -> ShowController:
        """A started show on the projector (replacing any show before it); `resume` restores
        it paused where the journal left it. Raises ValueError if the resume cue is gone."""
        show = create_show(
            self.config,
            self.programme,
            self.projector,
            self.runner,
            self.messages,
            options=self.options,
            resume=resume,
            media=self.media,
            music=self.music,
        )
        if self.show is not None:
            self.show.close()
        self.show = show
        self.show_replaced.emit(show)  # before it starts: listeners see its first cue go up
        show.start()
        return show

    def restore(self) -> ResumePoint | None:
        """Open the show where the journal left it (as read when the night opened); returns
        the point restored (None: fresh)."""
        point = self._start.resume if self._start is not None else None
        restore = point if under_way(point) else None
        try:
            self.open_show(restore)
        except ValueError as exc:  # the programme changed since: the journal's cue is gone
            log.warning("could not restore the show: %s", exc)
            if self.messages is not None:
                self.messages.warning(
                    f"Could not restore the show ({exc}); starting from the holding slide"
                )
            restore = None
            self.open_show(None)
        return restore

    def start_over(self, by: str | None = None) -> ShowController:
        """Journal that the night starts over, then a fresh show at the holding slide."""
        if self.show is not None:
            self.show.close()  # its `show_closed` belongs to the run before the reset
        self.runner.record(SHOW_RESET, {"by": by} if by else {})
        if self.messages is not None and by is None:
            self.messages.warning("The show was started over from the holding slide")
        return self.open_show(None)

    # The award reveal --------------------------------------------------------------------

    def start_reveal(
        self, machine: RevealMachine, card_for: Callable[[RevealStep], Card]
    ) -> RevealController:
        """Hand the projector to a started reveal of `machine` (only before or after the show)."""
        if self.show is not None:
            reason = self.show.can_lend_players()
            if reason is not None:
                raise RuntimeError(reason)
        reveal = RevealController(
            machine,
            self.config,
            self.programme,
            self.projector,
            self.runner,
            card_for,
            self.messages,
        )
        self.reveal = reveal
        reveal.start()
        self.reveal_started.emit(reveal)
        return reveal

    # The projectionist's extra controls ----------------------------------------------------

    def toggle_difficulties(self) -> bool:
        """Put the bilingual "technical difficulties / 技術問題" slide up — black at once first,
        which holds the show (or the reveal) where it is — or take it down (the projector stays
        black; GO lifts the black as usual). Returns True if the slide is now up."""
        stage = self.projector.stage
        if stage.slide_up:
            stage.set_slide(None)
            self.runner.record("difficulties_slide", {"up": False})
            return False
        if not stage.black:
            reveal = self.reveal
            if self.mode is KeyMode.REVEAL and reveal is not None and reveal.running:
                reveal.cut_to_black()
            elif self.show is not None:
                self.show.cut_to_black()
            else:
                stage.set_black(True)
        stage.set_slide(DifficultiesCard(self.config))
        self.runner.record("difficulties_slide", {"up": True})
        return True

    def jump_cue(self, target: str) -> str:
        """The cue a jump to `target` (a film id, or "end") lands on: the film's title card if
        the show has cards, else the film itself. KeyError if there is no such film."""
        if target == "end":
            return "end"
        show = self.show
        if show is None:
            raise KeyError(target)
        for cue in show.machine.cues:
            if cue.film is not None and cue.film.id == target:
                return cue.key
        raise KeyError(target)

    def _handed_over(self, to_reveal: bool) -> None:
        music = self.music
        if music is not None and to_reveal:
            music.fade(SKIP_FADE_S)  # the reveal's sting and clips never play over music
        elif music is not None and (moment := self.music_moment()) is not None:
            music.start(moment)  # back on the holding or End slide: its music again
        self.mode_changed.emit(KeyMode.REVEAL if to_reveal else KeyMode.SHOW)

    # The room's music --------------------------------------------------------------------

    def music_moment(self) -> MusicMoment | None:
        """The music the slide on the projector calls for (None under cards and films, and
        while the reveal has the projector)."""
        show = self.show
        if show is None or show.closed or self.projector.with_reveal:
            return None
        return moment_of_cue(show.machine.cue.kind.value)

    def refresh_music(self) -> None:
        """Preflight measured the music again: the deck takes the new gains and leaves out
        what now fails (the track playing plays on)."""
        music, plan = self.music, self.programme.music
        if music is None or plan is None or self._checks is None:
            return
        found = playable_tracks(plan, self._checks.music())
        music.deck.set_tracks(found.tracks)
        music.changed.emit()

    def toggle_music(self) -> str:
        """The booth's music key: start the slide's music, or pause / resume what plays."""
        if self.music is None:
            return "no [music] in the programme"
        return self.music.toggle(self.music_moment())

    # End of the night --------------------------------------------------------------------

    def under_way(self) -> str | None:
        """What closing the app now would interrupt (None: nothing, the show has not started
        or has ended), e.g. `the show (film 12)` or `the award reveal`."""
        reveal = self.reveal
        if reveal is not None and reveal.running:
            return "the award reveal"
        show = self.show
        if show is None or show.closed:
            return None
        cue = show.machine.cue
        if cue.kind in (CueKind.HOLDING, CueKind.END):
            return None
        film = cue.film
        return f"the show (film {film.position})" if film is not None else f"the show ({cue.label})"

    def close(self) -> None:
        """Stop the show and close the projector (players, sting, music, stage window)."""
        if self.show is not None:
            self.show.close()
        if self.music is not None:
            self.music.close()
        self.projector.close()
        if self.sound is not None:
            self.sound.close()
        self.runner.close()  # the last entries (show_closed) are committed before we go


class _JournalFailures(QObject):
    """Carries the journal writer's failures from its thread to the operator's messages."""

    failed = Signal(str)


def journal_writer(
    db: sqlite_utils.Database, messages: OperatorMessages | None
) -> JournalWriter | None:
    """The night's ordered journal writer on its own connection to `db`'s file (None for an
    in-memory database: its entries are committed where they are made)."""
    path = db_path(db)
    if path == ":memory:":
        return None
    failures = _JournalFailures()
    if messages is not None:
        failures.failed.connect(messages.error)  # queued: emitted on the writer's thread

    def report(text: str) -> None:  # (holds `failures` for as long as the writer lives)
        failures.failed.emit(text)

    return JournalWriter(lambda: open_database(Path(path), migrate_schema=False), report)


def night_start(db: sqlite_utils.Database) -> NightStart:
    """The journal of ``db`` read back as the night opens (:func:`read_night_start`)."""
    return read_night_start(JournalStore(db))


def open_night(
    config: EventConfig,
    programme: Programme,
    db: sqlite_utils.Database,
    stage: Stage,
    instance: object,
    messages: OperatorMessages | None = None,
    *,
    options: ShowOptions | None = None,
    bind_surfaces: bool = True,
    by_identity: bool = False,
    start: NightStart | None = None,
) -> Night:
    """The night on an event's database: a projector of `stage` and two players on `instance`
    (gains from preflight, for the very file preflight measured: `kiosk.services.film_media`;
    `by_identity`: found by each file's content, not its film id, as `rehearse FILE...`
    needs), the journal and its one effect runner. No show runs yet. ``start`` is the
    journal read back (the resume point, the sound as last set, the music's entries): read
    here when not given; the console reads it before it opens any window. The players take
    its sound now: a show opened later (Start over) keeps the sound as the operator left it."""
    journal = JournalStore(db)
    if start is None:
        start = read_night_start(journal)
    checks = FilmCheckRepository(db)
    media = FilmMedia(db, programme.films, by_identity=by_identity)
    tap = VlcLogTap(instance)  # before the players: libvlc names its audio output then
    players = FilmPlayers(instance, media.known_gain_db, log_tap=tap)
    sting = StingPlayer(instance)
    music_players = MusicPlayers(instance, players) if programme.music is not None else None
    projector = Projector(
        stage,
        players,
        sting,
        music=music_players,
        tone=TonePlayer(instance),
        bind_surfaces=bind_surfaces,
    )
    apply_sound(players, start.sound)
    runner = EffectRunner(journal, messages, writer=journal_writer(db, messages))
    music = None
    if music_players is not None:
        music = _music_controller(programme, checks, start, music_players, runner, messages)
        music.follow_master()
    sound = SoundWatch(
        tap,
        players,
        messages,
        runner.record,
        pulse_socket=pulse_socket(),
        sting=sting,
        music=music_players,
    )
    return Night(
        config,
        programme,
        journal,
        projector,
        runner,
        messages,
        options=options,
        checks=checks,
        media=media,
        sound=sound,
        log_tap=tap,
        music=music,
        start=start,
    )


def apply_sound(players: FilmPlayers, sound: SoundSettings) -> None:
    """Master volume, mute and trims as last journalled (what was never set stays)."""
    if sound.master_percent is not None:
        players.set_master_volume(sound.master_percent)
    if sound.muted is not None:
        players.set_muted(sound.muted)
    for film_id, trim_db in sound.trims_db.items():
        players.set_trim(film_id, trim_db)


def _music_controller(
    programme: Programme,
    checks: FilmCheckRepository,
    start: NightStart,
    players: MusicPlayers,
    runner: EffectRunner,
    messages: OperatorMessages | None,
) -> MusicController:
    """The room's music: each moment's tracks as preflight measured them, the booth's level
    and each moment's track as last journalled, shuffled the same way every time for this
    programme."""
    plan = programme.music
    assert plan is not None
    found = playable_tracks(plan, checks.music())
    for note in found.notes:
        log.warning("music: %s", note)
        if messages is not None:
            messages.warning(f"Music · 音樂: {note}")
    deck = music_deck(plan, found.tracks, seed=programme.name_en, journal=start.music)
    return MusicController(deck, players, runner, messages, fade_s=plan.fade_s)
