"""The registrations of one event as the console's Registrations view works on them.

The view never holds the database: it asks this desk for the attendees and to revoke or reissue
a ticket (imports run in a child process: `kiosk.services.import_process`). The store's record
types and errors the view shows are re-exported here, so `kiosk.ui` depends on services, not on
the store.
"""

from __future__ import annotations

import logging

from kiosk.core.tickets import TicketCodec
from kiosk.store.attendees import (
    STATUS_GONE,
    AttendeeRecord,
    AttendeeRepository,
    ImportStoppedError,
    TicketRecord,
)
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder

__all__ = [
    "STATUS_GONE",
    "AttendeeRecord",
    "ImportStoppedError",
    "RegistrationDesk",
    "StoreError",
    "TicketRecord",
]

log = logging.getLogger(__name__)


class RegistrationDesk:
    """One event's attendees and tickets, for the console (one database connection)."""

    def __init__(self, folder: EventFolder) -> None:
        self.folder = folder
        self._db = folder.open_db()
        self._codec = TicketCodec(folder.secret_key())
        self._attendees = AttendeeRepository(self._db, self._codec)

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
        """Close the desk's database connection."""
        self._db.close()
