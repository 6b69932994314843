"""Errors the store raises, each with a message fit for the operator."""

from __future__ import annotations


class StoreError(Exception):
    """Something about the event folder or its database that the operator must fix."""


class EventLockedError(StoreError):
    """Another copy of the app already runs this event."""


class DiskFullError(StoreError):
    """The disk holding the event folder is full; nothing was written."""
