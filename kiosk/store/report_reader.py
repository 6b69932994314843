"""Read-only queries the show report needs: journal records, admissions, registrations, gains.

Everything is read in one snapshot (one read transaction), so a report made while doors and the
show are still writing is consistent with itself.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import sqlite_utils

from kiosk.core.admissions import from_iso
from kiosk.core.report import AttendeeCounts, CheckinRow, FilmSound, Record
from kiosk.store.attendees import registered_condition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportInputs:
    """The stored facts of one event that the report is built from."""

    records: list[Record]
    checkins: list[CheckinRow]
    attendees: AttendeeCounts
    sound: dict[str, FilmSound]


def read_report_inputs(db: sqlite_utils.Database) -> ReportInputs:
    """Journal, active admissions, registration counts and per-film gains, in one snapshot."""
    conn = db.conn
    started = not conn.in_transaction
    if started:
        conn.execute("BEGIN")
    try:
        records = [
            Record(row[0], from_iso(row[1]), row[2], row[3], json.loads(row[4]))
            for row in conn.execute("SELECT id, at, kind, subject, data FROM journal ORDER BY id")
        ]
        checkins = [
            CheckinRow(from_iso(row[0]), row[1], row[2], bool(row[3]))
            for row in conn.execute(
                "SELECT c.at, c.station, c.method, EXISTS (SELECT 1 FROM vote_voters v "
                "WHERE v.attendee_id = c.attendee_id) FROM checkins c "
                "WHERE c.annulled_at IS NULL ORDER BY c.at"
            )
        ]
        registered, registered_in, annulled = conn.execute(
            f"""
            SELECT
              (SELECT count(*) FROM attendees WHERE {registered_condition()}),
              (SELECT count(*) FROM attendees a JOIN checkins c
                 ON c.attendee_id = a.id AND c.annulled_at IS NULL
               WHERE {registered_condition("a")}),
              (SELECT count(*) FROM checkins WHERE annulled_at IS NOT NULL)
            """
        ).fetchone()
        gains = {
            row[0]: (row[1], row[2])
            for row in conn.execute("SELECT film_id, gain_db, loudness_lufs FROM film_checks")
        }
    finally:
        if started:
            conn.execute("COMMIT")
    trims: dict[str, float] = {}
    for record in records:
        if record.kind == "gain_trim" and isinstance(record.data.get("trim_db"), int | float):
            trims[str(record.data.get("film"))] = float(record.data["trim_db"])
    sound = {
        film: FilmSound(gain, lufs, trims.get(film, 0.0)) for film, (gain, lufs) in gains.items()
    }
    for film, trim in trims.items():
        sound.setdefault(film, FilmSound(None, None, trim))
    log.debug("report inputs: %d records, %d admissions", len(records), len(checkins))
    return ReportInputs(
        records, checkins, AttendeeCounts(int(registered), int(registered_in), int(annulled)), sound
    )
