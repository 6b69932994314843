"""The types of a registration import: fields, formats, errors, registrations, the plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

TARGET_FIELDS: tuple[str, ...] = (
    "name",
    "first_name",
    "last_name",
    "name_latin",
    "email",
    "status",
    "external_id",
    "phone",
    "registered_at",
)
"""The fields a column can be mapped to (see ``mapping`` in :func:`parse_registration_export`)."""

IGNORE_FIELD = "ignore"
"""Mapping a column to this pseudo-field stops it from being recognised automatically."""

FORMAT_EVENTBRITE = "eventbrite"
FORMAT_PRETIX = "pretix"
FORMAT_GOOGLE_FORMS = "google-forms"
FORMAT_PLAIN = "plain"

KeyFunction: TypeAlias = Callable[[int], str]
NAME_FIELDS = ("name", "first_name", "last_name", "name_latin")
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_SAMPLE_RECORDS = 50
HEADER_SEARCH_RECORDS = 5
UTF16_SNIFF_BYTES = 4096
HEADERS_SHOWN_IN_ERRORS = 30


class RegistrationFileError(ValueError):
    """A registration export that cannot be used at all (as opposed to a few bad rows)."""


class ColumnMappingError(RegistrationFileError):
    """An explicit column mapping that names an unknown field or a header the file lacks."""


class RowProblem(Enum):
    """What is wrong with one row of an export."""

    MISSING_NAME = "missing_name"
    MISSING_EMAIL = "missing_email"
    MALFORMED_EMAIL = "malformed_email"
    FIELD_COUNT = "field_count"
    DUPLICATE_ID = "duplicate_id"


@dataclass(frozen=True)
class RowError:
    """One problem in one row; ``row_number`` is the row as a spreadsheet shows it (header = 1)."""

    row_number: int
    problem: RowProblem
    message: str

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.message}"


@dataclass(frozen=True)
class Registration:
    """One person registered for the event, cleaned up from one (or more merged) export rows."""

    name: str
    name_latin: str | None
    email: str
    external_id: str | None
    phone: str | None
    registered_at: str | None
    source_row: int


@dataclass(frozen=True)
class RegistrationExport:
    """Everything read from one export: the registrations, the bad rows and what was detected."""

    registrations: list[Registration]
    errors: list[RowError]
    skipped_not_attending: int
    duplicates_merged: int
    encoding: str
    delimiter: str
    format: str
    column_mapping: dict[str, str]
    headers: list[str]
    header_row: int


@dataclass(frozen=True)
class ExistingAttendee:
    """An attendee already in the event, as far as matching against a new export needs it."""

    attendee_id: int
    name: str
    name_latin: str | None
    email: str | None
    external_id: str | None
    phone: str | None = None


@dataclass(frozen=True)
class AttendeeMatch:
    """An existing attendee found again in the export; ``changed_fields`` lists what differs."""

    existing: ExistingAttendee
    registration: Registration
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class ImportPlan:
    """What importing an export would do; nothing is ever deleted (``missing`` is a report)."""

    new: list[Registration]
    updated: list[AttendeeMatch]
    unchanged: list[AttendeeMatch]
    missing: list[ExistingAttendee]
