"""Making the vote key as part of sealing the jury's results (called inside that transaction).

Kept apart from `kiosk.store.sealed_results` so that module is unchanged: sealing the results
makes `vote-key.sealed` next to `results.sealed`, bound to its salts, and journals the public
key's fingerprint (`vote_key_sealed`). Sealing again (`--replace`) is refused once ballots were
cast: a new key would leave them uncountable.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from kiosk.store.ballot_crypto import make_vote_key, read_vote_key, write_vote_key
from kiosk.store.journal import Journal
from kiosk.store.sealed_results import KdfParams, Progress, SealError

log = logging.getLogger(__name__)

VOTE_KEY_SEALED = "vote_key_sealed"


def refuse_if_ballots_cast(conn: sqlite3.Connection) -> None:
    """SealError if the Viewer's Award vote already holds ballots."""
    count = int(conn.execute("SELECT count(*) FROM vote_ballots").fetchone()[0])
    if count:
        raise SealError(
            f"{count} viewer ballot(s) are sealed to the current vote key; sealing the results "
            f"again would make a new key and leave them uncountable. Count the vote at the "
            f"reveal first, or start a new event."
        )


def seal_vote_key_in(
    conn: sqlite3.Connection,
    event_root: Path,
    passphrases: Sequence[str],
    kdf: KdfParams,
    progress: Progress | None = None,
) -> None:
    """Make and write a new vote key for this results seal, journalled in `conn`'s transaction."""
    if progress:  # one line: the same key(s) are derived again, as just reported
        progress("Sealing the Viewer's Award vote key with the same passphrase(s)…")
    write_vote_key(event_root, make_vote_key(passphrases, kdf))
    key_file = read_vote_key(event_root)
    Journal.append_in(conn, VOTE_KEY_SEALED, None, {"fingerprint": key_file.fingerprint})
    log.info("vote key made (public key %s)", key_file.fingerprint)
