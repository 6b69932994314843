"""What the door window needs from wherever check-ins are decided.

Two implementations: the local event folder's :class:`~kiosk.store.checkins.CheckinRepository`
(today's mode, the door laptop holds the event) and
:class:`~kiosk.station.remote_doors.RemoteDoors` (a paired station talking to the event
server, deciding offline when it must). The window only sees this protocol.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from kiosk.core.admissions import (
    ArrivalBucket,
    AttendeeHit,
    DoorFigures,
    ScanResult,
    UndoneAdmission,
)


class DoorBackend(Protocol):
    """The door operations: scan, admit by hand, walk-in, undo, search, live figures."""

    @property
    def zone(self) -> dt.tzinfo:
        """The event's time zone."""
        ...

    def scan(self, code_text: str, station: str, method: str, now: dt.datetime) -> ScanResult:
        """One scan, decided and recorded before it returns."""
        ...

    def admit_manually(self, attendee_id: int, station: str, now: dt.datetime) -> ScanResult:
        """An admission by hand."""
        ...

    def walk_in(
        self, name: str, name_latin: str | None, email: str | None, station: str, now: dt.datetime
    ) -> ScanResult:
        """Register and admit someone at the door."""
        ...

    def undo_last(self, station: str, now: dt.datetime) -> UndoneAdmission | None:
        """Annul this station's latest admission."""
        ...

    def search(self, text: str, limit: int = ...) -> list[AttendeeHit]:
        """Find people."""
        ...

    def figures(self) -> DoorFigures:
        """Live counts."""
        ...

    def arrivals(self, bucket_minutes: int = ...) -> list[ArrivalBucket]:
        """Arrivals per time slot."""
        ...

    def close(self) -> None:
        """Let go of its connections (its owner is done with it)."""
        ...

    def has_changed(self) -> bool:
        """True when the figures may have changed since the last call."""
        ...


def close_backend(backend: DoorBackend) -> None:
    """Close ``backend`` (a worker's ``close_resource``: the protocol's own method is a stub)."""
    backend.close()
