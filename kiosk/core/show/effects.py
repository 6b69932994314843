"""Effects: what the show machine asks its adapter to do, in order (frozen dataclasses).

The award reveal (kiosk.core.awards) shares `Black`, `Unblack` and `Journal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.music_plan import MusicMoment
from kiosk.core.programme import Film, Intermission
from kiosk.core.show.model import JsonValue, Slot


@dataclass(frozen=True)
class ShowHolding:
    """Put the holding slide (before the show) on the stage."""


@dataclass(frozen=True)
class ShowCard:
    """Put a film's title card on the stage for `seconds`."""

    film: Film
    seconds: float


@dataclass(frozen=True)
class ShowIntermission:
    """Put (or update) the intermission slide with its countdown."""

    intermission: Intermission
    seconds_left: float
    running: bool


@dataclass(frozen=True)
class ShowEnd:
    """Put the end-of-show slide on the stage."""


@dataclass(frozen=True)
class Blank:
    """Nothing to show: the stage is plain black (not the operator's black overlay)."""


@dataclass(frozen=True)
class PreloadFilm:
    """Load a film into a slot, paused at `start_at_s` and hidden, ready for a one-frame cut."""

    film: Film
    slot: Slot
    start_at_s: float = 0.0


@dataclass(frozen=True)
class PlayFilm:
    """Put a film on the stage from a slot: load it unless loaded there, seek, play."""

    film: Film
    slot: Slot
    start_at_s: float = 0.0


@dataclass(frozen=True)
class CutToFilm:
    """Seamless cut: start the film preloaded in `slot` from 0 and show it in the same frame."""

    film: Film
    slot: Slot


@dataclass(frozen=True)
class PauseFilm:
    """Pause the player of a slot (its picture stays up)."""

    slot: Slot


@dataclass(frozen=True)
class ResumeFilm:
    """Resume the paused player of a slot."""

    slot: Slot


@dataclass(frozen=True)
class SeekFilm:
    """Move the player of a slot to `position_s`, keeping it playing or paused."""

    slot: Slot
    position_s: float


@dataclass(frozen=True)
class StopFilm:
    """Stop and unload the player of a slot."""

    slot: Slot


@dataclass(frozen=True)
class Black:
    """Fade the black overlay in over `fade_s` seconds (0: cut)."""

    fade_s: float


@dataclass(frozen=True)
class Unblack:
    """Fade the black overlay out over `fade_s` seconds."""

    fade_s: float


@dataclass(frozen=True)
class StartMusic:
    """The room's music for this moment of the night (doors, intermission, walk-out), rising
    from silence over `fade_in_s` (0: at its level at once)."""

    moment: MusicMoment
    fade_in_s: float = 0.0


@dataclass(frozen=True)
class FadeMusic:
    """Fade the room's music to silence over `seconds` (0: at once): a film is coming."""

    seconds: float


@dataclass(frozen=True)
class Journal:
    """An entry for the show journal (what happened, for the record and crash recovery)."""

    kind: str
    data: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Ignored:
    """An operator action that was refused, with the reason to show on the console."""

    action: str
    reason: str


Effect = (
    ShowHolding
    | ShowCard
    | ShowIntermission
    | ShowEnd
    | Blank
    | PreloadFilm
    | PlayFilm
    | CutToFilm
    | PauseFilm
    | ResumeFilm
    | SeekFilm
    | StopFilm
    | Black
    | Unblack
    | StartMusic
    | FadeMusic
    | Journal
    | Ignored
)
