"""The show as a functional core (plain Python): its vocabulary (`model`), the effects it asks
for (`effects`), the state machine (`machine`) and reading the journal back (`resume`).

Everything is re-exported here, so `from kiosk.core.show import ShowMachine` keeps working.
"""

from __future__ import annotations

from kiosk.core.show.effects import (
    Black,
    Blank,
    CutToFilm,
    Effect,
    FadeMusic,
    Ignored,
    Journal,
    PauseFilm,
    PlayFilm,
    PreloadFilm,
    ResumeFilm,
    SeekFilm,
    ShowCard,
    ShowEnd,
    ShowHolding,
    ShowIntermission,
    StartMusic,
    StopFilm,
    Unblack,
)
from kiosk.core.show.machine import ShowMachine
from kiosk.core.show.model import (
    Alert,
    Cue,
    CueKind,
    FilmStatus,
    IgnoredGo,
    JsonValue,
    ResumePoint,
    ShowOptions,
    ShowPhase,
    Slot,
    Snapshot,
    build_cues,
)
from kiosk.core.show.resume import (
    SHOW_CLOSED,
    SHOW_RESET,
    resume_point,
    show_started_at,
    under_way,
)

__all__ = [
    "SHOW_CLOSED",
    "SHOW_RESET",
    "Alert",
    "Black",
    "Blank",
    "Cue",
    "CueKind",
    "CutToFilm",
    "Effect",
    "FadeMusic",
    "FilmStatus",
    "Ignored",
    "IgnoredGo",
    "Journal",
    "JsonValue",
    "PauseFilm",
    "PlayFilm",
    "PreloadFilm",
    "ResumeFilm",
    "ResumePoint",
    "SeekFilm",
    "ShowCard",
    "ShowEnd",
    "ShowHolding",
    "ShowIntermission",
    "ShowMachine",
    "ShowOptions",
    "ShowPhase",
    "Slot",
    "Snapshot",
    "StartMusic",
    "StopFilm",
    "Unblack",
    "build_cues",
    "resume_point",
    "show_started_at",
    "under_way",
]
