"""The answers of check-in at the doors, as the door window and the console's Doors tab read
them (what a scan decided, an undone admission, a search hit, the live figures).

The repository itself comes from :meth:`kiosk.services.open_event.OpenEvent.door_checkins`;
the result types are decided and built by :mod:`kiosk.core.admissions`.
"""

from __future__ import annotations

from kiosk.core.admissions import (
    ArrivalBucket,
    AttendeeHit,
    DoorFigures,
    ScanResult,
    UndoneAdmission,
)
from kiosk.store.checkins import CheckinRepository

__all__ = [
    "ArrivalBucket",
    "AttendeeHit",
    "CheckinRepository",
    "DoorFigures",
    "ScanResult",
    "UndoneAdmission",
]
