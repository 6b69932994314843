"""A door station as its own process: scans codes through the server (or offline), like a door.

Usage: station_child.py STATION_DIR CODES_FILE OUT_FILE PAUSE_MS DRAIN_S
(environment STATION_START_AT: wall-clock time to start scanning, so stations start together;
STATION_SCAN_TIMEOUT_S: how long a scan waits for the server, the door's 1 s by default)

Runs the same RemoteDoors + background StationSync as the door window. Each verdict is written
to OUT_FILE as one JSON line (fsynced) with the time it took (`ms`) and when it was given
(`ended`, seconds since the epoch); after the last code the station
keeps syncing until its offline queue is empty (or DRAIN_S passes), then prints a summary line
`{"pending": N}` to OUT_FILE.summary.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.station.folder import StationFolder
from kiosk.station.link import SCAN_TIMEOUT_S
from kiosk.station.setup import open_remote_station


def main() -> int:
    station_dir, codes_file, out_file, pause_ms, drain_s = sys.argv[1:6]
    codes = [line.strip() for line in Path(codes_file).read_text().splitlines() if line.strip()]
    scan_timeout = float(os.environ.get("STATION_SCAN_TIMEOUT_S", SCAN_TIMEOUT_S))
    station = open_remote_station(StationFolder(Path(station_dir)), scan_timeout=scan_timeout)
    station.sync.start()
    doors = station.doors
    start_at = float(os.environ.get("STATION_START_AT", "0"))  # a shared start, for the bench
    while time.time() < start_at:
        time.sleep(0.005)
    with open(out_file, "a", encoding="utf-8") as out:
        for code in codes:
            started = time.perf_counter()
            result = doors.scan(code, doors.station, "scan", dt.datetime.now(dt.UTC))
            elapsed_ms = (time.perf_counter() - started) * 1000
            record = result.to_json() | {"ms": elapsed_ms, "ended": time.time()}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
            if int(pause_ms):
                time.sleep(int(pause_ms) / 1000)
    deadline = time.monotonic() + float(drain_s)
    while doors.store.pending_count() and time.monotonic() < deadline:
        time.sleep(0.2)
    pending = doors.store.pending_count()
    Path(out_file + ".summary").write_text(json.dumps({"pending": pending}))
    station.close()
    return 0 if pending == 0 else 3


if __name__ == "__main__":
    raise SystemExit(main())
