"""The import plan: an export's registrations against the attendees already known (new,
updated, unchanged, missing), matched by e-mail, then by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from kiosk.core.registrations.model import (
    AttendeeMatch,
    ExistingAttendee,
    ImportPlan,
    KeyFunction,
    Registration,
)
from kiosk.core.registrations.rows import name_key, normalise_email, normalise_name


def plan_import(
    existing: Sequence[ExistingAttendee], incoming: Sequence[Registration]
) -> ImportPlan:
    """Work out what importing ``incoming`` into an event holding ``existing`` would change.

    An existing attendee and a registration are matched, each at most once, in this order:
    by ``external_id`` when both have one; then by e-mail and same name; then by e-mail alone
    when exactly one attendee and one registration have that e-mail; then by exact name when
    the existing attendee has no e-mail and the name is unique on both sides. Two records whose
    external ids both exist and differ are never matched (different tickets).

    A matched pair is ``updated`` when the name, Latin name, phone or e-mail differ, or the
    external id becomes known; a blank value in the export never erases a stored one.
    Existing attendees not matched are ``missing``: reported, never deleted.
    """
    matched: dict[int, int] = {}  # incoming index -> existing index
    free_existing = set(range(len(existing)))

    def pair(incoming_index: int, existing_index: int) -> None:
        matched[incoming_index] = existing_index
        free_existing.discard(existing_index)

    def compatible(existing_index: int, incoming_index: int) -> bool:
        ours, theirs = existing[existing_index].external_id, incoming[incoming_index].external_id
        return not (ours and theirs and ours != theirs)

    by_external_id: dict[str, list[int]] = defaultdict(list)
    for index, attendee in enumerate(existing):
        if attendee.external_id:
            by_external_id[attendee.external_id].append(index)
    for incoming_index, registration in enumerate(incoming):
        if registration.external_id:
            for existing_index in by_external_id.get(registration.external_id, []):
                if existing_index in free_existing:
                    pair(incoming_index, existing_index)
                    break

    def match_unique(key_of_existing: KeyFunction, key_of_incoming: KeyFunction) -> None:
        existing_by_key: dict[str, list[int]] = defaultdict(list)
        for index in sorted(free_existing):
            key = key_of_existing(index)
            if key:
                existing_by_key[key].append(index)
        incoming_by_key: dict[str, list[int]] = defaultdict(list)
        for index in range(len(incoming)):
            key = key_of_incoming(index)
            if index not in matched and key:
                incoming_by_key[key].append(index)
        for key, incoming_indexes in incoming_by_key.items():
            existing_indexes = existing_by_key.get(key, [])
            if (
                len(incoming_indexes) == 1
                and len(existing_indexes) == 1
                and compatible(existing_indexes[0], incoming_indexes[0])
            ):
                pair(incoming_indexes[0], existing_indexes[0])

    def email_of_existing(index: int) -> str:
        return normalise_email(existing[index].email or "")

    def email_of_incoming(index: int) -> str:
        return normalise_email(incoming[index].email)

    def email_and_name_of_existing(index: int) -> str:
        email = email_of_existing(index)
        return f"{email}\n{name_key(existing[index].name)}" if email else ""

    def email_and_name_of_incoming(index: int) -> str:
        return f"{email_of_incoming(index)}\n{name_key(incoming[index].name)}"

    def name_of_existing_without_email(index: int) -> str:
        return "" if existing[index].email else name_key(existing[index].name)

    def name_of_incoming(index: int) -> str:
        return name_key(incoming[index].name)

    match_unique(email_and_name_of_existing, email_and_name_of_incoming)
    match_unique(email_of_existing, email_of_incoming)
    match_unique(name_of_existing_without_email, name_of_incoming)

    new: list[Registration] = []
    updated: list[AttendeeMatch] = []
    unchanged: list[AttendeeMatch] = []
    for incoming_index, registration in enumerate(incoming):
        if incoming_index not in matched:
            new.append(registration)
            continue
        attendee = existing[matched[incoming_index]]
        match = AttendeeMatch(attendee, registration, _changed_fields(attendee, registration))
        (updated if match.changed_fields else unchanged).append(match)
    missing = [existing[index] for index in sorted(free_existing)]
    return ImportPlan(new=new, updated=updated, unchanged=unchanged, missing=missing)


# --------------------------------------------------------------------------------------------
# Import planning helpers
# --------------------------------------------------------------------------------------------


def _changed_fields(attendee: ExistingAttendee, registration: Registration) -> tuple[str, ...]:
    changed: list[str] = []
    if normalise_name(attendee.name) != registration.name:
        changed.append("name")
    if registration.name_latin and normalise_name(attendee.name_latin or "") != (
        registration.name_latin
    ):
        changed.append("name_latin")
    if normalise_email(attendee.email or "") != normalise_email(registration.email):
        changed.append("email")
    if registration.phone and " ".join((attendee.phone or "").split()) != registration.phone:
        changed.append("phone")
    if registration.external_id and attendee.external_id != registration.external_id:
        changed.append("external_id")
    return tuple(changed)
