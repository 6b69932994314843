"""The jury's results and the award reveal: what is announced, in which order, one GO at a time.

Plain Python, no Qt, no VLC, no I/O, in the manner of `kiosk.core.show`:

* `parse_jury_results` reads the jury's TOML (one `[[results]]` table per category) and checks
  it against the event's award categories and the programme, reporting every problem at once;
* `build_plan` turns the categories (in the order `event.toml` declares them) and the opened
  results into the reveal's steps: category card, nominees, honourable mentions, "and the award
  goes to ...", the winner, the winner's clip;
* `RevealMachine` steps through the plan on GO/back, holds black or the holding slide, and
  returns effects for the adapter to carry out, `Journal` entries for the journal among them.

Secrecy: a `RevealStep` names its category and its kind, never a film. Nothing the machine
records for the journal names a film, so the journal can be written before, during and after
the reveal without giving a winner away; only `PlayClip` (an instruction to the player, kept in
memory) carries the winning film's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from kiosk.core.awards.plan import RevealStep, StepKind, plan_fingerprint
from kiosk.core.awards.results import ClipRange, JuryResults
from kiosk.core.show.effects import Black, Journal, Unblack

# --- Effects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Present:
    """Put a step's card on the projector; `entering`: arrived by GO (animate, play stings)."""

    step: RevealStep
    entering: bool = True


@dataclass(frozen=True)
class PlayClip:
    """Play `film_id` from `start_s` to `end_s` on the show's player, on the projector."""

    step: RevealStep
    film_id: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class StopClip:
    """Stop the clip (its card is presented by the next effect)."""


@dataclass(frozen=True)
class Sting:
    """Play the sting sound ("and the award goes to ...")."""


@dataclass(frozen=True)
class ShowHoldingSlide:
    """Put the festival's holding slide up (the reveal's place is kept)."""


@dataclass(frozen=True)
class Refused:
    """An action that does nothing now, with the reason for the console."""

    action: str
    reason: str


RevealEffect = (
    Present | PlayClip | StopClip | Sting | Black | Unblack | ShowHoldingSlide | Refused | Journal
)

REVEAL_OPENED = "reveal_opened"
REVEAL_STEP = "reveal_step"
REVEAL_BLACK = "reveal_black"
REVEAL_HOLDING = "reveal_holding"
REVEAL_CLIP_ENDED = "reveal_clip_ended"
REVEAL_RESET = "reveal_reset"
REVEAL_KINDS = (
    REVEAL_OPENED,
    REVEAL_STEP,
    REVEAL_BLACK,
    REVEAL_HOLDING,
    REVEAL_CLIP_ENDED,
    REVEAL_RESET,
)


# --- The machine -------------------------------------------------------------------------


class RevealScreen(Enum):
    """What the projector shows while the reveal runs."""

    NOTHING_YET = "nothing_yet"  # before the first GO: the show's last card stays up
    STEP = "step"  # the current step's card (or its clip)
    BLACK = "black"
    HOLDING = "holding"


@dataclass(frozen=True)
class RevealSnapshot:
    """The reveal as the console shows it."""

    current: RevealStep | None
    next: RevealStep | None
    screen: RevealScreen
    clip_playing: bool
    step_count: int

    @property
    def black(self) -> bool:
        """The projector is held black."""
        return self.screen is RevealScreen.BLACK

    @property
    def finished(self) -> bool:
        """The closing card is up."""
        return self.current is not None and self.current.kind is StepKind.CLOSING


@dataclass(frozen=True)
class RevealResume:
    """Where the journal says an interrupted reveal was."""

    index: int
    fingerprint: str


def reveal_resume_point(entries: Iterable[tuple[str, Mapping[str, Any]]]) -> RevealResume | None:
    """Read journal (kind, data) pairs in order: the last step reached, if a reveal was opened."""
    fingerprint: str | None = None
    index = -1
    for kind, data in entries:
        if kind == REVEAL_RESET:
            fingerprint, index = None, -1
        elif kind == REVEAL_OPENED:
            fingerprint = str(data.get("plan", ""))
            index = max(-1, int(data.get("resume_at", -1)))
        elif kind == REVEAL_STEP and isinstance(data.get("step"), int):
            index = int(data["step"])
    if fingerprint is None or index < 0:
        return None
    return RevealResume(index, fingerprint)


class RevealMachine:
    """Steps through the reveal plan; every input returns the effects to carry out, in order.

    GO moves to the next step (or, while black or the holding slide is up, brings the current
    step back without moving on). Back moves to the previous step without animation or sting.
    During a clip, GO moves on and back returns to the winner card. Projector effects always
    come before `Journal` entries.
    """

    def __init__(
        self,
        plan: Sequence[RevealStep],
        results: JuryResults,
        *,
        resume_at: int | None = None,
        fade_s: float = 1.0,
        clip_fade_s: float = 0.8,
    ) -> None:
        if not plan:
            raise ValueError("a reveal needs at least one step")
        self.plan = tuple(plan)
        self.results = results
        self.fade_s = fade_s
        self.clip_fade_s = clip_fade_s  # the clip fades out into its winner card
        self.fingerprint = plan_fingerprint(self.plan)
        self._index = -1 if resume_at is None else max(0, min(resume_at, len(self.plan) - 1))
        self._resumed = resume_at is not None
        self._screen = RevealScreen.NOTHING_YET
        self._clip_playing = False
        self._clip_closing = False  # the clip's fade to black has begun

    # -- reading --------------------------------------------------------------------------

    @property
    def current(self) -> RevealStep | None:
        """The step the reveal is at (None before the first GO)."""
        return self.plan[self._index] if self._index >= 0 else None

    @property
    def next(self) -> RevealStep | None:
        """The step the next GO brings."""
        following = self._index + 1
        return self.plan[following] if following < len(self.plan) else None

    def snapshot(self) -> RevealSnapshot:
        """The reveal as the console shows it."""
        return RevealSnapshot(
            self.current, self.next, self._screen, self._clip_playing, len(self.plan)
        )

    # -- life cycle -----------------------------------------------------------------------

    def open(self) -> list[RevealEffect]:
        """Begin (or resume): a resumed reveal holds black at its step until GO."""
        data: dict[str, str | int | float | bool | None] = {
            "plan": self.fingerprint,
            "steps": len(self.plan),
            "resume_at": self._index,
        }
        if self._resumed:
            self._screen = RevealScreen.BLACK
            return [Black(0.0), Journal(REVEAL_OPENED, data)]
        return [Journal(REVEAL_OPENED, data)]

    # -- operator actions -----------------------------------------------------------------

    def go(self) -> list[RevealEffect]:
        """The next step; or bring the current step back from black or the holding slide."""
        effects: list[RevealEffect] = []
        if self._screen in (RevealScreen.BLACK, RevealScreen.HOLDING) and self.current:
            was_black = self._screen is RevealScreen.BLACK
            self._screen = RevealScreen.STEP
            effects.append(Present(self._static(self.current), entering=False))
            if was_black:
                effects.append(Unblack(self.fade_s))
            effects.append(Journal(REVEAL_BLACK if was_black else REVEAL_HOLDING, {"on": False}))
            return effects
        if self.next is None:
            return [Refused("go", "the reveal is over: the closing card is up")]
        was_black = self._screen is RevealScreen.BLACK or self._clip_closing
        effects += self._end_clip()
        self._index += 1
        self._screen = RevealScreen.STEP
        effects.extend(self._enter(self.plan[self._index]))
        if was_black:
            effects.append(Unblack(0.0))
        effects.append(self._record_step())
        return effects

    def back(self) -> list[RevealEffect]:
        """The previous step (or, during a clip, the winner card), shown still."""
        if self._clip_playing:
            closing = self._clip_closing
            current = self.current
            assert current is not None
            shown = [*self._end_clip(), Present(self._static(current), entering=False)]
            return [*shown, Unblack(0.0)] if closing else shown
        if self._index <= 0:
            return [Refused("back", "this is the first step")]
        self._index -= 1
        effects: list[RevealEffect] = [Present(self._static(self.plan[self._index]), False)]
        if self._screen is not RevealScreen.STEP:
            effects.append(Unblack(0.0))
        self._screen = RevealScreen.STEP
        effects.append(self._record_step())
        return effects

    def fade_to_black(self) -> list[RevealEffect]:
        """Fade to black and hold (again: bring the step back)."""
        return self._black(self.fade_s)

    def cut_to_black(self) -> list[RevealEffect]:
        """Black at once and hold (again: bring the step back)."""
        return self._black(0.0)

    def toggle_holding(self) -> list[RevealEffect]:
        """The festival's holding slide (again, or GO: back to the step)."""
        if self._screen is RevealScreen.HOLDING:
            return self.go()
        lift = self._screen is RevealScreen.BLACK or self._clip_closing
        effects = self._end_clip()
        if lift:
            effects.append(Unblack(0.0))
        self._screen = RevealScreen.HOLDING
        effects += [ShowHoldingSlide(), Journal(REVEAL_HOLDING, {"on": True})]
        return effects

    # -- facts from the player ------------------------------------------------------------

    def clip_finished(self, reason: str | None = None) -> list[RevealEffect]:
        """The clip reached its end (or failed, with `reason`): back to the winner card."""
        if not self._clip_playing:
            return []
        closing = self._clip_closing
        current = self.current
        assert current is not None
        effects = self._end_clip()
        if self._screen is RevealScreen.STEP:
            effects.append(Present(self._static(current), entering=False))
            if closing:
                effects.append(Unblack(self.clip_fade_s))
        data: dict[str, str | int | float | bool | None] = {"step": self._index}
        if reason:
            data["failed"] = True
        effects.append(Journal(REVEAL_CLIP_ENDED, data))
        return effects

    def clip_position(self, position_s: float) -> list[RevealEffect]:
        """The clip's position in the film: it fades out before its end time, stops at it."""
        clip = self._clip_range()
        if not self._clip_playing or clip is None:
            return []
        if position_s >= clip.end_s:
            return self.clip_finished()
        fade = min(self.clip_fade_s, clip.seconds / 2)
        if fade > 0 and not self._clip_closing and position_s >= clip.end_s - fade:
            self._clip_closing = True
            return [Black(fade)]
        return []

    # -- inside ---------------------------------------------------------------------------

    def _black(self, fade_s: float) -> list[RevealEffect]:
        if self._screen is RevealScreen.BLACK:
            return self.go() if self.current else []
        effects = self._end_clip()
        self._screen = RevealScreen.BLACK
        effects += [Black(fade_s), Journal(REVEAL_BLACK, {"on": True})]
        return effects

    def _end_clip(self) -> list[RevealEffect]:
        """Stop the clip if one plays (the caller puts up what comes next)."""
        if not self._clip_playing:
            return []
        self._clip_playing = False
        self._clip_closing = False
        return [StopClip()]

    def _clip_range(self) -> ClipRange | None:
        current = self.current
        if current is None or current.award is None:
            return None
        result = self.results.for_category(current.award.id)
        return result.clip if result else None

    def _static(self, step: RevealStep) -> RevealStep:
        """What stays up for a step shown still: a clip step shows its winner card."""
        if step.kind is StepKind.CLIP:
            return next(
                s
                for s in reversed(self.plan[: step.index])
                if s.kind is StepKind.WINNER and s.award == step.award
            )
        return step

    def _enter(self, step: RevealStep) -> list[RevealEffect]:
        if step.kind is StepKind.CLIP:
            result = self.results.for_category(step.award.id) if step.award else None
            if result is None or result.clip is None:
                return [Present(self._static(step), entering=False)]
            self._clip_playing = True
            return [PlayClip(step, result.winner, result.clip.start_s, result.clip.end_s)]
        if step.kind is StepKind.ENVELOPE:
            return [Present(step), Sting()]
        return [Present(step)]

    def _record_step(self) -> Journal:
        step = self.plan[self._index]
        return Journal(
            REVEAL_STEP,
            {
                "step": self._index,
                "kind": step.kind.value,
                "award": step.award.id if step.award else None,
            },
        )
