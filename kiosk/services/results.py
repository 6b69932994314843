"""Sealing the jury's results, checking the seal, and opening it at the reveal.

Shared by the `results` commands and the console through :class:`SealedResults`, which
:meth:`kiosk.services.open_event.OpenEvent.sealed_results` makes. The winners stay inside the
seal: the journal records only how many categories were sealed, for how many keyholders, and
the seal file's fingerprint; log lines and every message here name award ids at most, never a
film.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.core.awards import JuryResults, check_results, parse_jury_results
from kiosk.core.event import EventConfig
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.programme import Programme
from kiosk.store.database import transaction
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal, JournalEntry
from kiosk.store.sealed_results import (
    DEFAULT_KDF_N,
    NoSealError,
    Progress,
    Seal,
    SealDamagedError,
    SealError,
    SealExistsError,
    SealTamperedError,
    WrongPassphraseError,
    derive_key,
    fingerprint,
    make_seal,
    programme_digest,
    read_seal,
    require_untampered,
    short_fingerprint,
    tampered_message,
    unseal,
    write_seal,
)
from kiosk.store.vote_key_seal import refuse_if_ballots_cast, seal_vote_key_in

log = logging.getLogger(__name__)

RESULTS_SEALED = "results_sealed"
RESULTS_SEALING = "results_sealing"  # committed BEFORE the file is written: the intent
RESULTS_OPENED = "results_opened"
MIN_PASSPHRASE_CHARS = 8
_FILM_FIELDS = ("winner", "nominees", "honourable_mentions")


@dataclass(frozen=True)
class SealSummary:
    """What `seal_results` sealed: public facts only."""

    path: Path
    categories: tuple[str, ...]
    keyholders: int
    sealed_at: str
    fingerprint: str
    replaced: bool

    @property
    def short_fingerprint(self) -> str:
        """What keyholders write down at sealing (``results verify`` prints it too)."""
        return short_fingerprint(self.fingerprint)


@dataclass(frozen=True)
class SealRecord:
    """What the journal says about the seal file on disk (see :meth:`SealedResults.seal_record`)."""

    expected: str | None  # the fingerprint the file must have; None: no sealing recorded
    sealed_at: str | None = None  # journal time (UTC) of the sealing that wrote this file
    replaced: bool = False  # that sealing replaced an earlier seal
    times_sealed: int = 0  # sealings recorded in this event (each replacing the one before)
    completed_by_recovery: bool = False  # written, then a crash before its final record


@dataclass
class VerifyReport:
    """What `SealedResults.verify_seal` found. Problems name award ids at most, never a film."""

    path: Path
    sealed: bool = False  # a seal file exists and reads as one
    categories: tuple[str, ...] = ()
    keyholders: int = 0
    sealed_at: str | None = None
    recorded: bool = False  # the journal has a record of a sealing to compare with
    intact: bool = False  # the file's fingerprint is the one recorded at sealing
    programme_changed: bool = False
    opened: bool = False  # decrypted with the passphrase(s) and checked against the programme
    fingerprint: str | None = None  # short form, as printed at sealing
    replaced: bool = False  # this seal replaced an earlier one
    replaced_at: str | None = None  # when (UTC ISO 8601), if it did
    times_sealed: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing wrong was found."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The `results verify --json` object."""
        return {
            "ok": self.ok,
            "path": str(self.path),
            "categories": list(self.categories),
            "keyholders": self.keyholders,
            "sealed_at": self.sealed_at,
            "intact": self.intact,
            "programme_changed": self.programme_changed,
            "opened": self.opened,
            "fingerprint": self.fingerprint,
            "replaced": self.replaced,
            "replaced_at": self.replaced_at,
            "times_sealed": self.times_sealed,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
        }


def check_new_passphrases(passphrases: Sequence[str]) -> None:
    """SealError unless the passphrases are fit to seal with (length, two different ones)."""
    if not 1 <= len(passphrases) <= 2:
        raise SealError("sealing takes one passphrase, or two for two keyholders")
    for number, passphrase in enumerate(passphrases, start=1):
        if len(passphrase) < MIN_PASSPHRASE_CHARS:
            whose = "the passphrase" if len(passphrases) == 1 else f"keyholder {number}'s"
            raise SealError(
                f"{whose} is too short: use at least {MIN_PASSPHRASE_CHARS} characters "
                f"(a few words are easier to type and to remember)"
            )
    if len(passphrases) == 2 and passphrases[0] == passphrases[1]:
        raise SealError("the two keyholders' passphrases must be different")


def _plaintext(results: JuryResults) -> bytes:
    record = {"format": "aiff-jury-results", **results.to_dict()}
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _read_jury_file(plain_path: Path) -> str:
    try:
        return plain_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(plain_path, f"is not UTF-8 text (byte {exc.start})")]) from None
    except OSError as exc:
        raise ConfigError(
            [Problem(plain_path, f"cannot read the jury's results: {exc.strerror}")]
        ) from None


def _exists_error(path: Path) -> SealExistsError:
    try:
        when = f" (sealed {read_seal(path).header.sealed_at})"
    except SealError:
        when = ""
    return SealExistsError(
        f"{path} already holds sealed results{when}; pass --replace to seal these instead"
    )


def _discreet(problem: Problem, film_ids: set[str]) -> str | None:
    """A problem found in the opened results, said without naming any film.

    None for the problems the keyless checks already report from the header (a category that
    is not an award, a jury award without a result).
    """
    if problem.item == "[[results]]" or "is not an award of this event" in problem.message:
        return None
    item = problem.item or "the results"
    if problem.field in _FILM_FIELDS:
        if "is not in the programme" in problem.message:
            return f"{item}: a film it names is no longer in the programme"
        return f"{item}: its winner, nominees and mentions do not agree"
    if problem.field == "clip_end":
        return f"{item}: its clip ends after the end of the film as the programme now declares it"
    if any(film_id in problem.message for film_id in film_ids):
        return f"{item}: does not fit this event any more"
    return f"{item}: {problem.message}"


class SealedResults:
    """One event's sealed results: sealing the jury's file, checking the seal, opening it.

    Made by :meth:`kiosk.services.open_event.OpenEvent.sealed_results` from what the event's one
    opening read (its config, programme and ticket key); each call opens its own connection
    with ``connect`` on the calling thread and closes it. ``folder`` gives paths only.
    """

    def __init__(
        self,
        folder: EventFolder,
        config: EventConfig,
        programme: Programme,
        secret_key: bytes,
        connect: Callable[[], sqlite_utils.Database],
    ) -> None:
        self._folder = folder
        self.config = config
        self.programme = programme
        self._secret_key = secret_key
        self._connect = connect

    @property
    def path(self) -> Path:
        """Where the seal file is (or would be)."""
        return self._folder.sealed_results_path

    def seal_record(self, file_fingerprint: str | None) -> SealRecord:
        """Which fingerprint the seal file may have, from the journal, whatever crash came between.

        Sealing commits an intent (``results_sealing``, with the new fingerprint) before the file
        is written, and the record (``results_sealed``) after. So the file is genuine if it is the
        latest record's, or an intent's newer than that record (the sealing crashed after writing
        the file). An older seal put back, or any other file, matches neither.
        """
        if not self._folder.db_path.exists():
            return SealRecord(None)
        latest: JournalEntry | None = None
        pending: list[JournalEntry] = []
        times_sealed = 0
        db = self._connect()
        try:
            entries = list(Journal(db).entries(RESULTS_SEALING, RESULTS_SEALED))
        finally:
            db.close()
        for entry in entries:
            if entry.kind == RESULTS_SEALED:
                latest, pending = entry, []
                times_sealed += 1
            else:
                pending.append(entry)
        for intent in reversed(pending):
            if file_fingerprint is not None and intent.data.get("fingerprint") == file_fingerprint:
                return SealRecord(
                    file_fingerprint,
                    intent.at,
                    replaced=intent.data.get("replaces") is not None,
                    times_sealed=times_sealed + 1,
                    completed_by_recovery=True,
                )
        if latest is None:
            return SealRecord(None)
        value = latest.data.get("fingerprint")
        return SealRecord(
            value if isinstance(value, str) else None,
            latest.at,
            replaced=bool(latest.data.get("replaced")),
            times_sealed=times_sealed,
        )

    def seal_results(
        self,
        plain_path: Path,
        passphrases: Sequence[str],
        *,
        replace: bool = False,
        kdf_n: int = DEFAULT_KDF_N,
        progress: Progress | None = None,
    ) -> SealSummary:
        """Check the jury's TOML against the event and programme, then seal it into the event.

        ConfigError lists every problem in the file (nothing is sealed); SealExistsError if results
        are already sealed and `replace` is False. No crash can make a good seal look tampered: the
        journal records the new fingerprint as an intent first (committed), then the file is
        written atomically, then the sealing is recorded (see :meth:`seal_record`). The caller
        holds the event lock, so no other sealing runs meanwhile.
        """
        check_new_passphrases(passphrases)
        path = self._folder.sealed_results_path
        if not replace:
            self.refuse_to_overwrite()
        results = parse_jury_results(
            _read_jury_file(plain_path), plain_path, self.config, self.programme
        )
        data = make_seal(
            _plaintext(results),
            passphrases,
            categories=results.categories,
            programme_digest=programme_digest(self.programme),
            kdf_n=kdf_n,
            progress=progress,
        )
        seal_fingerprint = fingerprint(data)
        db = self._connect()
        try:
            existed = path.exists()
            if existed and not replace:  # sealed by someone else while the key was derived
                raise _exists_error(path)
            previous = fingerprint(path.read_bytes()) if existed else None
            with transaction(db) as conn:
                refuse_if_ballots_cast(conn)  # a new vote key would make them uncountable
                Journal.append_in(
                    conn,
                    RESULTS_SEALING,
                    None,
                    {"fingerprint": seal_fingerprint, "replaces": previous},
                )
            write_seal(path, data)
            with transaction(db) as conn:
                seal_vote_key_in(
                    conn, self._folder.root, passphrases, read_seal(path).header.kdf, progress
                )
                Journal.append_in(
                    conn,
                    RESULTS_SEALED,
                    None,
                    {
                        "categories": len(results.categories),
                        "keyholders": len(passphrases),
                        "fingerprint": seal_fingerprint,
                        "replaced": existed,
                        "replaced_fingerprint": previous,
                    },
                )
        finally:
            db.close()
        seal = read_seal(path)
        log.info(
            "sealed %d result(s) for %d keyholder(s) into %s",
            len(results.categories),
            len(passphrases),
            path,
        )
        return SealSummary(
            path,
            results.categories,
            len(passphrases),
            seal.header.sealed_at,
            seal_fingerprint,
            existed,
        )

    def refuse_to_overwrite(self) -> None:
        """SealExistsError if the event already has sealed results (sealing would replace them)."""
        if self._folder.sealed_results_path.exists():
            raise _exists_error(self._folder.sealed_results_path)

    def _keyless_checks(self, report: VerifyReport, seal: Seal) -> None:
        record = self.seal_record(seal.fingerprint)
        recorded = record.expected
        report.recorded = recorded is not None
        report.intact = recorded == seal.fingerprint
        report.fingerprint = short_fingerprint(seal.fingerprint)
        report.times_sealed = record.times_sealed
        if report.intact:
            report.replaced = record.replaced
            report.replaced_at = record.sealed_at if record.replaced else None
            if record.completed_by_recovery:
                report.warnings.append(
                    "the sealing was interrupted after the seal file was written; the file is the "
                    "one that sealing wrote (its fingerprint was recorded before writing)"
                )
        if recorded is None:
            report.problems.append(
                f"{seal.path} is not recorded in this event's journal: it was not sealed in this "
                f"event, or event.db was replaced since. Seal the jury's file again with --replace."
            )
        elif not report.intact:
            report.problems.append(tampered_message(seal.path))
        awards = {a.id: a for a in self.config.awards}
        for category in seal.header.categories:
            if category not in awards:
                report.problems.append(
                    f"result '{category}' is sealed, but event.toml has no award '{category}' "
                    f"(awards: {', '.join(awards) or 'none'})"
                )
        for award in self.config.awards:
            if award.kind == "jury" and award.id not in seal.header.categories:
                report.problems.append(f"the jury award '{award.id}' has no sealed result")
        report.programme_changed = seal.header.programme_digest != programme_digest(self.programme)
        if seal.header.kdf.is_test_strength:
            report.warnings.append(
                f"sealed with a test-strength key derivation ({seal.header.kdf.describe()}): "
                f"seal again without --kdf-n for the real night"
            )

    def verify_seal(
        self,
        passphrases: Sequence[str] | None = None,
        *,
        progress: Progress | None = None,
    ) -> VerifyReport:
        """Check the seal without revealing anything; with passphrases, also open it and check it.

        Without passphrases: the file reads as a seal, it is the file recorded at sealing, its
        categories fit event.toml, and the programme is the same as at sealing (if it is not, only
        opening can tell whether the results still fit). With passphrases: it opens, and every film
        the results name is still in today's programme.
        cannot be read.
        """
        report = VerifyReport(self._folder.sealed_results_path)
        try:
            seal = read_seal(report.path)
        except SealError as exc:
            report.problems.append(str(exc))
            return report
        report.sealed = True
        report.categories = seal.header.categories
        report.keyholders = seal.header.keyholders
        report.sealed_at = seal.header.sealed_at
        self._keyless_checks(report, seal)
        if passphrases is not None and report.intact:
            try:
                results = self._open(seal, passphrases, progress, purpose="verify")
            except SealError as exc:
                report.problems.append(str(exc))
            else:
                report.opened = True
                found = check_results(results, self.config, self.programme, report.path)
                film_ids = results.film_ids()
                for problem in found:
                    said = _discreet(problem, film_ids)
                    # once per category: a removed winner (named as winner and as nominee) must read
                    # exactly like a removed nominee
                    if said is not None and said not in report.problems:
                        report.problems.append(said)
        if report.programme_changed and not report.opened:
            report.problems.append(
                "the programme has changed since the results were sealed (a film added, removed, "
                "renamed or moved): run `results verify --open` with the passphrase(s) to check "
                "that every film the results name is still in it"
            )
        log.info(
            "seal checked: %s, %d problem(s), opened=%s, programme changed=%s",
            "ok" if report.ok else "NOT ok",
            len(report.problems),
            report.opened,
            report.programme_changed,
        )
        return report

    def _open(
        self,
        seal: Seal,
        passphrases: Sequence[str],
        progress: Progress | None,
        *,
        purpose: str,
        derived: bytes | None = None,
    ) -> JuryResults:
        recorded = self.seal_record(seal.fingerprint).expected
        plaintext = unseal(
            seal, passphrases, recorded_fingerprint=recorded, progress=progress, derived=derived
        )
        try:
            results = JuryResults.from_dict(json.loads(plaintext.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError):
            raise SealDamagedError(
                f"{seal.path} opened, but what is inside is not a results record"
            ) from None
        db = self._connect()
        try:
            with transaction(db) as conn:
                Journal.append_in(
                    conn,
                    RESULTS_OPENED,
                    None,
                    {"purpose": purpose, "categories": len(results.results)},
                )
        finally:
            db.close()
        log.info("sealed results opened (%s)", purpose)
        return results

    def open_results(
        self,
        passphrases: Sequence[str],
        *,
        progress: Progress | None = None,
        purpose: str = "reveal",
    ) -> JuryResults:
        """Open the seal for the reveal: the results, in memory only (journalled: when, why).

        NoSealError, SealTamperedError (changed since sealing), WrongPassphraseError, SealError.
        """
        seal = read_seal(self._folder.sealed_results_path)
        if purpose != "reveal":
            return self._open(seal, passphrases, progress, purpose=purpose)
        # The reveal opens the results and the vote key with the same passphrases: derive the
        # key once (scrypt is the keyholders' wait), after the cheap check that the file is the
        # sealed one.
        require_untampered(seal, self.seal_record(seal.fingerprint).expected)
        key = derive_key(passphrases, seal.header.kdf, progress)
        results = self._open(seal, passphrases, progress, purpose=purpose, derived=key)
        from kiosk.services.vote import ViewerVote  # the Viewer's Award, once voted

        vote = ViewerVote(
            self._folder, self.config, self.programme, self._secret_key, self._connect()
        )
        with vote:
            return vote.with_viewer_result(results, passphrases, progress=progress, derived=key)

    def sealed_categories(self) -> tuple[str, ...]:
        """The award ids sealed, in the jury's order (public; NoSealError if nothing is sealed)."""
        return read_seal(self._folder.sealed_results_path).header.categories

    def keyholders(self) -> int:
        """How many passphrases open the seal (NoSealError if nothing is sealed)."""
        return read_seal(self._folder.sealed_results_path).header.keyholders

    def has_seal(self) -> bool:
        """True once the event has a `results.sealed` file (readable or not)."""
        return self._folder.sealed_results_path.exists()


def destroy_plain_file(path: Path) -> None:
    """Overwrite the jury's plain file with random bytes, flush it to disk, then delete it.

    On SSDs and journalling or copy-on-write file systems the old blocks may survive
    elsewhere; this is a habit, not a guarantee. Backups and mail attachments are untouched.
    """
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(os.urandom(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    log.info("overwrote and deleted %s", path)


__all__ = [
    "RESULTS_OPENED",
    "RESULTS_SEALED",
    "NoSealError",
    "SealError",
    "SealExistsError",
    "SealSummary",
    "SealTamperedError",
    "SealedResults",
    "VerifyReport",
    "WrongPassphraseError",
    "check_new_passphrases",
    "destroy_plain_file",
]
