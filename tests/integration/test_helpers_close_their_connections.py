"""The shared test helpers close the database connections they open.

A connection left to the garbage collector closes at whatever moment a collection runs, and
the last connection to an event database deletes its `event.db-shm` and `-wal` as it closes:
`test_a_paired_station_casts_through_the_server` listed the event folder, then failed reading
the `-shm` it had just listed (`make_voting_event` had left its door repository's connection
in a reference cycle).
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from tests.ticket_helpers import codes
from tests.vote_helpers import make_voting_event


def open_connections() -> list[sqlite3.Connection]:
    """The connections of this process that are still open."""
    found = []
    for thing in gc.get_objects():
        if isinstance(thing, sqlite3.Connection):
            try:
                thing.total_changes  # noqa: B018 (raises once closed)
            except sqlite3.ProgrammingError:
                continue
            found.append(thing)
    return found


@contextmanager
def no_collection() -> Iterator[None]:
    """What is still open inside is what the code left, not what a collection closed."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.slow  # seals results: about 4 s
def test_make_voting_event_leaves_no_connection_open(tmp_path: Path) -> None:
    with no_collection():
        before = len(open_connections())
        make_voting_event(tmp_path / "event", admitted=4, absent=1)
        assert len(open_connections()) == before


def test_codes_leaves_no_connection_open(registered_event: EventFolder) -> None:
    with no_collection():
        before = len(open_connections())
        assert codes(registered_event)
        assert len(open_connections()) == before
