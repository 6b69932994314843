"""Builds the award reveal for the console: the seal's public status, opening it, the controller.

The concrete `RevealLauncher` of kiosk.ui.console.reveal_panel: it reads what may be known
without a passphrase (which awards are sealed, for how many keyholders, whether the file is
intact), opens the seal on a worker thread when the keyholders type their passphrases, checks
the opened results against tonight's programme and has the `Night` start the reveal on its
projector, resumed at the journalled step if a reveal was interrupted. It asks the night for
the current show each time, so a show started over since is the one that lends the projector.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kiosk.core.awards import (
    REVEAL_KINDS,
    REVEAL_RESET,
    REVEAL_STEP,
    JuryResults,
    RevealMachine,
    RevealResume,
    RevealStep,
    StepKind,
    build_plan,
    check_results,
    reveal_resume_point,
)
from kiosk.core.problems import ConfigError
from kiosk.media.stills import StillProvider, cache_dir_for
from kiosk.night.night import Night
from kiosk.night.reveal import RevealController
from kiosk.render.cards import Card
from kiosk.render.reveal_cards import card_for_step
from kiosk.services.results import SealedResults
from kiosk.store.errors import StoreError
from kiosk.store.journal import Journal, JournalEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SealStatus:
    """What the console may know about the seal before it is opened."""

    sealed: bool
    text: str  # one line for the operator, e.g. "3 awards sealed for 2 keyholders"
    keyholders: int = 1
    problem: str | None = None  # why the reveal cannot start (no seal, seal damaged)


class AppRevealLauncher:
    """Opens the event's sealed results and has the night start the reveal on its projector.

    Its reads (:meth:`status`, :meth:`interrupted_at`, :meth:`open_results`) wait on files and
    the database: the console calls them on a worker thread, each on a connection of its own
    (``connect``, opened on the calling thread and closed there), never the show's.
    :meth:`build` runs on the GUI thread and reads nothing: the journalled step it resumes at
    was read by :meth:`open_results`.
    """

    def __init__(
        self,
        sealed: SealedResults,
        root: Path,
        night: Night,
        connect: Callable[[], sqlite_utils.Database],
    ) -> None:
        """``sealed``: the event's sealed results as its one opening gives them; ``root``: the
        event folder (the stills' cache); ``connect``: a new connection to the event database."""
        self.sealed = sealed
        self.root = root
        self.night = night
        self.config = night.config
        self.programme = night.programme
        self._connect = connect
        self._stills = StillProvider(cache_dir_for(root))
        self._resume_at_opening: RevealResume | None = None

    def status(self) -> SealStatus:
        """What is sealed, checked without a passphrase."""
        try:
            report = self.sealed.verify_seal()
        except (ConfigError, StoreError) as exc:
            return SealStatus(False, "", problem=str(exc))
        if not report.sealed:
            reason = "; ".join(report.problems) or "no sealed results"
            return SealStatus(False, "", problem=f"{reason} (seal them with `results seal`)")
        names = {a.id: a.name_en for a in self.config.awards}
        awards = ", ".join(names.get(c, c) for c in report.categories)
        holders = report.keyholders
        text = (
            f"Sealed {_local_time(report.sealed_at, self.config.zone)}: "
            f"{len(report.categories)} award(s) "
            f"({awards}) · "
            f"{holders} keyholder{'s' if holders > 1 else ''}"
        )
        problems = list(report.problems)
        if report.programme_changed and report.intact:
            # opening checks every sealed film against today's programme anyway
            text += " · the programme changed since sealing: checked again when opened"
            problems = [p for p in problems if not p.startswith("the programme has changed")]
        problem = "; ".join(problems) or None
        return SealStatus(True, text, holders, problem)

    def interrupted_at(self) -> RevealStep | None:
        """The step an interrupted reveal reached, read from the journal (no passphrase needed)."""
        if self._resume_point() is None:
            return None
        awards = {a.id: a for a in self.config.awards}
        last: RevealStep | None = None
        for entry in self._journal(REVEAL_STEP, REVEAL_RESET):
            data = entry.data
            if entry.kind == REVEAL_RESET:
                last = None
                continue
            try:
                kind = StepKind(data.get("kind"))
            except ValueError:
                continue
            award = awards.get(str(data.get("award")))
            index = int(data.get("step", 0))
            number = self.config.awards.index(award) + 1 if award else 0
            count = len(self.config.awards) if award else 0
            last = RevealStep(index, kind, award, number, count)
        return last

    def open_results(self, passphrases: list[str]) -> JuryResults:
        """Decrypt the results (worker thread) and check them against tonight's programme; read
        the step an interrupted reveal reached, for :meth:`build`."""
        results = self.sealed.open_results(passphrases)
        problems = check_results(results, self.config, self.programme, self.root)
        if problems:
            where = sorted({p.item or "the results" for p in problems})
            # no details here: they could name a film (`results verify --open` says it discreetly)
            raise ValueError(
                f"the sealed results do not fit tonight's programme ({', '.join(where)}); "
                "run `results verify --open` for what is wrong"
            )
        try:
            # every film at once (never just the nominees: see kiosk.media.stills)
            report = self._stills.prepare_all(self.programme)
            if report.failed:
                log.warning("%d film(s) gave no still; their cards show none", len(report.failed))
        except Exception:  # no ffmpeg, a full disk: the cards take frames one by one instead
            log.warning("stills could not be prepared before the reveal", exc_info=True)
        # no reveal runs while the keyholders open the seal: the journal cannot move until build
        self._resume_at_opening = self._resume_point()
        return results

    def build(self, results: JuryResults) -> RevealController:
        """A started reveal; resumed under black at the journalled step if it was interrupted."""
        show = self.night.show
        reason = show.can_lend_players() if show is not None else None
        if reason is not None:
            raise RuntimeError(reason)
        plan = build_plan(self.config.awards, results)
        point = self._resume_at_opening
        resume_at = None
        if point is not None:
            machine_probe = RevealMachine(plan, results)
            if point.fingerprint == machine_probe.fingerprint:
                resume_at = point.index
            elif self.night.messages is not None:
                self.night.messages.warning(
                    "The sealed results changed since the interrupted reveal: starting from the top"
                )
        machine = RevealMachine(plan, results, resume_at=resume_at)
        stills = self._stills
        card_for: Callable[[RevealStep], Card] = lambda step: card_for_step(  # noqa: E731
            step, self.config, self.programme, results, stills
        )
        return self.night.start_reveal(machine, card_for)

    def _resume_point(self) -> RevealResume | None:
        entries = ((e.kind, e.data) for e in self._journal(*REVEAL_KINDS))
        return reveal_resume_point(entries)

    def _journal(self, *kinds: str) -> Iterator[JournalEntry]:
        """The journal's entries of ``kinds``, read whole on a connection of this thread."""
        db = self._connect()
        try:
            entries = list(Journal(db).entries(*kinds))
        finally:
            db.close()
        return iter(entries)


def _local_time(iso: str | None, zone: dt.tzinfo) -> str:
    """`2026-11-24T22:50:20+00:00` as `Wed 25 Nov 2026 06:50` in the event's time zone."""
    if not iso:
        return "at an unknown time"
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).strftime("%a %d %b %Y %H:%M")
