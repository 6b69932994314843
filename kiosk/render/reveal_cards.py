"""The award reveal's projector cards: one frozen dataclass per kind, and the step-to-card builder.

Like `kiosk.render.cards`, a card only describes what it shows; `reveal_painter` draws it and
`CardView` animates its entrance (`entrance_s` seconds; the winner card's is the longest).
Every card of an award carries that award, so its name is on the screen at every step.

`card_for_step` turns one `RevealStep` of the plan into its card, reading the films from the
programme, the opened results and a still for each film. It raises ValueError for a plan that
does not fit the results; its messages name awards, never films.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from kiosk.core.awards import CategoryResult, JuryResults, RevealStep, StepKind
from kiosk.core.event import AwardCategory, EventConfig
from kiosk.core.programme import Film, Programme

FADE_IN_S = 0.6  # opening, category, pending and closing cards fade up from black
NOMINEES_ENTRANCE_S = 1.0  # the nominees appear one after another
ENVELOPE_ENTRANCE_S = 0.8
WINNER_ENTRANCE_S = 1.5


class _RevealCardTraits:
    """What every reveal card shares: still while it is up, with an entrance of ENTRANCE_S."""

    ENTRANCE_S: ClassVar[float] = FADE_IN_S

    @property
    def live(self) -> bool:
        """Reveal cards never change while they are up."""
        return False

    @property
    def entrance_s(self) -> float:
        """How long the card's entrance animation runs, in seconds."""
        return self.ENTRANCE_S


class StillSource(Protocol):
    """Where a card finds the still of a film (kiosk.media.stills' StillProvider)."""

    def still_for(self, film: Film) -> Path | None:
        """The still to show for `film`, or None for a placeholder."""
        ...


@dataclass(frozen=True)
class ShownFilm:
    """A film as a reveal card shows it: the film and its still (None: a placeholder)."""

    film: Film
    still: Path | None = None


@dataclass(frozen=True)
class AwardPlace:
    """The award a card belongs to and its place among tonight's awards ("2 / 4")."""

    award: AwardCategory
    number: int  # 1-based
    count: int


@dataclass(frozen=True)
class RevealOpeningCard(_RevealCardTraits):
    """Before the first award: "頒獎典禮 / The Awards", the festival and the event."""

    event: EventConfig

    # it fades up from black.
    ENTRANCE_S: ClassVar[float] = FADE_IN_S


@dataclass(frozen=True)
class AwardCategoryCard(_RevealCardTraits):
    """The award's name, very large, in both languages."""

    place: AwardPlace

    # it fades up from black (a new chapter).
    ENTRANCE_S: ClassVar[float] = FADE_IN_S


@dataclass(frozen=True)
class NomineesCard(_RevealCardTraits):
    """The award's nominees with a still each, in the jury's order (no sign of the winner)."""

    place: AwardPlace
    nominees: tuple[ShownFilm, ...]

    # the nominees appear one after another under the award's name.
    ENTRANCE_S: ClassVar[float] = NOMINEES_ENTRANCE_S


@dataclass(frozen=True)
class MentionsCard(_RevealCardTraits):
    """The jury's honourable mentions for the award."""

    place: AwardPlace
    mentions: tuple[ShownFilm, ...]

    # like the nominees.
    ENTRANCE_S: ClassVar[float] = NOMINEES_ENTRANCE_S


@dataclass(frozen=True)
class EnvelopeCard(_RevealCardTraits):
    """ "And the award goes to …" / 而得獎的是…… under the award's name."""

    place: AwardPlace

    # the words rise gently under the award's name.
    ENTRANCE_S: ClassVar[float] = ENVELOPE_ENTRANCE_S


@dataclass(frozen=True)
class WinnerCard(_RevealCardTraits):
    """The winner: still, title, director, country and the jury's citation, animated in."""

    place: AwardPlace
    winner: ShownFilm
    citation_en: str = ""
    citation_zh: str = ""

    # the still rises and zooms in, the title slides up, an amber line draws across
    ENTRANCE_S: ClassVar[float] = WINNER_ENTRANCE_S


@dataclass(frozen=True)
class PendingCard(_RevealCardTraits):
    """An award whose result is not in yet (the viewers' vote): "to be announced"."""

    place: AwardPlace

    # "To be announced" fades in under the award's name.
    ENTRANCE_S: ClassVar[float] = FADE_IN_S


@dataclass(frozen=True)
class RevealClosingCard(_RevealCardTraits):
    """After the last award: congratulations to all winners and finalists."""

    event: EventConfig

    # it fades up from black.
    ENTRANCE_S: ClassVar[float] = FADE_IN_S


RevealCard = (
    RevealOpeningCard
    | AwardCategoryCard
    | NomineesCard
    | MentionsCard
    | EnvelopeCard
    | WinnerCard
    | PendingCard
    | RevealClosingCard
)
REVEAL_CARD_TYPES = (
    RevealOpeningCard,
    AwardCategoryCard,
    NomineesCard,
    MentionsCard,
    EnvelopeCard,
    WinnerCard,
    PendingCard,
    RevealClosingCard,
)


def card_for_step(
    step: RevealStep,
    event: EventConfig,
    programme: Programme,
    results: JuryResults,
    stills: StillSource,
) -> RevealCard:
    """The card that shows `step` on the projector.

    A CLIP step is not a card: shown still (before or after its clip), it is its award's
    winner card. ValueError if the step needs a result the jury did not give.
    """
    if step.kind is StepKind.OPENING:
        return RevealOpeningCard(event)
    if step.kind is StepKind.CLOSING:
        return RevealClosingCard(event)
    if step.award is None:
        raise ValueError(f"the {step.kind.value} step has no award")
    place = AwardPlace(step.award, step.award_number, step.award_count)
    if step.kind is StepKind.CATEGORY:
        return AwardCategoryCard(place)
    if step.kind is StepKind.PENDING:
        return PendingCard(place)
    if step.kind is StepKind.ENVELOPE:
        return EnvelopeCard(place)
    result = results.for_category(step.award.id)
    if result is None:
        raise ValueError(f"the results have nothing for the award '{step.award.id}'")
    if step.kind is StepKind.NOMINEES:
        return NomineesCard(place, _shown(result.nominees, result, programme, stills))
    if step.kind is StepKind.MENTIONS:
        return MentionsCard(place, _shown(result.honourable_mentions, result, programme, stills))
    (winner,) = _shown((result.winner,), result, programme, stills)
    return WinnerCard(place, winner, result.citation_en, result.citation_zh)


def _shown(
    film_ids: tuple[str, ...], result: CategoryResult, programme: Programme, stills: StillSource
) -> tuple[ShownFilm, ...]:
    shown = []
    for film_id in film_ids:
        try:
            film = programme.film(film_id)
        except KeyError:
            raise ValueError(
                f"the results for the award '{result.category}' name a film that is not in "
                "tonight's programme"
            ) from None
        shown.append(ShownFilm(film, stills.still_for(film)))
    return tuple(shown)
