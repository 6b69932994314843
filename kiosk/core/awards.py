"""The jury's results and the award reveal: what is announced, in which order, one GO at a time.

Plain Python, no Qt, no VLC, no I/O, in the manner of `kiosk.core.show`:

* `parse_jury_results` reads the jury's TOML (one `[[results]]` table per category) and checks
  it against the event's award categories and the programme, reporting every problem at once;
* `build_plan` turns the categories (in the order `event.toml` declares them) and the opened
  results into the reveal's steps: category card, nominees, honourable mentions, "and the award
  goes to ...", the winner, the winner's clip;
* `RevealMachine` steps through the plan on GO/back, holds black or the holding slide, and
  returns effects for the adapter to carry out, `Journal` entries for the journal among them.

Secrecy: a `RevealStep` names its category and its kind, never a film. Nothing the machine
records for the journal names a film, so the journal can be written before, during and after
the reveal without giving a winner away; only `PlayClip` (an instruction to the player, kept in
memory) carries the winning film's id.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from kiosk.core.event import AwardCategory, EventConfig
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.programme import Programme, format_duration, parse_runtime
from kiosk.core.show import Black, Journal, Unblack

RESULT_KEYS = frozenset(
    {
        "category",
        "winner",
        "nominees",
        "honourable_mentions",
        "citation_en",
        "citation_zh",
        "clip_start",
        "clip_end",
    }
)


# --- The results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipRange:
    """The part of the winning film shown after the winner card, in seconds from its start."""

    start_s: float
    end_s: float

    @property
    def seconds(self) -> float:
        """How long the clip runs."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class CategoryResult:
    """The jury's decision for one award: the winner, the nominees to present, a citation."""

    category: str  # the award's id in event.toml
    winner: str  # film id
    nominees: tuple[str, ...]  # film ids in the order they are presented; the winner is one
    honourable_mentions: tuple[str, ...] = ()
    citation_en: str = ""
    citation_zh: str = ""
    clip: ClipRange | None = None


@dataclass(frozen=True)
class JuryResults:
    """Every category's result. Held in memory only once opened; stored only sealed."""

    results: tuple[CategoryResult, ...]

    def for_category(self, category: str) -> CategoryResult | None:
        """The result of one award, or None if the jury gave none (e.g. the viewers' award)."""
        return next((r for r in self.results if r.category == category), None)

    @property
    def categories(self) -> tuple[str, ...]:
        """The award ids with a result, in file order."""
        return tuple(r.category for r in self.results)

    def film_ids(self) -> set[str]:
        """Every film the results name (winners, nominees, mentions)."""
        ids: set[str] = set()
        for result in self.results:
            ids.add(result.winner)
            ids.update(result.nominees)
            ids.update(result.honourable_mentions)
        return ids

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what goes inside the seal)."""
        out: list[dict[str, Any]] = []
        for r in self.results:
            item: dict[str, Any] = {
                "category": r.category,
                "winner": r.winner,
                "nominees": list(r.nominees),
                "honourable_mentions": list(r.honourable_mentions),
                "citation_en": r.citation_en,
                "citation_zh": r.citation_zh,
            }
            if r.clip is not None:
                item["clip_start"] = r.clip.start_s
                item["clip_end"] = r.clip.end_s
            out.append(item)
        return {"results": out}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JuryResults:
        """Back from `to_dict`'s form; ValueError if it is not that shape."""
        try:
            results = []
            for item in data["results"]:
                clip = None
                if "clip_start" in item:
                    clip = ClipRange(float(item["clip_start"]), float(item["clip_end"]))
                results.append(
                    CategoryResult(
                        category=str(item["category"]),
                        winner=str(item["winner"]),
                        nominees=tuple(str(n) for n in item["nominees"]),
                        honourable_mentions=tuple(str(m) for m in item["honourable_mentions"]),
                        citation_en=str(item["citation_en"]),
                        citation_zh=str(item["citation_zh"]),
                        clip=clip,
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a results record: {exc!r}") from exc
        return cls(tuple(results))


def _clip_time(value: object) -> float:
    """Seconds, or "m:ss" / "h:mm:ss"; 0 is allowed (the start of the film)."""
    if isinstance(value, bool):
        raise ValueError('expected seconds or "m:ss"')
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("must not be negative")
        return float(value)
    if isinstance(value, str) and value.strip() in ("0", "0:00", "00:00"):
        return 0.0
    return float(parse_runtime(value))


def _film_list(
    value: object, item: str, key: str, source: Path, problems: list[Problem]
) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(
            Problem(source, 'must be a list of film ids like ["F03", "F11"]', item, key)
        )
        return ()
    ids = tuple(v.strip() for v in value)
    duplicates = sorted({v for v in ids if ids.count(v) > 1})
    if duplicates:
        problems.append(Problem(source, f"names {', '.join(duplicates)} twice", item, key))
    return ids


def parse_jury_results(
    text: str, source: Path, event: EventConfig, programme: Programme
) -> JuryResults:
    """Read the jury's TOML and check it; ConfigError lists every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(source, f"is not valid TOML: {exc}")]) from exc
    problems: list[Problem] = []
    unknown_top = sorted(set(data) - {"results"})
    for key in unknown_top:
        problems.append(Problem(source, "is not a known setting (expected [[results]])", key))
    raw = data.get("results")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(source, "has no [[results]] tables"))
        raise ConfigError(problems)

    results: list[CategoryResult] = []
    for number, table in enumerate(raw, start=1):
        item = f"result #{number}"
        if not isinstance(table, dict):
            problems.append(Problem(source, "must be a table", item))
            continue
        category = table.get("category")
        if isinstance(category, str) and category:
            item = f"result '{category}'"
        else:
            problems.append(Problem(source, "is missing (the award's id)", item, "category"))
        for key in sorted(set(table) - RESULT_KEYS):
            problems.append(Problem(source, "is not a known field", item, key))
        winner = table.get("winner")
        if not isinstance(winner, str) or not winner.strip():
            problems.append(Problem(source, "is missing (the winning film's id)", item, "winner"))
            winner = None
        else:
            winner = winner.strip()
        nominees = _film_list(table.get("nominees"), item, "nominees", source, problems)
        mentions = _film_list(
            table.get("honourable_mentions"), item, "honourable_mentions", source, problems
        )
        citations: dict[str, str] = {}
        for key in ("citation_en", "citation_zh"):
            value = table.get(key, "")
            if not isinstance(value, str):
                problems.append(Problem(source, "must be text", item, key))
                value = ""
            citations[key] = value.strip()
        clip = None
        has_start, has_end = "clip_start" in table, "clip_end" in table
        if has_start != has_end:
            missing = "clip_end" if has_start else "clip_start"
            problems.append(Problem(source, "is needed with the other clip time", item, missing))
        elif has_start:
            try:
                start = _clip_time(table["clip_start"])
                end = _clip_time(table["clip_end"])
            except ValueError as exc:
                problems.append(Problem(source, str(exc), item, "clip_start / clip_end"))
            else:
                if end <= start:
                    problems.append(Problem(source, "must be after clip_start", item, "clip_end"))
                else:
                    clip = ClipRange(start, end)
        if not isinstance(category, str) or not category or winner is None:
            continue
        if not nominees:
            nominees = (winner,)
        results.append(
            CategoryResult(
                category=category.strip(),
                winner=winner,
                nominees=nominees,
                honourable_mentions=mentions,
                citation_en=citations["citation_en"],
                citation_zh=citations["citation_zh"],
                clip=clip,
            )
        )
    parsed = JuryResults(tuple(results))
    problems.extend(check_results(parsed, event, programme, source))
    if problems:
        raise ConfigError(problems)
    return parsed


def check_results(
    results: JuryResults, event: EventConfig, programme: Programme, source: Path
) -> list[Problem]:
    """What is wrong with `results` for this event and programme (empty: they fit).

    Used on the jury's file before sealing and on the opened seal before the reveal (the
    programme may have changed since). Messages name categories and film ids, never titles.
    """
    problems: list[Problem] = []
    awards = {a.id: a for a in event.awards}
    film_ids = {f.id for f in programme}
    seen: set[str] = set()
    for result in results.results:
        item = f"result '{result.category}'"
        if result.category not in awards:
            known = ", ".join(awards) or "none declared"
            problems.append(
                Problem(source, f"is not an award of this event (event.toml has: {known})", item)
            )
        if result.category in seen:
            problems.append(Problem(source, "is given twice", item, "category"))
        seen.add(result.category)
        named = [("winner", result.winner)]
        named += [("nominees", n) for n in result.nominees]
        named += [("honourable_mentions", m) for m in result.honourable_mentions]
        for key, film_id in named:
            if film_id not in film_ids:
                problems.append(Problem(source, f"'{film_id}' is not in the programme", item, key))
        if result.winner not in result.nominees:
            problems.append(
                Problem(source, f"must include the winner '{result.winner}'", item, "nominees")
            )
        if result.winner in result.honourable_mentions:
            problems.append(
                Problem(source, "must not include the winner", item, "honourable_mentions")
            )
        if result.clip is not None and result.winner in film_ids:
            runtime = programme.film(result.winner).declared_runtime_s
            if result.clip.end_s > runtime:
                problems.append(
                    Problem(
                        source,
                        f"is after the end of the winning film ({format_duration(runtime)})",
                        item,
                        "clip_end",
                    )
                )
    for award in event.awards:
        if award.kind == "jury" and award.id not in seen:
            problems.append(
                Problem(source, f"has no result for the jury award '{award.id}'", "[[results]]")
            )
    return problems


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


# --- Effects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Present:
    """Put a step's card on the projector; `entering`: arrived by GO (animate, play stings)."""

    step: RevealStep
    entering: bool = True


@dataclass(frozen=True)
class PlayClip:
    """Play `film_id` from `start_s` to `end_s` on the show's player, on the projector."""

    step: RevealStep
    film_id: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class StopClip:
    """Stop the clip (its card is presented by the next effect)."""


@dataclass(frozen=True)
class Sting:
    """Play the sting sound ("and the award goes to ...")."""


@dataclass(frozen=True)
class ShowHoldingSlide:
    """Put the festival's holding slide up (the reveal's place is kept)."""


@dataclass(frozen=True)
class Refused:
    """An action that does nothing now, with the reason for the console."""

    action: str
    reason: str


RevealEffect = (
    Present | PlayClip | StopClip | Sting | Black | Unblack | ShowHoldingSlide | Refused | Journal
)

REVEAL_OPENED = "reveal_opened"
REVEAL_STEP = "reveal_step"
REVEAL_BLACK = "reveal_black"
REVEAL_HOLDING = "reveal_holding"
REVEAL_CLIP_ENDED = "reveal_clip_ended"
REVEAL_RESET = "reveal_reset"
REVEAL_KINDS = (
    REVEAL_OPENED,
    REVEAL_STEP,
    REVEAL_BLACK,
    REVEAL_HOLDING,
    REVEAL_CLIP_ENDED,
    REVEAL_RESET,
)


# --- The machine -------------------------------------------------------------------------


class RevealScreen(Enum):
    """What the projector shows while the reveal runs."""

    NOTHING_YET = "nothing_yet"  # before the first GO: the show's last card stays up
    STEP = "step"  # the current step's card (or its clip)
    BLACK = "black"
    HOLDING = "holding"


@dataclass(frozen=True)
class RevealSnapshot:
    """The reveal as the console shows it."""

    current: RevealStep | None
    next: RevealStep | None
    screen: RevealScreen
    clip_playing: bool
    step_count: int

    @property
    def black(self) -> bool:
        """The projector is held black."""
        return self.screen is RevealScreen.BLACK

    @property
    def finished(self) -> bool:
        """The closing card is up."""
        return self.current is not None and self.current.kind is StepKind.CLOSING


@dataclass(frozen=True)
class RevealResume:
    """Where the journal says an interrupted reveal was."""

    index: int
    fingerprint: str


def reveal_resume_point(entries: Iterable[tuple[str, Mapping[str, Any]]]) -> RevealResume | None:
    """Read journal (kind, data) pairs in order: the last step reached, if a reveal was opened."""
    fingerprint: str | None = None
    index = -1
    for kind, data in entries:
        if kind == REVEAL_RESET:
            fingerprint, index = None, -1
        elif kind == REVEAL_OPENED:
            fingerprint = str(data.get("plan", ""))
            index = max(-1, int(data.get("resume_at", -1)))
        elif kind == REVEAL_STEP and isinstance(data.get("step"), int):
            index = int(data["step"])
    if fingerprint is None or index < 0:
        return None
    return RevealResume(index, fingerprint)


class RevealMachine:
    """Steps through the reveal plan; every input returns the effects to carry out, in order.

    GO moves to the next step (or, while black or the holding slide is up, brings the current
    step back without moving on). Back moves to the previous step without animation or sting.
    During a clip, GO moves on and back returns to the winner card. Projector effects always
    come before `Journal` entries.
    """

    def __init__(
        self,
        plan: Sequence[RevealStep],
        results: JuryResults,
        *,
        resume_at: int | None = None,
        fade_s: float = 1.0,
        clip_fade_s: float = 0.8,
    ) -> None:
        if not plan:
            raise ValueError("a reveal needs at least one step")
        self.plan = tuple(plan)
        self.results = results
        self.fade_s = fade_s
        self.clip_fade_s = clip_fade_s  # the clip fades out into its winner card
        self.fingerprint = plan_fingerprint(self.plan)
        self._index = -1 if resume_at is None else max(0, min(resume_at, len(self.plan) - 1))
        self._resumed = resume_at is not None
        self._screen = RevealScreen.NOTHING_YET
        self._clip_playing = False
        self._clip_closing = False  # the clip's fade to black has begun

    # -- reading --------------------------------------------------------------------------

    @property
    def current(self) -> RevealStep | None:
        """The step the reveal is at (None before the first GO)."""
        return self.plan[self._index] if self._index >= 0 else None

    @property
    def next(self) -> RevealStep | None:
        """The step the next GO brings."""
        following = self._index + 1
        return self.plan[following] if following < len(self.plan) else None

    def snapshot(self) -> RevealSnapshot:
        """The reveal as the console shows it."""
        return RevealSnapshot(
            self.current, self.next, self._screen, self._clip_playing, len(self.plan)
        )

    # -- life cycle -----------------------------------------------------------------------

    def open(self) -> list[RevealEffect]:
        """Begin (or resume): a resumed reveal holds black at its step until GO."""
        data: dict[str, str | int | float | bool | None] = {
            "plan": self.fingerprint,
            "steps": len(self.plan),
            "resume_at": self._index,
        }
        if self._resumed:
            self._screen = RevealScreen.BLACK
            return [Black(0.0), Journal(REVEAL_OPENED, data)]
        return [Journal(REVEAL_OPENED, data)]

    # -- operator actions -----------------------------------------------------------------

    def go(self) -> list[RevealEffect]:
        """The next step; or bring the current step back from black or the holding slide."""
        effects: list[RevealEffect] = []
        if self._screen in (RevealScreen.BLACK, RevealScreen.HOLDING) and self.current:
            was_black = self._screen is RevealScreen.BLACK
            self._screen = RevealScreen.STEP
            effects.append(Present(self._static(self.current), entering=False))
            if was_black:
                effects.append(Unblack(self.fade_s))
            effects.append(Journal(REVEAL_BLACK if was_black else REVEAL_HOLDING, {"on": False}))
            return effects
        if self.next is None:
            return [Refused("go", "the reveal is over: the closing card is up")]
        was_black = self._screen is RevealScreen.BLACK or self._clip_closing
        effects += self._end_clip()
        self._index += 1
        self._screen = RevealScreen.STEP
        effects.extend(self._enter(self.plan[self._index]))
        if was_black:
            effects.append(Unblack(0.0))
        effects.append(self._record_step())
        return effects

    def back(self) -> list[RevealEffect]:
        """The previous step (or, during a clip, the winner card), shown still."""
        if self._clip_playing:
            closing = self._clip_closing
            current = self.current
            assert current is not None
            shown = [*self._end_clip(), Present(self._static(current), entering=False)]
            return [*shown, Unblack(0.0)] if closing else shown
        if self._index <= 0:
            return [Refused("back", "this is the first step")]
        self._index -= 1
        effects: list[RevealEffect] = [Present(self._static(self.plan[self._index]), False)]
        if self._screen is not RevealScreen.STEP:
            effects.append(Unblack(0.0))
        self._screen = RevealScreen.STEP
        effects.append(self._record_step())
        return effects

    def fade_to_black(self) -> list[RevealEffect]:
        """Fade to black and hold (again: bring the step back)."""
        return self._black(self.fade_s)

    def cut_to_black(self) -> list[RevealEffect]:
        """Black at once and hold (again: bring the step back)."""
        return self._black(0.0)

    def toggle_holding(self) -> list[RevealEffect]:
        """The festival's holding slide (again, or GO: back to the step)."""
        if self._screen is RevealScreen.HOLDING:
            return self.go()
        lift = self._screen is RevealScreen.BLACK or self._clip_closing
        effects = self._end_clip()
        if lift:
            effects.append(Unblack(0.0))
        self._screen = RevealScreen.HOLDING
        effects += [ShowHoldingSlide(), Journal(REVEAL_HOLDING, {"on": True})]
        return effects

    # -- facts from the player ------------------------------------------------------------

    def clip_finished(self, reason: str | None = None) -> list[RevealEffect]:
        """The clip reached its end (or failed, with `reason`): back to the winner card."""
        if not self._clip_playing:
            return []
        closing = self._clip_closing
        current = self.current
        assert current is not None
        effects = self._end_clip()
        if self._screen is RevealScreen.STEP:
            effects.append(Present(self._static(current), entering=False))
            if closing:
                effects.append(Unblack(self.clip_fade_s))
        data: dict[str, str | int | float | bool | None] = {"step": self._index}
        if reason:
            data["failed"] = True
        effects.append(Journal(REVEAL_CLIP_ENDED, data))
        return effects

    def clip_position(self, position_s: float) -> list[RevealEffect]:
        """The clip's position in the film: it fades out before its end time, stops at it."""
        clip = self._clip_range()
        if not self._clip_playing or clip is None:
            return []
        if position_s >= clip.end_s:
            return self.clip_finished()
        fade = min(self.clip_fade_s, clip.seconds / 2)
        if fade > 0 and not self._clip_closing and position_s >= clip.end_s - fade:
            self._clip_closing = True
            return [Black(fade)]
        return []

    # -- inside ---------------------------------------------------------------------------

    def _black(self, fade_s: float) -> list[RevealEffect]:
        if self._screen is RevealScreen.BLACK:
            return self.go() if self.current else []
        effects = self._end_clip()
        self._screen = RevealScreen.BLACK
        effects += [Black(fade_s), Journal(REVEAL_BLACK, {"on": True})]
        return effects

    def _end_clip(self) -> list[RevealEffect]:
        """Stop the clip if one plays (the caller puts up what comes next)."""
        if not self._clip_playing:
            return []
        self._clip_playing = False
        self._clip_closing = False
        return [StopClip()]

    def _clip_range(self) -> ClipRange | None:
        current = self.current
        if current is None or current.award is None:
            return None
        result = self.results.for_category(current.award.id)
        return result.clip if result else None

    def _static(self, step: RevealStep) -> RevealStep:
        """What stays up for a step shown still: a clip step shows its winner card."""
        if step.kind is StepKind.CLIP:
            return next(
                s
                for s in reversed(self.plan[: step.index])
                if s.kind is StepKind.WINNER and s.award == step.award
            )
        return step

    def _enter(self, step: RevealStep) -> list[RevealEffect]:
        if step.kind is StepKind.CLIP:
            result = self.results.for_category(step.award.id) if step.award else None
            if result is None or result.clip is None:
                return [Present(self._static(step), entering=False)]
            self._clip_playing = True
            return [PlayClip(step, result.winner, result.clip.start_s, result.clip.end_s)]
        if step.kind is StepKind.ENVELOPE:
            return [Present(step), Sting()]
        return [Present(step)]

    def _record_step(self) -> Journal:
        step = self.plan[self._index]
        return Journal(
            REVEAL_STEP,
            {
                "step": self._index,
                "kind": step.kind.value,
                "award": step.award.id if step.award else None,
            },
        )
