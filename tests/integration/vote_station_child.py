"""A voting station as its own process: casts ballots through the event server, like a station
in voting mode, retrying an unconfirmed ballot with the same nonce until it gets an answer.

Usage: vote_station_child.py STATION_DIR BALLOTS_FILE OUT_FILE PAUSE_MS DEADLINE_S
(BALLOTS_FILE: one `CODE FILM_ID` per line)

Each ballot's final answer is written to OUT_FILE as one JSON line (fsynced): the code, the
film, accepted/reason, whether the server replayed an earlier answer, and how many tries were
unconfirmed (sent, no answer: the server was down) before it, and the milliseconds from the
first try to the answer.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.station.folder import StationFolder
from kiosk.station.remote_vote import RemoteVoteError, VoteStationRevokedError, remote_voting
from kiosk.station.setup import open_remote_station


def main() -> int:
    station_dir, ballots_file, out_file, pause_ms, deadline_s = sys.argv[1:6]
    ballots = [line.split() for line in Path(ballots_file).read_text().splitlines() if line]
    station = open_remote_station(StationFolder(Path(station_dir)))
    voting = remote_voting(station.doors)
    deadline = time.monotonic() + float(deadline_s)
    status = 0
    with open(out_file, "a", encoding="utf-8") as out:
        for code, film in ballots:
            unconfirmed = 0
            started = time.perf_counter()
            while True:
                try:
                    answer = voting.cast_once(code, film)
                except VoteStationRevokedError:
                    raise
                except RemoteVoteError as exc:
                    unconfirmed += exc.reason == "unconfirmed"
                    if time.monotonic() > deadline:
                        record = exc.to_json() | {"code": code, "film": film}
                        status = 3
                        break
                    time.sleep(0.2)
                    continue
                record = answer.outcome.to_json() | {
                    "code": code,
                    "film": film,
                    "replayed": answer.replayed,
                    "nonce": answer.nonce,
                }
                break
            record["unconfirmed_tries"] = unconfirmed
            record["ms"] = (time.perf_counter() - started) * 1000
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
            if int(pause_ms):
                time.sleep(int(pause_ms) / 1000)
    voting.close()
    station.close()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
