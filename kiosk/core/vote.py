"""The Viewer's Award vote: vote codes, who may vote, the open/closed window, the tally.

Plain Python, no I/O. The store looks the voter up inside one write transaction and asks
:func:`decide_ballot` whether the ballot counts; every refusal has an English and a Traditional
Chinese message for the phone page, the voting station and the CLI.

* A **vote code** is 8 characters of uppercase Crockford base32 (no ``I L O U``), derived from
  the ticket code with HMAC-SHA256 under the event's ticket key, so nothing new has to be kept:
  whoever can verify tickets can recompute every vote code, and a reissued ticket gets a new
  one. 40 bits: guessing one of 700 codes takes ~1.5 billion tries on average, and wrong codes
  are rate-limited per device.
* **Who may vote**: a ticket of this event that is not revoked, whose holder was admitted
  tonight (an active, not annulled check-in), once per person.
* **The tally** counts decrypted choices; the nominees are the top films by votes (how many:
  ``[vote] nominees`` in ``event.toml``; films tied at the cut-off all go in), the winner the
  most voted, a tie for first settled by ``[vote] tie_rule`` and said on the winner card.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kiosk.core import glossary
from kiosk.core.awards import CategoryResult
from kiosk.core.programme import Programme
from kiosk.core.tickets import CROCKFORD_ALPHABET
from kiosk.core.vote_settings import TieRule, VoteSettings

VOTE_CODE_LENGTH = 8  # 40 bits
_VOTE_CODE_CONTEXT = b"AIFF screening night vote code\x00v1\x00"
_CONFUSABLE = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS = frozenset(" -_.\u00a0\t\r\n")

VOTE_OPENED = "vote_opened"
VOTE_CLOSED = "vote_closed"
VOTE_CAST = "vote_cast"
VOTE_KINDS = (VOTE_OPENED, VOTE_CLOSED)


# --- Vote codes --------------------------------------------------------------------------


def vote_code(secret_key: bytes, ticket_code: str) -> str:
    """The 8-character vote code of a ticket (canonical, no separator)."""
    digest = hmac.new(
        secret_key, _VOTE_CODE_CONTEXT + ticket_code.encode("ascii"), hashlib.sha256
    ).digest()
    value = int.from_bytes(digest[:5], "big")
    digits = []
    for _ in range(VOTE_CODE_LENGTH):
        value, remainder = divmod(value, 32)
        digits.append(CROCKFORD_ALPHABET[remainder])
    return "".join(reversed(digits))


def display_vote_code(code: str) -> str:
    """How a vote code is printed: two groups of four, e.g. ``7QK3-M9T2``."""
    return f"{code[:4]}-{code[4:]}"


def normalise_vote_code(text: str) -> str | None:
    """Read what a voter typed as a vote code, or None if it cannot be one.

    Tolerates lower case, full-width characters (a Chinese input method left on), spaces and
    hyphens anywhere, and the look-alikes ``O`` → ``0``, ``I``/``L`` → ``1``.
    """
    if len(text) > 64:
        return None
    prepared = unicodedata.normalize("NFKC", text).upper()
    characters = []
    for typed in prepared:
        if typed in _SEPARATORS:
            continue
        character = _CONFUSABLE.get(typed, typed)
        if character not in CROCKFORD_ALPHABET:
            return None
        characters.append(character)
    if len(characters) != VOTE_CODE_LENGTH:
        return None
    return "".join(characters)


# --- The window: open, closed ------------------------------------------------------------


class VotePhase(Enum):
    """Where the vote is in its night: not open yet, open (with time left), or closed.

    "Not open yet" and "closed" are different news for a voter (come back later / too late),
    so every screen says which one, in the same words (`words`)."""

    NOT_OPEN_YET = "not_open_yet"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def words(self) -> tuple[str, str]:
        """(English, Traditional Chinese), the same on the console, stations and phones."""
        return _PHASE_WORDS[self]


_PHASE_WORDS: dict[VotePhase, tuple[str, str]] = {
    VotePhase.NOT_OPEN_YET: (glossary.VOTE_NOT_OPEN_YET.en, glossary.VOTE_NOT_OPEN_YET.zh),
    VotePhase.OPEN: (glossary.VOTE_OPEN.en, glossary.VOTE_OPEN.zh),
    VotePhase.CLOSED: (glossary.VOTE_CLOSED.en, glossary.VOTE_CLOSED.zh),
}


def vote_state_text(phase: VotePhase, seconds_left: float | None) -> tuple[str, str]:
    """The vote's state for a screen, (English, Chinese): `Voting is open · 9:41 left`."""
    en, zh = phase.words
    if phase is VotePhase.OPEN and seconds_left is not None:
        minutes, seconds = divmod(int(seconds_left), 60)
        clock = f"{minutes}:{seconds:02d}"
        left = glossary.TIME_LEFT
        return f"{en} · {clock} {left.en}", f"{zh} · {left.zh} {clock}"
    return en, zh


@dataclass(frozen=True)
class VoteWindow:
    """Whether the vote takes ballots, read from the journal's open/close entries."""

    opened_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None  # the countdown's end; ballots after it are refused
    closed_at: dt.datetime | None = None  # closed by hand before the countdown ended

    def is_open(self, now: dt.datetime) -> bool:
        """True while ballots are taken."""
        if self.opened_at is None or self.closed_at is not None:
            return False
        return self.closes_at is None or now < self.closes_at

    def phase(self, now: dt.datetime) -> VotePhase:
        """Not open yet (never opened), open, or closed (by hand or its time ran out)."""
        if self.opened_at is None:
            return VotePhase.NOT_OPEN_YET
        return VotePhase.OPEN if self.is_open(now) else VotePhase.CLOSED

    def has_closed(self, now: dt.datetime) -> bool:
        """True once a vote was opened and is over (closed by hand or its time ran out)."""
        return self.opened_at is not None and not self.is_open(now)

    def seconds_left(self, now: dt.datetime) -> float | None:
        """Seconds to the countdown's end while open, else None."""
        if not self.is_open(now) or self.closes_at is None:
            return None
        return max(0.0, (self.closes_at - now).total_seconds())


def vote_window(entries: Iterable[tuple[str, Mapping[str, Any]]]) -> VoteWindow:
    """Read journal (kind, data) pairs in order: the window as the last open/close left it."""
    window = VoteWindow()
    for kind, data in entries:
        if kind == VOTE_OPENED:
            opened = _moment(data.get("at"))
            window = VoteWindow(opened, _moment(data.get("closes_at")), None)
        elif kind == VOTE_CLOSED and window.opened_at is not None:
            window = VoteWindow(window.opened_at, window.closes_at, _moment(data.get("at")))
    return window


def _moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- The films on the ballot -------------------------------------------------------------

SHOW_KINDS = ("film_started", "film_status", "show_reset")
_NOT_SCREENED = frozenset({"skipped", "failed"})


def films_on_the_ballot(
    film_ids: Sequence[str], show_entries: Iterable[tuple[str, Mapping[str, Any]]]
) -> tuple[str, ...]:
    """The programme's films a ballot may name: all of them, less those the show's journal
    says were skipped or failed without a single frame shown (``film_started``) tonight.

    A film not reached yet stays on the ballot (the vote may open during the intermission).
    A start-over (``show_reset``) forgets what came before it.
    """
    started: set[str] = set()
    last_status: dict[str, str] = {}
    for kind, data in show_entries:
        if kind == "show_reset":
            started.clear()
            last_status.clear()
            continue
        film = data.get("film")
        if not isinstance(film, str):
            continue
        if kind == "film_started":
            started.add(film)
        elif kind == "film_status":
            last_status[film] = str(data.get("status"))
    return tuple(f for f in film_ids if f in started or last_status.get(f) not in _NOT_SCREENED)


# --- Who may vote ------------------------------------------------------------------------


class BallotVerdict(Enum):
    """The answer to one ballot (or one code check before choosing)."""

    ACCEPTED = "accepted"
    INVALID_CODE = "invalid_code"
    REVOKED = "revoked"
    NOT_CHECKED_IN = "not_checked_in"
    ALREADY_VOTED = "already_voted"
    VOTE_NOT_OPEN = "vote_not_open"
    VOTE_CLOSED = "vote_closed"
    UNKNOWN_FILM = "unknown_film"
    TOO_MANY_ATTEMPTS = "too_many_attempts"

    @property
    def message(self) -> tuple[str, str]:
        """What the voter is told (English, Traditional Chinese)."""
        return _MESSAGES[self]


# What a code check (nothing recorded yet) answers when the code may vote: not "counted".
CODE_MAY_VOTE: tuple[str, str] = (
    "This code may vote. Choose a film; your vote counts once you confirm.",
    "此投票碼可以投票。請選擇作品；確認後才會記錄你的一票。",
)

_MESSAGES: dict[BallotVerdict, tuple[str, str]] = {
    BallotVerdict.ACCEPTED: ("Thank you! Your vote is counted.", "多謝！你的一票已經記錄。"),
    BallotVerdict.INVALID_CODE: (
        "This vote code is not right. Check the 8 characters on your ticket and try again.",
        "投票碼不正確。請核對門票上的 8 個字元後再試。",
    ),
    BallotVerdict.REVOKED: (
        "This ticket was replaced or cancelled. Use the code on your new ticket, or ask an usher.",
        "此門票已被取代或取消。請使用新門票上的投票碼，或向工作人員查詢。",
    ),
    BallotVerdict.NOT_CHECKED_IN: (
        "This ticket was not admitted tonight. Only tickets scanned at the door can vote; "
        "please ask an usher.",
        "此門票今晚未有入場記錄。只有已在入口掃描的門票才可投票；請向工作人員查詢。",
    ),
    BallotVerdict.ALREADY_VOTED: (
        "This ticket has already voted. Each ticket votes once.",
        "此門票已經投過票。每張門票只可投票一次。",
    ),
    BallotVerdict.VOTE_NOT_OPEN: (
        f"{glossary.VOTE_NOT_OPEN_YET.en}. It opens after the films: please try again then.",
        f"{glossary.VOTE_NOT_OPEN_YET.zh}。放映結束後便會開始，屆時請再試。",
    ),
    BallotVerdict.VOTE_CLOSED: (
        f"{glossary.VOTE_CLOSED.en}.",
        f"{glossary.VOTE_CLOSED.zh}。",
    ),
    BallotVerdict.UNKNOWN_FILM: (
        "That film is not on tonight's list. Please choose again.",
        "該作品不在今晚的名單上。請重新選擇。",
    ),
    BallotVerdict.TOO_MANY_ATTEMPTS: (
        "Too many wrong codes from this phone. Please wait a few minutes, or ask an usher.",
        "此裝置輸入錯誤投票碼次數過多。請稍候數分鐘再試，或向工作人員查詢。",
    ),
}


@dataclass(frozen=True)
class BallotOutcome:
    """What one ballot (or code check) came to."""

    verdict: BallotVerdict
    ticket_code: str | None = None  # the ticket the code belongs to, when one was found

    @property
    def accepted(self) -> bool:
        """True when the ballot was stored (or, for a check, when it may be cast)."""
        return self.verdict is BallotVerdict.ACCEPTED

    def to_json(self) -> dict[str, object]:
        """The `vote cast --json` object: `{"accepted", "reason", ...}`."""
        en, zh = self.verdict.message
        return {
            "accepted": self.accepted,
            "reason": None if self.accepted else self.verdict.value,
            "message_en": en,
            "message_zh": zh,
        }


@dataclass(frozen=True)
class Turnout:
    """The only figures anyone sees before the reveal: ballots cast and people checked in."""

    ballots: int
    checked_in: int


@dataclass(frozen=True)
class Voter:
    """What the store found for a code: the ticket's holder and the facts that decide."""

    attendee_id: int
    ticket_code: str
    revoked: bool
    checked_in: bool
    has_voted: bool


def decide_ballot(
    *, phase: VotePhase, voter: Voter | None, film_id: str | None, films: Iterable[str]
) -> BallotVerdict:
    """Whether a ballot counts. ``film_id`` None: only check the code (before choosing).

    The order of the checks is the order a voter can fix things in: a vote not open (not yet,
    or no more: no code helps), then the code, then the person, then the choice.
    """
    if phase is VotePhase.NOT_OPEN_YET:
        return BallotVerdict.VOTE_NOT_OPEN
    if phase is VotePhase.CLOSED:
        return BallotVerdict.VOTE_CLOSED
    if voter is None:
        return BallotVerdict.INVALID_CODE
    if voter.revoked:
        return BallotVerdict.REVOKED
    if not voter.checked_in:
        return BallotVerdict.NOT_CHECKED_IN
    if voter.has_voted:
        return BallotVerdict.ALREADY_VOTED
    if film_id is not None and film_id not in set(films):
        return BallotVerdict.UNKNOWN_FILM
    return BallotVerdict.ACCEPTED


# --- Wrong codes, per device ---------------------------------------------------------------


@dataclass
class _Attempts:
    times: deque[float] = field(default_factory=deque)


class WrongCodeLimiter:
    """Throttles wrong codes, never a valid one: per phone first, per address only at a
    threshold a hall cannot reach by typos.

    * **Per phone** (address + cookie): after ``per_device`` wrong codes within ``window_s``
      the phone waits, ``backoff_s`` doubling with each further wrong code (at most
      ``window_s``); while it waits its codes are not looked at. A phone without a cookie (a
      script that never loaded the page) shares one bucket per address.
    * **Per address**: phones behind one NAT (a travel router, a guest Wi-Fi) share an
      address, so one person's typos must not lock out the others. Only after ``per_address``
      wrong codes from it within ``window_s`` is a *wrong* code answered "too many attempts";
      each code is still looked at, so a valid one is always taken.

    Vote codes are 8 Crockford characters (40 bits): even unthrottled, guessing one of 700 at
    1,000 tries a second takes on average some 50 years.
    Not thread-safe: the vote app calls it under its lock.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        per_device: int = 5,
        per_address: int = 200,
        window_s: float = 300.0,
        backoff_s: float = 2.0,
    ) -> None:
        self._clock = clock
        self.per_device = per_device
        self.per_address = per_address
        self.window_s = window_s
        self.backoff_s = backoff_s
        self._devices: dict[tuple[str, str], _Attempts] = {}
        self._addresses: dict[str, _Attempts] = {}

    def device_wait(self, address: str, device: str) -> float:
        """Seconds this phone must wait before its next code is looked at (0: now)."""
        now = self._clock()
        attempts = self._devices.get((address, device))
        if attempts is None:
            return 0.0
        self._expire(attempts, now)
        over = len(attempts.times) - self.per_device
        if over < 0:
            return 0.0
        pause = min(self.window_s, self.backoff_s * 2.0**over)
        return max(0.0, attempts.times[-1] + pause - now)

    def address_wait(self, address: str) -> float:
        """Seconds until wrong codes from this address are answered normally again (0: now)."""
        now = self._clock()
        attempts = self._addresses.get(address)
        if attempts is None:
            return 0.0
        self._expire(attempts, now)
        if len(attempts.times) < self.per_address:
            return 0.0
        return max(0.0, attempts.times[-self.per_address] + self.window_s - now)

    def wrong(self, address: str, device: str) -> None:
        """Record one wrong code from this phone."""
        now = self._clock()
        for attempts in (
            self._devices.setdefault((address, device), _Attempts()),
            self._addresses.setdefault(address, _Attempts()),
        ):
            self._expire(attempts, now)
            attempts.times.append(now)
        if len(self._devices) > 10_000:  # a flood of fresh cookies: forget the idle ones
            self._forget_idle(now)

    def _expire(self, attempts: _Attempts, now: float) -> None:
        while attempts.times and attempts.times[0] <= now - self.window_s:
            attempts.times.popleft()

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, a in self._devices.items() if a.times[-1] <= now - self.window_s]:
            del self._devices[key]


# --- The tally ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """The counted vote: votes per film, the nominees, the winner, and how a tie was settled."""

    ballots: int
    counts: Mapping[str, int]  # film id -> votes (films without votes left out)
    nominees: tuple[str, ...]  # in programme order (the reveal must not hint at the ranking)
    winner: str | None
    tied_with: tuple[str, ...] = ()  # other films with as many votes as the winner
    tie_rule: TieRule | None = None  # set when a tie for first was settled

    @property
    def winner_votes(self) -> int:
        """Votes for the winner."""
        return self.counts.get(self.winner, 0) if self.winner else 0

    @property
    def winner_share(self) -> float:
        """The winner's share of all ballots (0..1)."""
        return self.winner_votes / self.ballots if self.ballots else 0.0


def count_votes(
    choices: Sequence[str],
    programme_order: Sequence[str],
    settings: VoteSettings,
    *,
    lot_seed: bytes = b"",
) -> Tally:
    """Count ballots (film ids) for the films of the programme, in its order.

    Choices naming a film no longer in the programme are not counted (the ballot total still
    includes them). Nominees: the ``settings.nominees`` most voted films, plus any tied with
    the last of them. The winner: the most voted; a tie settled by ``settings.tie_rule``
    (``lot``: a draw seeded with ``lot_seed``, e.g. a digest of the sealed ballots).
    """
    place = {film_id: index for index, film_id in enumerate(programme_order)}
    counts = Counter(choice for choice in choices if choice in place)
    if not counts:
        return Tally(len(choices), {}, (), None)
    ranked = sorted(counts, key=lambda film_id: (-counts[film_id], place[film_id]))
    cut = counts[ranked[min(settings.nominees, len(ranked)) - 1]]
    nominees = tuple(sorted((f for f in ranked if counts[f] >= cut), key=place.__getitem__))
    top = counts[ranked[0]]
    tied = [f for f in ranked if counts[f] == top]  # programme order among equals
    if len(tied) == 1:
        return Tally(len(choices), dict(counts), nominees, tied[0])
    if settings.tie_rule is TieRule.PROGRAMME_ORDER:
        winner = tied[0]
    else:
        seed = hashlib.sha256(b"aiff-vote-lot/v1\x00" + lot_seed).digest()
        winner = random.Random(seed).choice(sorted(tied))
    others = tuple(f for f in tied if f != winner)
    return Tally(len(choices), dict(counts), nominees, winner, others, settings.tie_rule)


def viewer_result(award_id: str, tally: Tally, programme: Programme) -> CategoryResult | None:
    """The Viewer's Award as a reveal result: nominees, winner, and a citation that says how many
    voted for it and, after a tie, with whom it tied and how the tie was settled."""
    if tally.winner is None:
        return None
    votes = tally.winner_votes
    percent = round(100 * tally.winner_share)
    citation_en = f"{votes} of {tally.ballots} votes ({percent}%)."
    citation_zh = f"獲 {tally.ballots} 票中的 {votes} 票（{percent}%）。"
    if tally.tied_with and tally.tie_rule is not None:
        titles_en = ", ".join(f"‘{programme.film(f).title_en}’" for f in tally.tied_with)
        titles_zh = "、".join(f"《{programme.film(f).title_zh}》" for f in tally.tied_with)
        rule_en, rule_zh = tally.tie_rule.explanation
        citation_en += f" Tied with {titles_en} at {votes} votes each; {rule_en}."
        citation_zh += f"與{titles_zh}同獲 {votes} 票；{rule_zh}。"
    return CategoryResult(
        category=award_id,
        winner=tally.winner,
        nominees=tally.nominees,
        citation_en=citation_en,
        citation_zh=citation_zh,
    )
