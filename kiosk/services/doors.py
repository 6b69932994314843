"""The answers of check-in at the doors, as the door window and the console's Doors tab read
them (what a scan decided, an undone admission, a search hit, the live figures).

The repository itself comes from :meth:`kiosk.services.open_event.OpenEvent.door_checkins`.
These result types are the store's today; they move to `kiosk.core` with the one admissions
module, and this module goes with them.
"""

from __future__ import annotations

from kiosk.store.checkins import (
    ArrivalBucket,
    AttendeeHit,
    CheckinRepository,
    DoorFigures,
    ScanResult,
    UndoneAdmission,
)

__all__ = [
    "ArrivalBucket",
    "AttendeeHit",
    "CheckinRepository",
    "DoorFigures",
    "ScanResult",
    "UndoneAdmission",
]
