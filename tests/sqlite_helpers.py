"""Reading an event or station database from a test, with the connection closed at once.

`with connected(path) as conn:` commits (or rolls back) at the end of the block but does
NOT close the connection: the garbage collector closes it later, at a moment nobody chose, and
closing the last connection to a WAL database checkpoints it and deletes its `-wal` and `-shm`
files. A test that listed the folder's files just before that moment then failed reading an
`event.db-shm` that had vanished. `connected` closes when the block ends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def connected(path: Path | str, timeout: float = 10.0) -> Iterator[sqlite3.Connection]:
    """A connection to the database at `path`: committed if the block ends normally, rolled
    back if it raises, and closed either way before the block's next statement runs."""
    conn = sqlite3.connect(path, timeout=timeout)
    try:
        with conn:  # the transaction: commit or roll back
            yield conn
    finally:
        conn.close()
