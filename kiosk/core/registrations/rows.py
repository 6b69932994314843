"""Rows into registrations (step 4, see kiosk.core.registrations.export): names and e-mails
cleaned, people not coming counted, rows of the same person merged.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kiosk.core.registrations.columns import MappedColumn
from kiosk.core.registrations.model import Registration, RowError, RowProblem


def normalise_name(text: str) -> str:
    """Clean a name without changing how it is written: NFC, trimmed, whitespace runs collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_email(text: str) -> str:
    """Clean an e-mail address: NFKC (full-width typing), trimmed, no ``mailto:``, lower case."""
    email = unicodedata.normalize("NFKC", text).strip()
    if email[:7].lower() == "mailto:":
        email = email[7:].strip()
    return email.lower()


_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[^@\s.]{2,}")


def is_plausible_email(email: str) -> bool:
    """Loosely check an e-mail address: something@something.tld, no spaces, one ``@``."""
    return _EMAIL_PATTERN.fullmatch(email) is not None


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

# A status starting with one of these words (Latin) or containing one of these (CJK) means the
# person is not coming. Anything else ("paid", "pending", "Attending", "Checked In") is coming.
_NOT_ATTENDING_LATIN = (
    "cancelled|canceled|cancellation|refunded|not attending|deleted|expired|void|voided|"
    "declined|rejected|withdrawn|storniert|abgelaufen|erstattet|zurückerstattet|gelöscht|"
    "annulé|annulée|remboursé|expiré"
)
_NOT_ATTENDING_HAN = (
    "取消|退款|退票|過期|过期|不出席|不參加|不参加|刪除|删除|作廢|作废|撤銷|撤销|拒絕|拒绝"
)
_NOT_ATTENDING_WORDS = tuple(_NOT_ATTENDING_LATIN.split("|"))
_NOT_ATTENDING_CJK = tuple(_NOT_ATTENDING_HAN.split("|"))


def means_not_attending(status: str) -> bool:
    """True when a registration status says the person is not coming (cancelled, refunded...)."""
    key = " ".join(unicodedata.normalize("NFKC", status).casefold().split())
    if any(word in key for word in _NOT_ATTENDING_CJK):
        return True
    for word in _NOT_ATTENDING_WORDS:
        if key.startswith(word):
            rest = key[len(word) :]
            if not rest or not rest[0].isalpha():
                return True
    return False


def _is_han(text: str) -> bool:
    return bool(text) and all(unicodedata.name(c, "").startswith("CJK") for c in text)


def _compose_name(first: str, last: str) -> str:
    """Join given and family names: family first without a space for Chinese names."""
    if first and last:
        return last + first if _is_han(first) and _is_han(last) else f"{first} {last}"
    return first or last


@dataclass(frozen=True)
class RowCandidate:
    registration: Registration
    per_attendee_id: bool  # external_id identifies one ticket, not a whole order


class RowReader:
    """Turns one data record into a candidate registration, row errors, or ``None`` (skipped)."""

    def __init__(
        self, headers: Sequence[str], columns: Sequence[MappedColumn], delimiter: str
    ) -> None:
        self._width = len(headers)
        self._columns = columns
        self._delimiter = "TAB" if delimiter == "\t" else delimiter

    def _value(self, record: Sequence[str], field_name: str, part: str | None = None) -> str:
        for column in self._columns:
            if (
                column.field == field_name
                and (part is None or column.part == part)
                and column.index < len(record)
                and record[column.index].strip()
            ):
                return record[column.index].strip()
        return ""

    def read(self, record: Sequence[str], row_number: int) -> RowCandidate | list[RowError] | None:
        too_long = [
            RowError(
                row_number,
                RowProblem.FIELD_COUNT,
                f"the row has {len(record)} fields but the header has {self._width}, so the "
                f"values cannot be matched to columns (probably an unquoted "
                f"'{self._delimiter}' inside a value; put that value in double quotes)",
            )
        ]
        if any(cell.strip() for cell in record[self._width :]):
            return too_long
        status = self._value(record, "status")
        if status and means_not_attending(status):
            return None
        short = (
            f" (the row has only {len(record)} of the header's {self._width} fields)"
            if len(record) < self._width
            else ""
        )
        errors: list[RowError] = []
        name_latin = normalise_name(self._value(record, "name_latin")) or None
        name = normalise_name(self._value(record, "name")) or normalise_name(
            _compose_name(self._value(record, "first_name"), self._value(record, "last_name"))
        )
        if not name and name_latin:
            name, name_latin = name_latin, None
        if not name:
            errors.append(RowError(row_number, RowProblem.MISSING_NAME, f"missing name{short}"))
        raw_email = self._value(record, "email")
        email = normalise_email(raw_email)
        if not email:
            errors.append(
                RowError(row_number, RowProblem.MISSING_EMAIL, f"missing e-mail address{short}")
            )
        elif not is_plausible_email(email):
            errors.append(
                RowError(
                    row_number,
                    RowProblem.MALFORMED_EMAIL,
                    f"malformed e-mail address {raw_email!r}",
                )
            )
        if errors:
            # Extra empty fields are harmless on a good row, but on a bad one they are the clue.
            return too_long if len(record) > self._width else errors
        external_id, per_attendee_id = self._external_id(record)
        registration = Registration(
            name=name,
            name_latin=name_latin if name_latin != name else None,
            email=email,
            external_id=external_id,
            phone=" ".join(self._value(record, "phone").split()) or None,
            registered_at=self._registered_at(record),
            source_row=row_number,
        )
        return RowCandidate(registration, per_attendee_id)

    def _external_id(self, record: Sequence[str]) -> tuple[str | None, bool]:
        ticket = self._value(record, "external_id", "ticket")
        if ticket:
            return ticket, True
        order = self._value(record, "external_id", "order")
        position = self._value(record, "external_id", "position")
        if order and position:
            return f"{order}-{position}", True
        return order or None, False

    def _registered_at(self, record: Sequence[str]) -> str | None:
        moment = self._value(record, "registered_at", "timestamp")
        time_of_day = self._value(record, "registered_at", "time")
        if moment and time_of_day and ":" not in moment:
            return f"{moment} {time_of_day}"
        return moment or None


def name_key(name: str) -> str:
    return normalise_name(name).casefold()


def merge_duplicates(
    candidates: Sequence[RowCandidate],
) -> tuple[list[Registration], int, list[RowError]]:
    """Collapse rows of the same person; keep the first row, filling its blanks from the others.

    Same person: the same per-ticket external id with the same e-mail or name, or the same
    e-mail and name unless both rows carry different per-ticket ids (one buyer, two seats).
    A per-ticket id repeated for a different person is reported, not merged. An order-level id
    shared by rows of different people identifies nobody, so it is dropped from those rows.
    """
    kept: list[RowCandidate] = []
    errors: list[RowError] = []
    by_ticket: dict[str, int] = {}
    by_person: dict[tuple[str, str], int] = {}
    merged = 0
    for candidate in candidates:
        registration = candidate.registration
        person = (registration.email, name_key(registration.name))
        target: int | None = None
        if candidate.per_attendee_id and registration.external_id in by_ticket:
            target = by_ticket[registration.external_id]
            earlier = kept[target].registration
            if earlier.email != registration.email and name_key(earlier.name) != person[1]:
                errors.append(
                    RowError(
                        registration.source_row,
                        RowProblem.DUPLICATE_ID,
                        f"the id {registration.external_id!r} is also on row "
                        f"{earlier.source_row}, for a different person ({earlier.name})",
                    )
                )
                continue
        elif person in by_person:
            earlier_candidate = kept[by_person[person]]
            different_tickets = (
                candidate.per_attendee_id
                and earlier_candidate.per_attendee_id
                and earlier_candidate.registration.external_id != registration.external_id
            )
            if not different_tickets:
                target = by_person[person]
        if target is None:
            by_person.setdefault(person, len(kept))
            if candidate.per_attendee_id and registration.external_id:
                by_ticket[registration.external_id] = len(kept)
            kept.append(candidate)
            continue
        merged += 1
        earlier_candidate = kept[target]
        earlier = earlier_candidate.registration
        takes_ticket_id = candidate.per_attendee_id and not earlier_candidate.per_attendee_id
        if takes_ticket_id and registration.external_id:
            by_ticket.setdefault(registration.external_id, target)
        if takes_ticket_id:
            external_id = registration.external_id
        else:
            external_id = earlier.external_id or registration.external_id
        kept[target] = RowCandidate(
            replace(
                earlier,
                name_latin=earlier.name_latin or registration.name_latin,
                external_id=external_id,
                phone=earlier.phone or registration.phone,
                registered_at=earlier.registered_at or registration.registered_at,
            ),
            per_attendee_id=earlier_candidate.per_attendee_id or candidate.per_attendee_id,
        )
    order_ids = Counter(
        candidate.registration.external_id
        for candidate in kept
        if not candidate.per_attendee_id and candidate.registration.external_id
    )
    registrations = [
        replace(candidate.registration, external_id=None)
        if not candidate.per_attendee_id and order_ids[candidate.registration.external_id or ""] > 1
        else candidate.registration
        for candidate in kept
    ]
    return registrations, merged, errors
