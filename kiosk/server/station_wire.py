"""How door results travel between the event server and a station (JSON both ways).

The server sends a :class:`ScanResult` as its ``checkin --json`` object plus the decision's
four message parts, so the station shows exactly the words the server chose.

No answer to a station carries a ticket code: codes leave masked
(:func:`~kiosk.core.tickets.mask_ticket_code`). A station that scanned a code knows it already;
one that admitted someone by hand or registered a walk-in must not learn a working ticket (or,
from it, a vote code): a stolen door laptop would otherwise decide the Viewer's Award.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.core.admissions import (
    AttendeeHit,
    DoorFigures,
    ScanResult,
    UndoneAdmission,
    from_iso,
    to_iso,
)
from kiosk.core.checkin import Admission, Decision, Verdict
from kiosk.core.stations import ListedTicket
from kiosk.core.tickets import mask_ticket_code


@dataclass(frozen=True)
class PairingAnswer:
    """What the server answers a station that pairs: its name, its token, and the event's time
    zone as event.toml names it (so the station shows local times before its first ticket
    list). ``timezone`` is None from a server older than the field: the station then learns the
    zone from its first ticket list, as it did before."""

    station: str
    token: str
    timezone: str | None = None


def pairing_to_wire(answer: PairingAnswer) -> dict[str, Any]:
    """The ``/pair`` answer."""
    return {"station": answer.station, "token": answer.token, "timezone": answer.timezone}


def pairing_from_wire(data: dict[str, Any]) -> PairingAnswer:
    """A ``/pair`` answer as the station reads it (no ``timezone`` from an older server)."""
    zone = data.get("timezone")
    return PairingAnswer(
        str(data["station"]), str(data["token"]), zone if isinstance(zone, str) and zone else None
    )


def result_to_wire(result: ScanResult) -> dict[str, Any]:
    """A scan result as the server answers it."""
    data = result.to_json()
    decision = result.decision
    data.update(
        code=mask_ticket_code(result.code),
        headline_en=decision.headline_en,
        headline_zh=decision.headline_zh,
        detail_en=decision.detail_en,
        detail_zh=decision.detail_zh,
        admitted_method=result.admission.method if result.admission else None,
        checkin_id=result.checkin_id,
    )
    return data


def result_from_wire(data: dict[str, Any], *, offline: bool = False) -> ScanResult:
    """A server's answer back into a scan result (``offline`` as the station knows it)."""
    return ScanResult(
        decision=Decision(
            Verdict(data["verdict"]),
            data.get("headline_en", ""),
            data.get("headline_zh", ""),
            data.get("detail_en", ""),
            data.get("detail_zh", ""),
        ),
        code=data.get("code"),
        station=data["station"],
        method=data["method"],
        at=from_iso(data["at"]),
        attendee_id=data.get("attendee_id"),
        name=data.get("name"),
        name_latin=data.get("name_latin"),
        admission=_admission_from_wire(data),
        checkin_id=data.get("checkin_id"),
        offline=offline,
    )


def _admission_from_wire(data: dict[str, Any]) -> Admission | None:
    """The person's admission an answer names (``admitted_at`` / ``_station`` / ``_method``)."""
    if not data.get("admitted_at"):
        return None
    return Admission(
        from_iso(data["admitted_at"]),
        data.get("admitted_station") or "?",
        data.get("admitted_method") or "",
    )


def undone_to_wire(undone: UndoneAdmission | None) -> dict[str, Any]:
    """The answer to an undo request."""
    if undone is None:
        return {"undone": None}
    return {
        "undone": {
            "checkin_id": undone.checkin_id,
            "attendee_id": undone.attendee_id,
            "name": undone.name,
            "name_latin": undone.name_latin,
            "code": mask_ticket_code(undone.code),
            "at": to_iso(undone.at),
            "method": undone.method,
        }
    }


def undone_from_wire(data: dict[str, Any]) -> UndoneAdmission | None:
    """An undo answer back into an :class:`UndoneAdmission` (None: nothing to undo)."""
    item = data.get("undone")
    if not item:
        return None
    return UndoneAdmission(
        item["checkin_id"],
        item["attendee_id"],
        item["name"],
        item.get("name_latin"),
        item.get("code"),
        from_iso(item["at"]),
        item["method"],
    )


def hit_to_wire(hit: AttendeeHit) -> dict[str, Any]:
    """One search result (the code masked; the e-mail is masked by the station requests)."""
    admission = hit.admission
    return {
        "attendee_id": hit.attendee_id,
        "name": hit.name,
        "name_latin": hit.name_latin,
        "email": hit.email,
        "status": hit.status,
        "code": mask_ticket_code(hit.code),
        "admitted_at": to_iso(admission.at) if admission else None,
        "admitted_station": admission.station if admission else None,
        "admitted_method": admission.method if admission else None,
        "registered_at": to_iso(hit.registered_at) if hit.registered_at else None,
        "phone": hit.phone,
    }


def hit_from_wire(data: dict[str, Any]) -> AttendeeHit:
    """One search result back."""
    return AttendeeHit(
        attendee_id=data["attendee_id"],
        name=data["name"],
        name_latin=data.get("name_latin"),
        email=data.get("email"),
        status=data.get("status", "registered"),
        code=data.get("code"),
        admission=_admission_from_wire(data),
        registered_at=from_iso(data["registered_at"]) if data.get("registered_at") else None,
        phone=data.get("phone"),
    )


def figures_to_wire(figures: DoorFigures) -> dict[str, Any]:
    """The live counter."""
    return {
        "checked_in": figures.checked_in,
        "registered": figures.registered,
        "capacity": figures.capacity,
        "walk_ins": figures.walk_ins,
        "by_hand": figures.by_hand,
        "places_left": figures.places_left,
    }


def figures_from_wire(data: dict[str, Any]) -> DoorFigures:
    """The live counter back."""
    return DoorFigures(
        int(data["checked_in"]),
        int(data["registered"]),
        data.get("capacity"),
        int(data.get("walk_ins", 0)),
        int(data.get("by_hand", 0)),
    )


def listed_to_wire(listed: ListedTicket) -> dict[str, Any]:
    """One row of the stations' offline ticket list (the code's digest, never the code)."""
    return {
        "code_sha256": listed.code_sha256,
        "attendee_id": listed.attendee_id,
        "name": listed.name,
        "name_latin": listed.name_latin,
        "status": listed.status.value,
        "admitted_at": to_iso(listed.admitted_at) if listed.admitted_at else None,
        "admitted_station": listed.admitted_station,
        "admitted_method": listed.admitted_method,
    }
