"""The award reveal, wired up: the pure `RevealMachine` driving the projector and players.

The night hands the reveal its whole `Projector` (stage, A/B players, sting): cards go up on
the same card layer, the winner's clip plays on the same players with the film's preflight gain
and the master volume, and the show stands still until the reveal gives the projector back.
The machine's effects go through the night's one `EffectRunner`, which commits the `Journal`
entries in one transaction per action, after the projector has changed and before the console
redraws; they name steps and awards, never films (see kiosk.core.awards).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.core.awards import (
    REVEAL_RESET,
    PlayClip,
    Present,
    Refused,
    RevealEffect,
    RevealMachine,
    RevealSnapshot,
    RevealStep,
    ShowHoldingSlide,
    StepKind,
    Sting,
    StopClip,
)
from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.core.show import Black, Journal, Unblack
from kiosk.night.effects import EffectRunner
from kiosk.night.ports import OperatorMessages
from kiosk.night.projector import Projector
from kiosk.render.cards import Card, HoldingCard

log = logging.getLogger(__name__)

CLIP_POLL_MS = 40
PREPARE_AFTER_MS = 2200  # after the entrance animation (~1.5 s), so no frame is delayed
CLIP_SLOT = "A"


class RevealController(QObject):
    """Runs the award reveal on the Qt thread: machine + the night's projector + journal.

    Signals: `changed()` after every action; `refused(action, reason)` when the machine
    refuses one (e.g. GO after the closing card).
    """

    changed = Signal()
    refused = Signal(str, str)

    def __init__(
        self,
        machine: RevealMachine,
        event: EventConfig,
        programme: Programme,
        projector: Projector,
        runner: EffectRunner,
        card_for: Callable[[RevealStep], Card],
        messages: OperatorMessages | None = None,
    ) -> None:
        super().__init__()
        self.machine = machine
        self.config = event
        self.programme = programme
        self.projector = projector
        self.stage = projector.stage
        self.players = projector.players
        self.sting = projector.sting
        self.messages = messages
        self._runner = runner
        self._card_for = card_for
        self._clip_film: str | None = None
        self.running = False
        self.on_stage: str | None = None  # the clip's slot while it is up, else None
        self._poll = QTimer(self)
        self._poll.setInterval(CLIP_POLL_MS)
        self._poll.timeout.connect(self._poll_clip)
        self._prepare = QTimer(self)
        self._prepare.setSingleShot(True)
        self._prepare.setInterval(PREPARE_AFTER_MS)
        self._prepare.timeout.connect(self._prepare_next)
        self.players.failed.connect(self._clip_failed)
        self.players.ended.connect(self._clip_ended)

    # Life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Take the projector from the show and open the reveal (a resumed one holds black)."""
        self.projector.hand_to_reveal()
        self.running = True
        self._carry_out(self.machine.open())
        log.info("award reveal opened (%d steps)", len(self.machine.plan))

    def finish(self) -> None:
        """Stop any clip and give the projector back to the show."""
        if not self.running:
            return
        self._stop_clip()
        self._prepare.stop()
        self.running = False
        current = self.machine.current
        # a reveal ended on purpose is not offered again after a restart
        self._runner.write([Journal(REVEAL_RESET, {"at_step": current.index if current else -1})])
        self.players.failed.disconnect(self._clip_failed)
        self.players.ended.disconnect(self._clip_ended)
        self.projector.give_back()
        log.info("award reveal closed")
        self.changed.emit()

    def snapshot(self) -> RevealSnapshot:
        """The reveal as the console shows it."""
        return self.machine.snapshot()

    # Operator actions --------------------------------------------------------------------

    def go(self) -> None:
        """The next step (or the current one back from black/holding)."""
        self._carry_out(self.machine.go())

    def back(self) -> None:
        """The previous step, shown still."""
        self._carry_out(self.machine.back())

    def fade_to_black(self) -> None:
        """Fade to black (again: bring the step back)."""
        self._carry_out(self.machine.fade_to_black())

    def cut_to_black(self) -> None:
        """Black at once (again: bring the step back)."""
        self._carry_out(self.machine.cut_to_black())

    def toggle_holding(self) -> None:
        """The festival's holding slide (again: back to the step)."""
        self._carry_out(self.machine.toggle_holding())

    # Inside ------------------------------------------------------------------------------

    def _carry_out(self, effects: Iterable[RevealEffect]) -> None:
        self._runner.run(effects, self._do)
        # The reveal has no cut to keep on time: its step is committed before the card is
        # painted (the next pass of the event loop), so a crash now resumes at this very step.
        self._runner.settle()
        self.changed.emit()

    def _do(self, effect: RevealEffect) -> None:
        match effect:
            case Present(step, entering):
                self.on_stage = None
                self.stage.show_card(self._card_for(step), animate=entering)
                self._prepare.start()
                log.info("reveal step %d: %s", step.index + 1, step.key)
            case PlayClip(step, film_id, start_s, _):
                film = self.programme.film(film_id)
                self._clip_film = film_id
                self.players.play(CLIP_SLOT, film_id, film.file, start_s)
                self.stage.show_video(CLIP_SLOT)
                self.on_stage = CLIP_SLOT
                self._poll.start()
                log.info("reveal step %d: %s", step.index + 1, step.key)
            case StopClip():
                self._stop_clip()
            case Sting():
                if self.sting is not None:
                    volume = 0.0 if self.players.muted else self.players.master_volume
                    self.sting.play(volume)
            case Black(fade_s):
                self.stage.set_black(True, fade_s)
            case Unblack(fade_s):
                self.stage.set_black(False, fade_s)
            case ShowHoldingSlide():
                self.on_stage = None
                self.stage.show_card(HoldingCard(self.config, self.programme), animate=False)
            case Refused(action, reason):
                log.info("reveal %s refused: %s", action, reason)
                self.refused.emit(action, reason)

    def _prepare_next(self) -> None:
        """Render the next GO's card now, while the audience looks at this one."""
        step = self.machine.next
        if step is None or not self.running or step.kind is StepKind.CLIP:
            return
        try:
            self.stage.prepare_card(self._card_for(step))
        except Exception:  # only a head start: the card is drawn at GO anyway
            log.warning("could not prepare the next reveal card", exc_info=True)

    def _stop_clip(self) -> None:
        self._poll.stop()
        if self._clip_film is not None:
            self.players.stop(CLIP_SLOT)
            self._clip_film = None
        self.on_stage = None

    def _poll_clip(self) -> None:
        if self._clip_film is None:
            self._poll.stop()
            return
        position = self.players.time_of(CLIP_SLOT)
        effects = self.machine.clip_position(position)
        if effects:
            self._carry_out(effects)

    def _clip_ended(self, film_id: str) -> None:
        if film_id == self._clip_film:
            self._carry_out(self.machine.clip_finished())

    def _clip_failed(self, film_id: str, reason: str) -> None:
        if film_id != self._clip_film:
            return
        log.warning("the winner's clip could not be played: %s", reason)
        if self.messages is not None:
            self.messages.error(f"The clip could not be played ({reason}); back to the card")
        self._carry_out(self.machine.clip_finished(reason))
