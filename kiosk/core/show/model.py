"""The show's vocabulary: player slots, cues and the cue list, phases, film statuses, the
options, alerts, the resume point and the snapshot the console draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, Programme

JsonValue = str | int | float | bool | None


class Slot(Enum):
    """One of the adapter's two film players; consecutive films alternate between them."""

    A = "A"
    B = "B"

    @property
    def other(self) -> Slot:
        """The other player: where the next film is loaded."""
        return Slot.B if self is Slot.A else Slot.A


class CueKind(Enum):
    """What a cue puts on the projector."""

    HOLDING = "holding"
    CARD = "card"
    FILM = "film"
    INTERMISSION = "intermission"
    END = "end"


class ShowPhase(Enum):
    """The state of the current cue as the console shows it."""

    HOLDING = "holding"
    CARD = "card"
    FILM = "film"
    PAUSED = "paused"
    BLACK = "black"
    INTERMISSION = "intermission"
    FAILED = "failed"
    ENDED = "ended"


class FilmStatus(Enum):
    """Where a film stands in tonight's run."""

    PENDING = "pending"
    PLAYING = "playing"
    PLAYED = "played"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class Cue:
    """One step of the night, with a stable key such as `card:F03`, `film:F03` or `end`."""

    index: int
    kind: CueKind
    key: str
    film: Film | None = None
    seconds: float = 0.0  # planned length: card, declared runtime, intermission; else 0

    @property
    def label(self) -> str:
        """Operator-facing name, e.g. `Card · F03 · The Last Lantern`."""
        film = self.film.label if self.film is not None else ""
        match self.kind:
            case CueKind.CARD:
                return f"Card · {film}"
            case CueKind.FILM:
                return film
        return self.kind.name.capitalize()


@dataclass(frozen=True)
class ShowOptions:
    """How the night runs: cards, straight cut, unattended rehearsal and operator guards."""

    title_card_seconds: float = 8.0  # 0: no title cards
    straight_cut: bool = False  # films back to back: no cards, no intermission, no end slide
    auto: bool = False  # unattended rehearsal: holding and intermission end by themselves
    go_guard_s: float = 1.0  # a GO this soon after the last accepted one is ignored
    go_skips_film: bool = False  # GO during a playing film moves to the next cue
    restart_after_s: float = 5.0  # Back later than this into a film restarts it
    fade_s: float = 2.0  # length of fade to black and of unblack
    auto_hold_s: float = 5.0  # in auto mode, how long holding lasts
    position_every_s: float = 1.0  # at most one `film_position` journal entry this often
    cut_lead_s: float = 0.0  # the clock cut is ordered this long before the film's end

    def __post_init__(self) -> None:
        names = ("title_card_seconds", "go_guard_s", "restart_after_s", "fade_s", "cut_lead_s")
        for name in names:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more")
        if self.auto_hold_s < 0 or self.position_every_s < 0:
            raise ValueError("auto_hold_s and position_every_s must be 0 or more")

    @classmethod
    def from_event(
        cls, event: EventConfig, *, straight_cut: bool = False, auto: bool = False
    ) -> ShowOptions:
        """Options for the night described by `event.toml`."""
        return cls(
            title_card_seconds=event.title_card_seconds, straight_cut=straight_cut, auto=auto
        )


@dataclass(frozen=True)
class Alert:
    """A film that failed on the projector; the show waits for Retry or Skip."""

    film_id: str
    reason: str


@dataclass(frozen=True)
class IgnoredGo:
    """A GO press the machine refused, and why (shown on the console)."""

    at: float
    reason: str


@dataclass(frozen=True)
class ResumePoint:
    """Where to pick the show up after a crash: a cue, a film position and the films' status."""

    cue_key: str
    position_s: float = 0.0
    statuses: tuple[tuple[str, FilmStatus], ...] = ()
    show_elapsed_s: float = 0.0  # how long the night had run since its first GO, at the restore


@dataclass(frozen=True)
class Snapshot:
    """A read-only view of the show for the operator console."""

    phase: ShowPhase
    cue: Cue
    next_cue: Cue | None
    film: Film | None
    film_elapsed_s: float | None
    film_remaining_s: float | None
    countdown_s: float | None  # seconds left on a card or the intermission
    waiting_for_go: bool
    black: bool
    show_elapsed_s: float
    projected_end: float  # on the same monotonic clock as `now`
    films: tuple[tuple[Film, FilmStatus], ...]
    alert: Alert | None
    ignored_go: IgnoredGo | None
    started_at: float | None = None  # when the show left the holding slide (same clock as `now`)
    ended_at: float | None = None  # when it reached its end cue

    def status_of(self, film_id: str) -> FilmStatus:
        """The status of one film; KeyError if the programme has no such film."""
        for film, status in self.films:
            if film.id == film_id:
                return status
        raise KeyError(film_id)


def build_cues(programme: Programme, options: ShowOptions) -> tuple[Cue, ...]:
    """The cue list: holding, [card,] film for each film, intermission where planned, end."""
    cards = options.title_card_seconds > 0 and not options.straight_cut
    pause = None if options.straight_cut else programme.intermission
    items: list[tuple[CueKind, str, Film | None, float]] = [(CueKind.HOLDING, "holding", None, 0)]
    for film in programme.films:
        if cards:
            items.append((CueKind.CARD, f"card:{film.id}", film, options.title_card_seconds))
        items.append((CueKind.FILM, f"film:{film.id}", film, film.declared_runtime_s))
        if pause is not None and pause.after_film == film.id:
            items.append((CueKind.INTERMISSION, "intermission", None, pause.minutes * 60))
    items.append((CueKind.END, "end", None, 0))
    return tuple(
        Cue(index, kind, key, film, float(seconds))
        for index, (kind, key, film, seconds) in enumerate(items)
    )
