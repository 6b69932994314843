"""The registrations of one event as the console's Registrations view works on them.

The view never holds the database: it asks this desk for the attendees, to preview and apply an
import, and to revoke or reissue a ticket. The store's record types and errors the view shows
are re-exported here, so `kiosk.ui` depends on services, not on the store.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from kiosk.core.tickets import TicketCodec
from kiosk.services.registrations import ImportPreview, ImportResult, apply_preview, preview_import
from kiosk.store.attendees import (
    STATUS_GONE,
    AttendeeRecord,
    AttendeeRepository,
    ImportProgress,
    ImportStoppedError,
    TicketRecord,
)
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder

__all__ = [
    "STATUS_GONE",
    "AttendeeRecord",
    "ImportProgress",
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

    def preview(self, path: Path, mapping: Mapping[str, str] | None = None) -> ImportPreview:
        """What importing `path` would do; writes nothing."""
        return preview_import(self._db, self._codec, path, mapping)

    def apply(
        self,
        preview: ImportPreview,
        *,
        allow_many_gone: bool = False,
        progress: ImportProgress | None = None,
    ) -> ImportResult:
        """Import what a preview read (see :func:`apply_preview` for what needs
        ``allow_many_gone``; ``progress`` is told each chunk and may stop the import)."""
        return apply_preview(
            self._db, self._codec, preview, allow_many_gone=allow_many_gone, progress=progress
        )

    def close(self) -> None:
        """Close the desk's database connection."""
        self._db.close()
