"""Errors the store raises, each with a message fit for the operator."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

AuditWriter = Callable[[sqlite3.Connection], object]


class StoreError(Exception):
    """Something about the event folder or its database that the operator must fix."""


class EventLockedError(StoreError):
    """Another copy of the app already runs this event (or this door station).

    ``holder`` says what holds the lock ("the console", "door station Door 1"); ``details``
    which process and since when, so a screen can word its own (bilingual) message.
    """

    def __init__(self, message: str, *, holder: str = "", details: str = "") -> None:
        super().__init__(message)
        self.holder = holder
        self.details = details


class DiskFullError(StoreError):
    """The disk holding the event folder is full; nothing was written."""


class AuditedError(Exception):
    """A refusal whose audit record must be saved although the work it refused is rolled back
    (a replayed pairing code, another station's nonce): ``audit`` writes it, and the code
    that rolls back calls it after the rollback (:func:`~kiosk.store.database.save_audit`)."""

    def __init__(self, message: str, audit: AuditWriter | None = None) -> None:
        super().__init__(message)
        self.audit = audit
