"""Check-in at the doors as the windows use it: the door repository and what it answers.

The door station and the console's Doors tab work on a `CheckinRepository` (scan, admit, undo,
live figures); it and its result types are re-exported here so that `kiosk.ui` depends on
services, never on the store itself (a test enforces it).
"""

from __future__ import annotations

from kiosk.core.admissions import (
    ArrivalBucket,
    AttendeeHit,
    DoorFigures,
    ScanResult,
    UndoneAdmission,
)
from kiosk.core.event import EventConfig
from kiosk.store.checkins import CheckinRepository
from kiosk.store.event_folder import EventFolder

__all__ = [
    "ArrivalBucket",
    "AttendeeHit",
    "CheckinRepository",
    "DoorFigures",
    "ScanResult",
    "UndoneAdmission",
    "door_checkins",
]


def door_checkins(folder: EventFolder, config: EventConfig) -> CheckinRepository:
    """The check-in repository of an event (its own database connection)."""
    return CheckinRepository.for_event(folder, config)
