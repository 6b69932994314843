"""What the projector can show besides a film: one frozen dataclass per kind of card.

A card only describes content; `card_painter` draws it and `CardView` puts it on the screen.
The award reveal's cards live in `reveal_cards` and are part of the same `Card` union.
Cards with a live clock or countdown carry the clock they read, so tests and previews can pass a
fixed or fast clock.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, Intermission, Programme
from kiosk.render.reveal_cards import RevealCard
from kiosk.render.vote_card import VoteCard


def event_now(event: EventConfig) -> dt.datetime:
    """The wall-clock time now, in the event's own time zone."""
    try:
        return dt.datetime.now(ZoneInfo(event.timezone))
    except ZoneInfoNotFoundError:
        return dt.datetime.now().astimezone()


def scheduled_start(event: EventConfig) -> dt.datetime:
    """The scheduled start of the show as an aware datetime in the event's time zone."""
    try:
        zone: dt.tzinfo = ZoneInfo(event.timezone)
    except ZoneInfoNotFoundError:
        zone = dt.datetime.now().astimezone().tzinfo or dt.UTC
    return dt.datetime.combine(event.date, event.start, tzinfo=zone)


@dataclass(frozen=True)
class HoldingCard:
    """Before the show: festival branding, the event, venue and date, a clock or a countdown."""

    event: EventConfig
    programme: Programme
    now_provider: Callable[[], dt.datetime] | None = None  # default: `event_now(event)`

    def now(self) -> dt.datetime:
        """The current wall-clock time, aware, in the event's zone."""
        if self.now_provider is not None:
            return self.now_provider()
        return event_now(self.event)

    def seconds_to_start(self) -> float:
        """Seconds until the scheduled start (negative once it has passed)."""
        return (scheduled_start(self.event) - self.now()).total_seconds()

    @property
    def live(self) -> bool:
        """The card shows a clock, so it is repainted every second."""
        return True


@dataclass(frozen=True)
class TitleCard:
    """Before each film: its place in the run order ("12 / 35"), title, director, country, year."""

    film: Film
    index: int  # 1-based place in tonight's run order
    total: int
    block_title: tuple[str, str] | None = None  # (English, Chinese) of the film's block, if any

    @classmethod
    def for_film(cls, film: Film, programme: Programme) -> TitleCard:
        """The title card of a film of this programme (with its block when there are several)."""
        block = None
        if len(programme.blocks) > 1:
            found = next((b for b in programme.blocks if b.id == film.block), None)
            block = (found.title_en, found.title_zh) if found else None
        return cls(film, film.position, len(programme), block)

    @property
    def live(self) -> bool:
        """A title card never changes while it is up."""
        return False


@dataclass(frozen=True)
class IntermissionCard:
    """The break, with a live countdown to the second half.

    `ends_at` is when the break ends on `clock` (time.monotonic by default); None freezes the
    countdown at `seconds_left` (the show is held, e.g. under black).
    """

    intermission: Intermission
    ends_at: float | None
    seconds_left: float = 0.0
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def counting(
        cls,
        intermission: Intermission,
        seconds_left: float,
        running: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> IntermissionCard:
        """From the show machine's `ShowIntermission(intermission, seconds_left, running)`."""
        ends_at = clock() + seconds_left if running else None
        return cls(intermission, ends_at, seconds_left, clock)

    def remaining(self) -> float:
        """Seconds left in the break, never below 0."""
        if self.ends_at is None:
            return max(0.0, self.seconds_left)
        return max(0.0, self.ends_at - self.clock())

    @property
    def live(self) -> bool:
        """Repainted every second while it counts down."""
        return self.ends_at is not None


@dataclass(frozen=True)
class EndCard:
    """After the last film: thank you / 多謝光臨."""

    event: EventConfig

    @property
    def live(self) -> bool:
        """The end card is still."""
        return False


@dataclass(frozen=True)
class BlackCard:
    """Plain black: nothing on the projector (e.g. between cues)."""

    @property
    def live(self) -> bool:
        """Black never changes."""
        return False


@dataclass(frozen=True)
class DifficultiesCard:
    """The projectionist's "technical difficulties / 技術問題" slide, instead of plain black."""

    event: EventConfig

    @property
    def live(self) -> bool:
        """The slide is still."""
        return False


Card = (
    HoldingCard
    | TitleCard
    | IntermissionCard
    | EndCard
    | BlackCard
    | DifficultiesCard
    | RevealCard
    | VoteCard
)
