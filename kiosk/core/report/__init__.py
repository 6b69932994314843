"""The show report: what the audience actually saw and who came, rebuilt from the records.

`build_report` (in `build`) turns journal records, check-in rows, attendee counts and the
programme into a `ShowReport` (`model`); `walk` reads the show's journal, `doors` the
admissions and refusals, `reveal` the award reveal's steps. The public names are re-exported
here, so `from kiosk.core.report import ...` is all a caller needs.
"""

from kiosk.core.report.build import build_report
from kiosk.core.report.doors import BUCKET_MINUTES, arrivals_per_slot, peak_in_window, time_to_share
from kiosk.core.report.model import (
    AttendeeCounts,
    CheckinReport,
    CheckinRow,
    FilmReport,
    FilmSound,
    Incident,
    IncidentKind,
    Outcome,
    Record,
    RevealReport,
    RevealStepRecord,
    ShowReport,
    ShowState,
    Span,
    VoteTurnout,
)
from kiosk.core.report.walk import SHOW_KINDS

__all__ = [
    "BUCKET_MINUTES",
    "SHOW_KINDS",
    "AttendeeCounts",
    "CheckinReport",
    "CheckinRow",
    "FilmReport",
    "FilmSound",
    "Incident",
    "IncidentKind",
    "Outcome",
    "Record",
    "RevealReport",
    "RevealStepRecord",
    "ShowReport",
    "ShowState",
    "Span",
    "VoteTurnout",
    "arrivals_per_slot",
    "build_report",
    "peak_in_window",
    "time_to_share",
]
