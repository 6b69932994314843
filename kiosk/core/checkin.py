"""Door verdicts: what one scan (or a hand admission) means, and how the usher is told.

Pure rules, no database: the store looks up the ticket, the person's active admission and the
number of people in, all inside one write transaction, and asks :func:`decide` what to do.
Every message has an English and a Traditional Chinese part, so the door screen and the CLI can
show both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from kiosk.core import glossary
from kiosk.core.tickets import TicketCheck, TicketCodeProblem


class Verdict(Enum):
    """The answer to one scan."""

    ADMITTED = "admitted"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN_TICKET = "unknown_ticket"
    INVALID_CODE = "invalid_code"
    REVOKED = "revoked"
    CAPACITY_REACHED = "capacity_reached"

    @property
    def admits(self) -> bool:
        """True only when the person may walk in (and an admission was recorded)."""
        return self is Verdict.ADMITTED

    @property
    def tone(self) -> Tone:
        """The colour the door screen shows for this verdict."""
        if self is Verdict.ADMITTED:
            return Tone.GO
        if self is Verdict.ALREADY_CHECKED_IN:
            return Tone.CAUTION
        return Tone.STOP


class Tone(Enum):
    """Green, amber or red: readable from two metres, also for colour-blind ushers with text."""

    GO = "go"
    CAUTION = "caution"
    STOP = "stop"


@dataclass(frozen=True)
class TicketRecord:
    """The stored ticket a verified code refers to, with its holder."""

    code: str
    attendee_id: int
    name: str
    name_latin: str | None
    revoked_at: str | None = None
    revoked_reason: str | None = None
    replaced: bool = False  # the holder has a newer, valid ticket


@dataclass(frozen=True)
class Admission:
    """An active (not annulled) check-in of one person."""

    at: dt.datetime  # aware
    station: str
    method: str


@dataclass(frozen=True)
class Decision:
    """A verdict with its bilingual message: headline (big) and detail (smaller)."""

    verdict: Verdict
    headline_en: str
    headline_zh: str
    detail_en: str = ""
    detail_zh: str = ""

    @property
    def headline(self) -> str:
        """``"Welcome / 歡迎"``."""
        return f"{self.headline_en} / {self.headline_zh}"

    @property
    def detail(self) -> str:
        """Both detail lines joined, or an empty string."""
        if not self.detail_en:
            return self.detail_zh
        if not self.detail_zh:
            return self.detail_en
        return f"{self.detail_en} / {self.detail_zh}"

    @property
    def message(self) -> str:
        """The whole message on one line, for logs and the terminal."""
        return f"{self.headline}. {self.detail}" if self.detail else self.headline


_DOOR_NUMBER = re.compile(r"^\s*(?:door|gate|門)\s*(\d+)\s*$", re.IGNORECASE)

_INVALID_DETAIL_ZH = {
    TicketCodeProblem.NOT_A_TICKET_CODE: "這不是 AIFF 門票的二維碼。",
    TicketCodeProblem.SIGNATURE_MISMATCH: "此票並非本活動發出（其他活動的門票、輸入錯誤或偽造）。",
}


def station_label_zh(station: str) -> str:
    """The Chinese name of a door station: ``"Door 2"`` becomes ``"2 號門"``; others unchanged."""
    match = _DOOR_NUMBER.match(station)
    return f"{match.group(1)} 號門" if match else station


def local_clock(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``"19:02"`` in the event's time zone."""
    return moment.astimezone(zone).strftime("%H:%M")


def already_in_decision(admission: Admission, zone: dt.tzinfo) -> Decision:
    """Amber: this person is in already; say when and where, so the usher can sort it out."""
    clock = local_clock(admission.at, zone)
    place_zh = station_label_zh(admission.station)
    place_zh += "" if place_zh.endswith("門") else " "
    how_en = f" ({glossary.ADMITTED_BY_HAND.en.lower()})" if admission.method == "manual" else ""
    how_zh = glossary.ADMITTED_BY_HAND.zh if admission.method == "manual" else "入場"
    return Decision(
        Verdict.ALREADY_CHECKED_IN,
        glossary.ALREADY_IN.en,
        glossary.ALREADY_IN.zh,
        f"{glossary.ALREADY_IN.en} at {clock} at {admission.station}{how_en}",
        f"已於 {clock} 在 {place_zh}{how_zh}",
    )


# Reasons an organiser commonly gives when revoking a ticket, in both languages, so the usher
# reads the reason in their own language; any other reason is shown as the organiser typed it.
REVOKE_REASONS: dict[str, tuple[str, str]] = {
    "refunded": ("refunded", "已退款"),
    "refund": ("refunded", "已退款"),
    "duplicate": ("a duplicate registration", "重複登記"),
    "duplicate registration": ("a duplicate registration", "重複登記"),
    "lost": ("reported lost", "已報失"),
    "reported lost": ("reported lost", "已報失"),
    "stolen": ("reported stolen", "已報被盜"),
    "cancelled": ("cancelled by the attendee", "參加者已取消"),
    "cancelled by attendee": ("cancelled by the attendee", "參加者已取消"),
    "transferred": ("transferred to someone else", "已轉讓他人"),
    "banned": ("not admitted to this event", "不獲准入場"),
    "reissued": ("replaced by a new ticket", "已補發新票"),
}


def revoke_reason_texts(reason: str | None) -> tuple[str, str]:
    """The revoke reason for the usher: (English, Chinese); a free text is shown in both."""
    text = " ".join((reason or "").split())
    if not text:
        return "", ""
    known = REVOKE_REASONS.get(text.casefold().rstrip("."))
    return known if known is not None else (text, text)


def verdict_headlines() -> list[tuple[str, str]]:
    """Every verdict's (English, Chinese) headline, for screens that prepare them in advance."""
    terms = (
        glossary.WELCOME,
        glossary.ALREADY_IN,
        glossary.FULL_HOUSE,
        glossary.INVALID_TICKET,
        glossary.TICKET_NOT_FOUND,
        glossary.TICKET_CANCELLED,
        glossary.NOT_RECORDED,
    )
    return [(term.en, term.zh) for term in terms]


# what the usher does after a red verdict: said on the card, under the reason
NEXT_STEPS: dict[Verdict, glossary.Term] = {
    Verdict.INVALID_CODE: glossary.Term(
        "Find them by name, or send them to the help desk", "請以姓名查找，或請對方到服務台"
    ),
    Verdict.REVOKED: glossary.Term(
        "Ask for their newest ticket, or send them to the help desk",
        "請對方出示最新門票，或到服務台",
    ),
    Verdict.UNKNOWN_TICKET: glossary.Term(
        "Ask them to wait, and call the duty manager", "請對方稍候，並聯絡當值經理"
    ),
    Verdict.CAPACITY_REACHED: glossary.Term(
        "Admit no one more: call the duty manager", "暫停入場，並聯絡當值經理"
    ),
}
NOT_RECORDED_NEXT = glossary.Term(
    "Scan again; if it fails again, call the duty manager", "請再掃描；如再失敗，請聯絡當值經理"
)


def welcome_decision() -> Decision:
    """Green."""
    return Decision(Verdict.ADMITTED, glossary.WELCOME.en, glossary.WELCOME.zh)


def capacity_decision(capacity: int) -> Decision:
    """Red: the hall holds no more people."""
    return Decision(
        Verdict.CAPACITY_REACHED,
        glossary.FULL_HOUSE.en,
        glossary.FULL_HOUSE.zh,
        f"All {capacity} places are taken",
        f"{capacity} 個座位已滿",
    )


def decide(
    check: TicketCheck | None,
    ticket: TicketRecord | None,
    admission: Admission | None,
    admitted_count: int,
    capacity: int | None,
    zone: dt.tzinfo,
) -> Decision:
    """Decide one scan.

    ``check`` is the verified scanned text (``None`` for an admission by hand, where the usher
    found the person by name); ``ticket`` the stored ticket the code names (``None`` if no such
    ticket); ``admission`` the person's active check-in, if any; ``admitted_count`` the number of
    people in; ``capacity`` the hall's limit (``None``: no limit).

    Rules, in order: not a code of this event → invalid; a code nobody holds → unknown; a
    revoked ticket → revoked; someone already in → already checked in; a full hall → capacity
    reached; otherwise welcome.
    """
    if check is not None and check.ticket is None:
        problem = check.problem or TicketCodeProblem.NOT_A_TICKET_CODE
        return Decision(
            Verdict.INVALID_CODE,
            glossary.INVALID_TICKET.en,
            glossary.INVALID_TICKET.zh,
            check.message.rstrip("."),
            _INVALID_DETAIL_ZH[problem],
        )
    if ticket is None:
        return Decision(
            Verdict.UNKNOWN_TICKET,
            glossary.TICKET_NOT_FOUND.en,
            glossary.TICKET_NOT_FOUND.zh,
            "Signed for this event, but not in this station's list",
            "門票簽署正確，但名單上沒有此票",
        )
    if check is not None and ticket.revoked_at is not None:
        if ticket.replaced:
            detail_en = "This ticket was replaced by a newer one; ask for the latest ticket"
            detail_zh = "此票已由新票取代，請出示最新門票"
        else:
            reason_en, reason_zh = revoke_reason_texts(ticket.revoked_reason)
            detail_en = f"This ticket was cancelled: {reason_en}" if reason_en else ""
            detail_zh = f"此票已被取消：{reason_zh}" if reason_zh else "此票已被取消"
            detail_en = detail_en or "This ticket was cancelled"
        return Decision(
            Verdict.REVOKED,
            glossary.TICKET_CANCELLED.en,
            glossary.TICKET_CANCELLED.zh,
            detail_en,
            detail_zh,
        )
    if admission is not None:
        return already_in_decision(admission, zone)
    if capacity is not None and admitted_count >= capacity:
        return capacity_decision(capacity)
    return welcome_decision()


def mask_phone(phone: str | None) -> str:
    """The last three digits of a phone number, enough to tell two namesakes apart at the door
    without showing the number: ``"•••678"`` (a number masked already stays as it is)."""
    if phone and phone.startswith("•••"):
        return phone
    digits = "".join(c for c in phone or "" if c.isdigit())
    return f"•••{digits[-3:]}" if len(digits) >= 6 else ""


def mask_email(email: str | None) -> str:
    """Hide most of an e-mail address on the door screen: ``"c•••@g•••.com"``."""
    if not email:
        return ""
    local, at, domain = email.strip().partition("@")
    if not at:
        return local[:1] + "•••"
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_host = host[:1] + "•••" if host else "•••"
    return f"{local[:1]}•••@{masked_host}{dot}{tld}"
