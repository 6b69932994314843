"""Reading registration exports (CSV files from the festival website) into clean registrations.

Plain Python over bytes and values, one module per step of the pipeline: `encoding` (which
codec), `columns` (delimiter, header row, which column is which), `rows` (names, e-mails,
who is not coming, merging the same person), `reconcile` (the import plan against the
attendees already known); `model` holds the types and `export` the entry points. The full
description of each rule is in `kiosk.core.registrations.export`.

Everything is re-exported here, so `from kiosk.core.registrations import X` keeps working.
"""

from __future__ import annotations

from kiosk.core.registrations.encoding import decode_export
from kiosk.core.registrations.export import (
    parse_mapping_options,
    parse_registration_export,
    sniff_header_row,
)
from kiosk.core.registrations.model import (
    FORMAT_EVENTBRITE,
    FORMAT_GOOGLE_FORMS,
    FORMAT_PLAIN,
    FORMAT_PRETIX,
    IGNORE_FIELD,
    TARGET_FIELDS,
    AttendeeMatch,
    ColumnMappingError,
    ExistingAttendee,
    ImportPlan,
    Registration,
    RegistrationExport,
    RegistrationFileError,
    RowError,
    RowProblem,
)
from kiosk.core.registrations.reconcile import plan_import
from kiosk.core.registrations.rows import (
    is_plausible_email,
    means_not_attending,
    normalise_email,
    normalise_name,
)

__all__ = [
    "FORMAT_EVENTBRITE",
    "FORMAT_GOOGLE_FORMS",
    "FORMAT_PLAIN",
    "FORMAT_PRETIX",
    "IGNORE_FIELD",
    "TARGET_FIELDS",
    "AttendeeMatch",
    "ColumnMappingError",
    "ExistingAttendee",
    "ImportPlan",
    "Registration",
    "RegistrationExport",
    "RegistrationFileError",
    "RowError",
    "RowProblem",
    "decode_export",
    "is_plausible_email",
    "means_not_attending",
    "normalise_email",
    "normalise_name",
    "parse_mapping_options",
    "parse_registration_export",
    "plan_import",
    "sniff_header_row",
]
