"""The reveal's steps, in the order event.toml declares the awards: category card, nominees,
honourable mentions, "and the award goes to ...", the winner, the winner's clip. A step names
its category and kind, never a film.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from kiosk.core.awards.results import JuryResults
from kiosk.core.event import AwardCategory

# --- The reveal's steps -------------------------------------------------------------------


class StepKind(Enum):
    """What one step of the reveal puts on the projector."""

    OPENING = "opening"  # "The Awards / 頒獎典禮"
    CATEGORY = "category"  # the award's name, very large
    NOMINEES = "nominees"  # the nominees with a still each
    MENTIONS = "mentions"  # honourable mentions, if the jury gave any
    ENVELOPE = "envelope"  # "and the award goes to ..." with the sting
    WINNER = "winner"  # the winner card, animated in
    CLIP = "clip"  # a clip of the winning film
    PENDING = "pending"  # an award whose result is not sealed yet (the viewers' vote)
    CLOSING = "closing"  # congratulations, after the last award

    @property
    def label(self) -> tuple[str, str]:
        """How the console names this kind of step (English, Chinese); never a film."""
        return _STEP_LABELS[self]


_STEP_LABELS: dict[StepKind, tuple[str, str]] = {
    StepKind.OPENING: ("Opening card", "頒獎典禮開場"),
    StepKind.CATEGORY: ("Category card", "獎項"),
    StepKind.NOMINEES: ("Nominees", "入圍作品"),
    StepKind.MENTIONS: ("Honourable mentions", "特別提名"),
    StepKind.ENVELOPE: ("“And the award goes to…” + sting", "得獎的是……"),
    StepKind.WINNER: ("WINNER card", "得獎者"),
    StepKind.CLIP: ("Winner's clip", "得獎作品片段"),
    StepKind.PENDING: ("Result to follow", "結果稍後公佈"),
    StepKind.CLOSING: ("Closing card", "閉幕"),
}


@dataclass(frozen=True)
class RevealStep:
    """One GO of the reveal: its kind and the award it belongs to (never a film)."""

    index: int  # 0-based place in the plan
    kind: StepKind
    award: AwardCategory | None  # None for the opening and closing cards
    award_number: int = 0  # 1-based among the awards, 0 for opening/closing
    award_count: int = 0

    @property
    def key(self) -> str:
        """A stable name, e.g. `winner:best-film` or `opening`."""
        return f"{self.kind.value}:{self.award.id}" if self.award else self.kind.value

    def describe(self) -> str:
        """The console's one-line name of the step, e.g. `Best Film · 最佳影片 — WINNER card`."""
        en, zh = self.kind.label
        if self.award is None:
            return f"{en} · {zh}"
        return f"{self.award.name_en} · {self.award.name_zh} — {en} · {zh}"


def build_plan(awards: Sequence[AwardCategory], results: JuryResults) -> tuple[RevealStep, ...]:
    """The steps of the reveal for these awards (in this order) and the opened results.

    A category with a result: category, nominees, [mentions], envelope, winner, [clip]. One
    without (an audience award whose vote is not in): category, then "result to follow".
    """
    kinds: list[tuple[StepKind, AwardCategory | None, int]] = [(StepKind.OPENING, None, 0)]
    for number, award in enumerate(awards, start=1):
        result = results.for_category(award.id)
        kinds.append((StepKind.CATEGORY, award, number))
        if result is None:
            kinds.append((StepKind.PENDING, award, number))
            continue
        kinds.append((StepKind.NOMINEES, award, number))
        if result.honourable_mentions:
            kinds.append((StepKind.MENTIONS, award, number))
        kinds.append((StepKind.ENVELOPE, award, number))
        kinds.append((StepKind.WINNER, award, number))
        if result.clip is not None:
            kinds.append((StepKind.CLIP, award, number))
    kinds.append((StepKind.CLOSING, None, 0))
    count = len(awards)
    return tuple(
        RevealStep(index, kind, award, number, count if award else 0)
        for index, (kind, award, number) in enumerate(kinds)
    )


def plan_fingerprint(plan: Sequence[RevealStep]) -> str:
    """A short hash of the plan's step keys: a resumed reveal checks it has the same steps."""
    joined = "|".join(step.key for step in plan)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]
