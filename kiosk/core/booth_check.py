"""The booth checklist's vocabulary: one line of the checklist and how it stands.

The checklist (`check --json` and the console's Checklist view) is a list of `CheckLine`s, each
green, amber or red, each saying in both languages what was found and, when it is not green, what
to do about it. The lines are gathered by the services that can see each fact (the desktop
session, the projector, the audio output, the event folder, the server); this module only names
the shape they share, so that every gatherer and every screen speaks the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckState(StrEnum):
    """How one line of the checklist stands: good to go, worth a look, or must be fixed."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class CheckLine:
    """One line of the booth checklist, as `check --json` prints it and the console shows it.

    `id` is stable (scripts key on it); `title_*` names the thing checked; `detail_*` says what
    was found; `fix` says what to do when the line is not green (empty when green).
    """

    id: str
    state: CheckState
    title_en: str
    title_zh: str
    detail_en: str
    detail_zh: str
    fix: str = ""

    def as_json(self) -> dict[str, str]:
        """The line as `check --json` prints it."""
        return {
            "id": self.id,
            "state": self.state.value,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "detail_en": self.detail_en,
            "detail_zh": self.detail_zh,
            "fix": self.fix,
        }
