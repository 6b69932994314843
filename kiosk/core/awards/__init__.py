"""The jury's results and the award reveal (plain Python): reading and checking the results
(`results`), the reveal's steps (`plan`) and the machine that steps through them with its
effects (`machine`; the shared Black, Unblack and Journal come from kiosk.core.show.effects).

Everything is re-exported here, so `from kiosk.core.awards import RevealMachine` keeps working.
"""

from __future__ import annotations

from kiosk.core.awards.machine import (
    REVEAL_BLACK,
    REVEAL_CLIP_ENDED,
    REVEAL_HOLDING,
    REVEAL_KINDS,
    REVEAL_OPENED,
    REVEAL_RESET,
    REVEAL_STEP,
    PlayClip,
    Present,
    Refused,
    RevealEffect,
    RevealMachine,
    RevealResume,
    RevealScreen,
    RevealSnapshot,
    ShowHoldingSlide,
    Sting,
    StopClip,
    reveal_resume_point,
)
from kiosk.core.awards.plan import RevealStep, StepKind, build_plan, plan_fingerprint
from kiosk.core.awards.results import (
    RESULT_KEYS,
    CategoryResult,
    ClipRange,
    JuryResults,
    check_results,
    parse_jury_results,
)

__all__ = [
    "RESULT_KEYS",
    "REVEAL_BLACK",
    "REVEAL_CLIP_ENDED",
    "REVEAL_HOLDING",
    "REVEAL_KINDS",
    "REVEAL_OPENED",
    "REVEAL_RESET",
    "REVEAL_STEP",
    "CategoryResult",
    "ClipRange",
    "JuryResults",
    "PlayClip",
    "Present",
    "Refused",
    "RevealEffect",
    "RevealMachine",
    "RevealResume",
    "RevealScreen",
    "RevealSnapshot",
    "RevealStep",
    "ShowHoldingSlide",
    "StepKind",
    "Sting",
    "StopClip",
    "build_plan",
    "check_results",
    "parse_jury_results",
    "plan_fingerprint",
    "reveal_resume_point",
]
