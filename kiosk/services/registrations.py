"""Importing a registration export: preview what it would do, then apply it all or nothing.

Shared by `python main.py attendees import` and the console's Registrations view. A file with
any bad row changes nothing; re-importing the same or an updated export keeps everyone's ticket
code, adds new people and reports (never deletes) people no longer in the export.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.core.registrations import (
    ExistingAttendee,
    ImportPlan,
    RegistrationExport,
    RegistrationFileError,
    RowError,
    parse_registration_export,
)
from kiosk.core.tickets import TicketCodec
from kiosk.store.attendees import (
    DEFAULT_SOURCE,
    STATUS_GONE,
    AppliedImport,
    AttendeeRecord,
    AttendeeRepository,
    ImportProgress,
    ImportStoppedError,
    TicketRecord,
)

__all__ = [  # the desk's answers and errors are part of this module's use cases
    "STATUS_GONE",
    "AttendeeRecord",
    "ImportPreview",
    "ImportProgress",
    "ImportRefusedError",
    "ImportResult",
    "ImportStoppedError",
    "ManyGoneError",
    "RegistrationDesk",
    "TicketRecord",
    "apply_preview",
    "check_source_name",
    "import_registrations",
    "preview_import",
    "read_export",
]

log = logging.getLogger(__name__)

MAX_EXPORT_BYTES = 200 * 1024 * 1024
MANY_GONE_SHARE = 0.10  # marking more than this share of the registered people gone…
MANY_GONE_MIN = 5  # …and more than this many, needs --allow-many-gone
_SOURCE_NAME = re.compile(r"^\w[\w .-]{0,39}$")


def check_source_name(name: str) -> str:
    """A registration source's name, trimmed (ValueError if it is not 1-40 letters, digits,
    spaces, '.', '-' or '_')."""
    name = name.strip()
    if not _SOURCE_NAME.match(name):
        raise ValueError(
            f"{name!r} is not a source name: use 1-40 letters, digits, spaces, '.', '-' or '_' "
            f"(e.g. eventbrite, pretix, guests)"
        )
    return name


class ImportRefusedError(RegistrationFileError):
    """The export has bad rows; nothing was imported. ``errors`` lists every one."""

    def __init__(self, path: Path, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(
            f"{path.name}: {len(errors)} row(s) cannot be imported, so nothing was imported. "
            f"Fix them in the file (or map the columns with --map) and import again."
        )


class ManyGoneError(RegistrationFileError):
    """The export would mark many attendees gone (or has no one at all); nothing was imported."""


@dataclass(frozen=True)
class ImportPreview:
    """An export read and matched against the event, before anything is written."""

    path: Path
    export: RegistrationExport
    plan: ImportPlan
    registered: int = 0  # people of this source registered now (not gone)
    would_mark_gone: int = 0  # of them, how many this export leaves out
    source: str = DEFAULT_SOURCE  # the registration source it is reconciled within

    @property
    def empty(self) -> bool:
        """A header-only export (or every row not attending): it names nobody."""
        return not self.export.registrations and not self.export.errors

    def many_gone_problem(self) -> str | None:
        """Why this import needs ``--allow-many-gone``, or None."""
        if self.empty:
            return (
                f"{self.path.name} names nobody (only a header?): importing it would mark all "
                f"{self.registered} registered attendee(s) of source '{self.source}' gone. "
                f"Nothing was imported; check the export, or pass --allow-many-gone if that is "
                f"really meant."
            )
        limit = max(MANY_GONE_MIN, int(self.registered * MANY_GONE_SHARE))
        if self.would_mark_gone > limit:
            share = self.would_mark_gone / max(1, self.registered)
            return (
                f"{self.path.name} leaves out {self.would_mark_gone} of the {self.registered} "
                f"registered attendees ({share:.0%}); importing it would mark them gone. Is it "
                f"the whole export? Nothing was imported; pass --allow-many-gone if it is right."
            )
        return None

    @property
    def can_import(self) -> bool:
        """True when there are no bad rows (an import is all or nothing)."""
        return not self.export.errors

    def counts(self) -> dict[str, int]:
        """How many attendees each outcome would touch."""
        return {
            "new": len(self.plan.new),
            "updated": len(self.plan.updated),
            "unchanged": len(self.plan.unchanged),
            "missing": len(self.plan.missing),
            "would_mark_gone": self.would_mark_gone,
            "not_attending": self.export.skipped_not_attending,
            "duplicates_merged": self.export.duplicates_merged,
            "errors": len(self.export.errors),
        }

    def to_json(self) -> dict[str, Any]:
        """What was detected and what would change, as JSON (`attendees import --json`)."""
        return {
            "file": str(self.path),
            "source": self.source,
            "format": self.export.format,
            "encoding": self.export.encoding,
            "delimiter": self.export.delimiter,
            "header_row": self.export.header_row,
            "mapping": self.export.column_mapping,
            **self.counts(),
            "row_errors": [
                {"row": e.row_number, "problem": e.problem.value, "message": e.message}
                for e in self.export.errors
            ],
            "missing_attendees": [_person(attendee) for attendee in self.plan.missing],
        }


@dataclass(frozen=True)
class ImportResult:
    """An import that was applied: the preview it came from and what changed."""

    preview: ImportPreview
    applied: AppliedImport

    def to_json(self) -> dict[str, Any]:
        """The preview's JSON with what actually happened."""
        plan = self.applied.plan
        return {
            **self.preview.to_json(),
            "ok": True,
            "imported": True,
            "new": len(self.applied.new_ids),
            "updated": len(self.applied.updated_ids),
            "unchanged": len(self.applied.unchanged_ids),
            "missing": len(plan.missing),
            "marked_gone": len(self.applied.gone_ids),
            "returned": len(self.applied.returned_ids),
            "tickets_issued": self.applied.tickets_issued,
            "missing_attendees": [_person(attendee) for attendee in plan.missing],
        }


def _person(attendee: ExistingAttendee) -> dict[str, Any]:
    return {"id": attendee.attendee_id, "name": attendee.name, "email": attendee.email}


def read_export(
    path: Path, mapping: Mapping[str, str] | None = None, *, encoding: str | None = None
) -> RegistrationExport:
    """Read and parse an export file (RegistrationFileError for a file that cannot be used).

    `encoding` (e.g. "big5hkscs") skips detection, for files whose Chinese is too short to tell.
    """
    try:
        size = path.stat().st_size
        if size > MAX_EXPORT_BYTES:
            raise RegistrationFileError(
                f"{path.name} is {size // (1024 * 1024)} MB; a registration export is never "
                f"that large. Is it the right file?"
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RegistrationFileError(f"{path} does not exist.") from exc
    except IsADirectoryError as exc:
        raise RegistrationFileError(f"{path} is a folder, not an export file.") from exc
    except OSError as exc:
        raise RegistrationFileError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    return parse_registration_export(data, mapping, encoding=encoding)


def preview_import(
    db: sqlite_utils.Database,
    codec: TicketCodec,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    *,
    encoding: str | None = None,
    source: str = DEFAULT_SOURCE,
) -> ImportPreview:
    """Read an export and work out what importing it as registration source `source` would
    do (matching and marking gone only within that source); writes nothing."""
    export = read_export(path, mapping, encoding=encoding)
    repository = AttendeeRepository(db, codec)
    plan = repository.plan(export.registrations, source)
    registered = repository.registered_ids(source)
    gone = sum(1 for attendee in plan.missing if attendee.attendee_id in registered)
    return ImportPreview(path, export, plan, len(registered), gone, source)


def apply_preview(
    db: sqlite_utils.Database,
    codec: TicketCodec,
    preview: ImportPreview,
    *,
    allow_many_gone: bool = False,
    progress: ImportProgress | None = None,
) -> ImportResult:
    """Import what a preview read; issues tickets to the new attendees (``progress``: see
    :meth:`AttendeeRepository.apply_import`).

    Raises ImportRefusedError (and writes nothing) when the export has bad rows, and
    ManyGoneError (writes nothing) for an export that names nobody or would mark more than a
    small share of the registered attendees gone, unless ``allow_many_gone``.
    """
    if not preview.can_import:
        raise ImportRefusedError(preview.path, preview.export.errors)
    problem = preview.many_gone_problem()
    if problem and not allow_many_gone:
        raise ManyGoneError(problem)
    export = preview.export
    applied = AttendeeRepository(db, codec).apply_import(
        export.registrations,
        preview.path.name,
        {
            "file": str(preview.path),
            "format": export.format,
            "encoding": export.encoding,
            "not_attending": export.skipped_not_attending,
            "duplicates_merged": export.duplicates_merged,
        },
        registration_source=preview.source,
        progress=progress,
    )
    return ImportResult(preview, applied)


def import_registrations(
    db: sqlite_utils.Database,
    codec: TicketCodec,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    *,
    allow_many_gone: bool = False,
    source: str = DEFAULT_SOURCE,
) -> ImportResult:
    """Read, check and import an export (as registration source `source`) in one go."""
    preview = preview_import(db, codec, path, mapping, source=source)
    return apply_preview(db, codec, preview, allow_many_gone=allow_many_gone)


class RegistrationDesk:
    """One event's attendees and tickets as the console's Registrations view works on them,
    on one database connection: it lives on the view's worker thread (one connection per
    thread), so the view never holds the database. Imports run in a child process
    (:mod:`kiosk.services.import_process`)."""

    def __init__(self, db: sqlite_utils.Database, codec: TicketCodec) -> None:
        self._db = db
        self._codec = codec
        self._attendees = AttendeeRepository(db, codec)

    def attendees(self) -> list[AttendeeRecord]:
        """Everyone registered (and those gone from the latest export), with their ticket."""
        return self._attendees.all()

    def revoke(self, attendee_id: str, reason: str | None = None) -> TicketRecord:
        """Revoke an attendee's ticket."""
        return self._attendees.revoke(attendee_id, reason)

    def reissue(self, attendee_id: str, reason: str | None = None) -> TicketRecord:
        """A new ticket for an attendee (the old code stops working)."""
        return self._attendees.reissue(attendee_id, reason)

    def close(self) -> None:
        """Close the desk's database connection (on the thread that used it)."""
        self._db.close()
