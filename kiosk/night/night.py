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

import sqlite_utils
from PySide6.QtCore import QObject, Signal

from kiosk.core.awards import RevealMachine, RevealStep
from kiosk.core.event import EventConfig
from kiosk.core.preflight import FilmCheck
from kiosk.core.programme import Programme
from kiosk.core.show import SHOW_RESET, CueKind, ResumePoint, ShowOptions, under_way
from kiosk.media.player import FilmPlayers
from kiosk.media.sound_server import pulse_socket
from kiosk.media.sting import StingPlayer
from kiosk.media.test_tone import TonePlayer
from kiosk.media.vlc_log import VlcLogTap
from kiosk.night.audio_alarm import SoundWatch
from kiosk.night.effects import EffectRunner
from kiosk.night.ports import OperatorMessages, Stage
from kiosk.night.projector import Projector
from kiosk.night.reveal import RevealController
from kiosk.night.show import ShowController, create_show, read_resume_point
from kiosk.render.cards import Card, DifficultiesCard
from kiosk.services.film_media import FilmMedia
from kiosk.store.film_checks import FilmCheckRepository
from kiosk.store.journal import Journal as JournalStore

log = logging.getLogger(__name__)

# what the show's keys do while the reveal has the projector
SHOW_KEYS_IN_REVEAL = {"go": "go", "back": "back", "fade": "fade", "black": "black", "skip": "go"}
SHOW_KEYS_IDLE_IN_REVEAL = frozenset({"pause", "rewind", "forward", "retry", "start_over"})


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
    ) -> None:
        super().__init__()
        self._checks = checks
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
        )
        if self.show is not None:
            self.show.close()
        self.show = show
        self.show_replaced.emit(show)  # before it starts: listeners see its first cue go up
        show.start()
        return show

    def restore(self) -> ResumePoint | None:
        """Open the show where the journal left it; returns the point restored (None: fresh)."""
        point = read_resume_point(self.journal)
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

    def route_show_key(self, name: str) -> bool:
        """For the show's keys: True if the reveal took key `name` (it has the projector)."""
        reveal = self.reveal
        if self.mode is not KeyMode.REVEAL or reveal is None or not reveal.running:
            return False
        if name in SHOW_KEYS_IN_REVEAL:
            action = {
                "go": reveal.go,
                "back": reveal.back,
                "fade": reveal.fade_to_black,
                "black": reveal.cut_to_black,
            }[SHOW_KEYS_IN_REVEAL[name]]
            action()
            return True
        if name in SHOW_KEYS_IDLE_IN_REVEAL:
            if self.messages is not None:
                self.messages.info("That show key does nothing during the award reveal")
            return True
        return False  # sound keys (volume, mute, trims) still work

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
        self.mode_changed.emit(KeyMode.REVEAL if to_reveal else KeyMode.SHOW)

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
        """Stop the show and close the projector (players, sting, stage window)."""
        if self.show is not None:
            self.show.close()
        self.projector.close()
        if self.sound is not None:
            self.sound.close()


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
) -> Night:
    """The night on an event's database: a projector of `stage` and two players on `instance`
    (gains from preflight, for the very file preflight measured: `kiosk.services.film_media`;
    `by_identity`: found by each file's content, not its film id, as `rehearse FILE...`
    needs), the journal and its one effect runner. No show runs yet."""
    checks = FilmCheckRepository(db)
    media = FilmMedia(db, programme.films, by_identity=by_identity)
    tap = VlcLogTap(instance)  # before the players: libvlc names its audio output then
    players = FilmPlayers(instance, media.gain_db)
    sting = StingPlayer(instance)
    projector = Projector(
        stage, players, sting, tone=TonePlayer(instance), bind_surfaces=bind_surfaces
    )
    journal = JournalStore(db)
    runner = EffectRunner(journal, messages)
    sound = SoundWatch(
        tap, players, messages, runner.record, pulse_socket=pulse_socket(), sting=sting
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
    )
