"""`[vote]` in `event.toml`: how many nominees the Viewer's Award shows, its tie rule, and how
long the vote stays open. Apart from `kiosk.core.vote` so that `kiosk.core.event` can read it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from kiosk.core.problems import Problem


class TieRule(Enum):
    """How a tie for the most votes is settled (declared in ``event.toml`` before the night)."""

    PROGRAMME_ORDER = "programme_order"
    """The tied film shown earlier in the programme wins."""
    LOT = "lot"
    """A draw among the tied films, seeded by a digest of all the sealed ballots, so anyone who
    counts the same ballots draws the same film."""

    @property
    def explanation(self) -> tuple[str, str]:
        """How the winner card says the tie was settled (English, Chinese)."""
        if self is TieRule.PROGRAMME_ORDER:
            return (
                "decided by programme order, as declared before the vote",
                "按預先公佈的規則，由放映次序較前者得獎",
            )
        return ("decided by lot, as declared before the vote", "按預先公佈的規則，以抽籤決定")


@dataclass(frozen=True)
class VoteSettings:
    """``[vote]`` in ``event.toml``: nominees shown at the reveal, tie rule, countdown."""

    nominees: int = 3
    tie_rule: TieRule = TieRule.PROGRAMME_ORDER
    minutes: int = 10  # how long the vote stays open after `vote open` (the slide's countdown)


def vote_settings_from_dict(table: object, path: Path, problems: list[Problem]) -> VoteSettings:
    """Validate the ``[vote]`` table (missing: the defaults); problems are appended."""
    if table is None:
        return VoteSettings()
    if not isinstance(table, dict):
        problems.append(Problem(path, "must be a table", "[vote]"))
        return VoteSettings()
    defaults = VoteSettings()
    for key in sorted(set(table) - {"nominees", "tie_rule", "minutes"}):
        problems.append(Problem(path, "is not a known setting", "[vote]", key))
    nominees = table.get("nominees", defaults.nominees)
    if isinstance(nominees, bool) or not isinstance(nominees, int) or not 1 <= nominees <= 10:
        problems.append(Problem(path, "must be a whole number from 1 to 10", "[vote]", "nominees"))
        nominees = defaults.nominees
    minutes = table.get("minutes", defaults.minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240:
        problems.append(Problem(path, "must be a whole number from 1 to 240", "[vote]", "minutes"))
        minutes = defaults.minutes
    raw_rule = table.get("tie_rule", defaults.tie_rule.value)
    try:
        rule = TieRule(raw_rule)
    except ValueError:
        choices = ", ".join(f'"{r.value}"' for r in TieRule)
        problems.append(Problem(path, f"must be one of {choices}", "[vote]", "tie_rule"))
        rule = defaults.tie_rule
    return VoteSettings(nominees=nominees, tie_rule=rule, minutes=minutes)
