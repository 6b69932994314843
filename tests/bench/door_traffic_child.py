"""Child process of the GUI-load benchmark: four busy doors scanning into the event database.

Each door is a thread with its own `CheckinRepository` (its own connection, as every door
process has): it scans a ticket, then undoes the admission (two durable writes), at
`per_door_per_s` scans a second, until stdin closes. Prints `DOORS n` (scans done) at the end.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from pathlib import Path

from kiosk.store.checkins import CheckinRepository
from kiosk.store.event_folder import EventFolder

DOORS = 4


def door(
    folder: EventFolder,
    name: str,
    codes: list[str],
    rate: float,
    stop: threading.Event,
    done: list[int],
) -> None:
    repository = CheckinRepository.for_event(folder, folder.load_config())
    interval = 1.0 / rate
    index = 0
    next_at = time.monotonic()
    while not stop.is_set():
        code = codes[index % len(codes)]
        index += 1
        now = dt.datetime.now(dt.UTC)
        repository.scan(code, name, "scan", now)
        repository.undo_last(name, now)
        done.append(1)
        next_at += interval
        stop.wait(max(0.0, next_at - time.monotonic()))


def main(event_dir: str, rate: str) -> int:
    folder = EventFolder(Path(event_dir))
    db = folder.open_db()
    codes = [
        row[0]
        for row in db.execute(
            "SELECT code FROM tickets WHERE revoked_at IS NULL ORDER BY code LIMIT 400"
        )
    ]
    db.close()
    stop = threading.Event()
    done: list[int] = []
    threads = [
        threading.Thread(
            target=door, args=(folder, f"Door {n}", codes[n::DOORS], float(rate), stop, done)
        )
        for n in range(DOORS)
    ]
    for thread in threads:
        thread.start()
    print("DOORS started", flush=True)
    sys.stdin.read()
    stop.set()
    for thread in threads:
        thread.join()
    print(f"DOORS {len(done)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
