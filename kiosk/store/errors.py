"""Errors the store raises, each with a message fit for the operator."""

from __future__ import annotations


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
