"""The award reveal in the report: the steps reached, by award and kind (never a film)."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.core.awards import REVEAL_KINDS, REVEAL_OPENED, REVEAL_RESET, REVEAL_STEP, StepKind
from kiosk.core.report.model import Record, RevealReport, RevealStepRecord


def reveal_report(records: Sequence[Record]) -> RevealReport:
    reveal = [r for r in records if r.kind in REVEAL_KINDS]
    resets = [i for i, r in enumerate(reveal) if r.kind == REVEAL_RESET]
    run = reveal[resets[-1] + 1 :] if resets else reveal
    opened = next((r for r in run if r.kind == REVEAL_OPENED), None)
    steps: list[RevealStepRecord] = []
    for record in run:
        if record.kind == REVEAL_STEP and isinstance(record.data.get("step"), int):
            award = record.data.get("award")
            steps.append(
                RevealStepRecord(
                    record.at,
                    int(record.data["step"]),
                    str(record.data.get("kind") or "?"),
                    award if isinstance(award, str) else None,
                )
            )
    winner = StepKind.WINNER.value
    announced = tuple(dict.fromkeys(s.award for s in steps if s.kind == winner and s.award))
    total = opened.data.get("steps") if opened else None
    return RevealReport(
        opened=opened.at if opened else None,
        steps=tuple(steps),
        total_steps=total if isinstance(total, int) else None,
        announced=announced,
        resets=len(resets),
    )
