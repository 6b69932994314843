"""One word per concept, in English and Traditional Chinese, for every screen, the report and
the CLI: the door said 餘位 and the console 尚餘; the door "Admit by hand / 人手入場" and the
console "Admitted by hand · 人手放行"; the report "無效二維碼" where the door said "無效門票".

A screen takes its words from here (`Term.en`, `Term.zh`, `Term.pair()`); it never writes a
glossary term out itself. `tests/unit/test_glossary.py` scans the modules converted so far for
literals that bypass it (see `CONVERTED` there).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A concept's words: English (singular and, for counts, plural) and Chinese."""

    en: str
    zh: str
    en_plural: str | None = None

    def pair(self, separator: str = " · ") -> str:
        """`Registered · 已登記` (doors use " / ")."""
        return f"{self.en}{separator}{self.zh}"

    def count(self, number: int) -> str:
        """`1 walk-in`, `2 walk-ins` (English; Chinese does not inflect)."""
        word = self.en if number == 1 or self.en_plural is None else self.en_plural
        return f"{number} {word}"


# --- the doors and the audience ----------------------------------------------------------
CHECKED_IN = Term("Checked in", "已入場")
REGISTERED = Term("Registered", "已登記", "registered")
CAPACITY = Term("Capacity", "座位")
PLACES_LEFT = Term("Places left", "餘位")
WALK_INS = Term("Walk-ins", "即場登記")
WALK_IN = Term("walk-in", "即場登記", "walk-ins")
ADMITTED_BY_HAND = Term("Admitted by hand", "人手入場")
ADMIT_BY_HAND = Term("Admit by hand", "人手入場")
NO_SHOWS = Term("No-shows", "缺席")
UNDONE = Term("Undone", "撤銷")
INVALID_TICKET = Term("Not a valid ticket", "無效門票")
# a door's verdicts, as the usher reads them and the report counts them
WELCOME = Term("Welcome", "歡迎")
ALREADY_IN = Term("Already checked in", "已經入場")
FULL_HOUSE = Term("Full house", "場內已滿")
TICKET_NOT_FOUND = Term("Ticket not found", "查無此票")
TICKET_CANCELLED = Term("Ticket cancelled", "門票已取消")
NOT_RECORDED = Term("Not recorded — try again", "未能記錄，請再試")

# --- the Viewer's Award vote ---------------------------------------------------------------
VOTE_NOT_OPEN_YET = Term("Voting has not opened yet", "投票尚未開始")
VOTE_OPEN = Term("Voting is open", "投票進行中")
VOTE_CLOSED = Term("Voting has closed", "投票已經結束")
TIME_LEFT = Term("left", "尚餘")  # "9:41 left" / "尚餘 9:41"

# words that meant the same as a term above on some screen: never used again
RETIRED = {
    PLACES_LEFT: ("Places left · 尚餘",),
    ADMITTED_BY_HAND: ("人手放行",),
    INVALID_TICKET: ("無效二維碼",),
    TICKET_NOT_FOUND: ("無此門票",),
    WALK_IN: ("現場登記",),
}
