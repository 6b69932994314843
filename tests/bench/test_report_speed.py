"""Benchmark: the show report of a full night.

Run with `make bench`. A night of 35 films with a position every second (about 4,500 show
records), 700 admissions, 60 refusals and a reveal of 20 steps, written to a real event
database; prints the median of 5 runs for reading the records, building the report, and writing
the HTML and the PDF. The console's Report tab rebuilds it each time it is opened, so the read
and the build must stay well under a second.

Then the Report tab's part, as the console does it now: `report --tab-json` in a child at nice
10 (its wall and CPU time, the size of its answer), the answer read into a `ReportPanel` and
the two charts drawn at 1,320 px (thread CPU: what still runs in the console, holding the
interpreter lock); and a thread sleeping 2 ms beside the tab's whole job on another thread,
as before (the report built in this process) and now (the child), interleaved: how late the
sleeper wakes stands for the GUI thread waiting for the lock.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize

from kiosk.core.report import build_report
from kiosk.render.report_html import write_report_html
from kiosk.render.report_panel import ReportPanel, report_panel
from kiosk.render.report_pdf import write_report_pdf
from kiosk.services.open_event import OpenEvent
from kiosk.store.database import transaction
from kiosk.store.event_folder import EventFolder
from kiosk.store.report_reader import read_report_inputs
from kiosk.ui.app import make_application
from kiosk.ui.console.report_view import chart_height, draw_chart
from tests.conftest import film_toml, write_event
from tests.doors_helpers import seed_people

FILMS = 35
SECONDS = 120  # each film's runtime
RUNS = 5
TAB_WIDTH = 1320  # the charts' width in the Report tab at 1366 px
TAB_ROUNDS = 5


def median_ms(work: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _night(folder: EventFolder) -> None:
    start = dt.datetime(2026, 12, 5, 11, 30, tzinfo=dt.UTC)
    rows: list[tuple[str, str, str | None, str]] = []

    def add(at: dt.datetime, kind: str, data: dict[str, object]) -> None:
        subject = data.get("film") or data.get("cue")
        rows.append((at.isoformat(timespec="milliseconds"), kind, str(subject), json.dumps(data)))

    add(start, "show_reset", {})
    add(start, "cue_started", {"cue": "holding"})
    at = start + dt.timedelta(seconds=60)
    add(at, "show_started", {})
    for number in range(1, FILMS + 1):
        film = f"F{number:02d}"
        add(at, "cue_started", {"cue": f"film:{film}"})
        add(at, "film_started", {"film": film, "position": 0.0})
        for second in range(SECONDS):
            add(
                at + dt.timedelta(seconds=second),
                "film_position",
                {"film": film, "position": second},
            )
        at += dt.timedelta(seconds=SECONDS)
        add(at, "film_ended", {"film": film, "position": SECONDS, "how": "clock"})
        add(at, "film_status", {"film": film, "status": "played"})
    add(at, "cue_started", {"cue": "end"})
    add(at, "show_ended", {})
    for step in range(20):
        kind = "winner" if step % 5 == 4 else "category"
        add(
            at + dt.timedelta(seconds=30 * step),
            "reveal_step",
            {"step": step, "kind": kind, "award": f"a{step // 5}"},
        )
    people = seed_people(folder, count=700)
    db = folder.open_db()
    with transaction(db) as conn:
        conn.executemany("INSERT INTO journal (at, kind, subject, data) VALUES (?, ?, ?, ?)", rows)
        for index, person in enumerate(people):
            moment = start - dt.timedelta(seconds=2400 - index * 3)
            conn.execute(
                "INSERT INTO checkins (attendee_id, code, station, method, at) "
                "VALUES (?, ?, ?, 'scan', ?)",
                (person.attendee_id, person.code, f"Door {index % 4 + 1}", moment.isoformat()),
            )
        for _ in range(60):
            conn.execute(
                "INSERT INTO journal (at, kind, subject, data) "
                "VALUES (?, 'checkin_refused', NULL, ?)",
                (
                    start.isoformat(),
                    json.dumps({"verdict": "already_checked_in", "station": "Door 1"}),
                ),
            )
    db.close()


def test_report_speed(tmp_path: Path, clips: dict[str, Path]) -> None:
    films = [
        film_toml(f"F{n:02d}", clips["good"]).replace('"0:02"', '"2:00"')
        for n in range(1, FILMS + 1)
    ]
    folder = write_event(tmp_path / "event", films)
    _night(folder)
    config = folder.load_config()
    programme = folder.load_programme(config)
    db = folder.open_db()
    inputs = read_report_inputs(db)
    made = dt.datetime.now(dt.UTC)

    def build() -> object:
        return build_report(
            config, programme, inputs.records, inputs.checkins, inputs.attendees, made_at=made
        )

    report = build_report(
        config, programme, inputs.records, inputs.checkins, inputs.attendees, made_at=made
    )
    assert report.played == FILMS and report.checkins.admitted == 700
    print(f"\n{len(inputs.records):,} journal records, {len(inputs.checkins)} admissions")
    print(
        f"read the records   {median_ms(lambda: read_report_inputs(db)):8.1f} ms (median of {RUNS})"
    )
    print(f"build the report   {median_ms(build):8.1f} ms")
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    print(f"write the HTML     {median_ms(lambda: write_report_html(report, html)):8.1f} ms")
    print(f"write the PDF      {median_ms(lambda: write_report_pdf(report, pdf)):8.1f} ms")
    print(f"HTML {html.stat().st_size / 1024:.0f} KiB, PDF {pdf.stat().st_size / 1024:.0f} KiB")

    _tab_cost(folder)


def _tab_cost(folder: EventFolder) -> None:
    make_application()
    source = OpenEvent.open(folder).report()
    walls: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        panel = source.panel()
        walls.append((time.perf_counter() - started) * 1000)
    text = json.dumps(panel.to_json(), ensure_ascii=False, indent=2)
    assert panel == report_panel(source.build())  # the child's is this process's, exactly
    print(
        f"tab: the child       {statistics.median(walls):8.1f} ms wall (median of 3), answer "
        f"{len(text) / 1024:.0f} KiB, {len(panel.timeline.shapes)} + "
        f"{len(panel.arrivals.shapes)} shapes, {len(panel.incidents)} incidents"
    )

    def drawn(chart_panel: ReportPanel) -> None:
        for chart in (chart_panel.timeline, chart_panel.arrivals):
            draw_chart(chart, QSize(TAB_WIDTH, chart_height(chart, TAB_WIDTH)))

    reading = thread_cpu_ms(lambda: ReportPanel.from_json(json.loads(text)))
    drawing = thread_cpu_ms(lambda: drawn(panel))
    print(f"tab: read the answer {reading:8.1f} ms of CPU in the console (median of {RUNS})")
    print(f"tab: draw the charts {drawing:8.1f} ms of CPU in the console at {TAB_WIDTH} px")
    jobs: dict[str, Callable[[], object]] = {
        "nothing (0.5 s)": lambda: time.sleep(0.5),
        "before: built here": lambda: drawn(report_panel(source.build())),
        "now: the child": lambda: drawn(source.panel()),
    }
    late: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(TAB_ROUNDS):
        for name, job in jobs.items():
            late[name] += sleeper_beside(job)
    for name, naps in late.items():
        naps.sort()
        print(
            f"tab: sleeper beside {name:<20} p99 {naps[int(len(naps) * 0.99) - 1]:6.1f} ms, "
            f"max {naps[-1]:6.1f} ms ({len(naps)} naps of 2 ms, {TAB_ROUNDS} rounds)"
        )


def thread_cpu_ms(work: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.thread_time()
        work()
        samples.append((time.thread_time() - started) * 1000)
    return statistics.median(samples)


def sleeper_beside(job: Callable[[], object]) -> list[float]:
    """How late (ms) a thread sleeping 2 ms at a time wakes while `job` runs on another."""
    done = threading.Event()
    naps: list[float] = []

    def sleeper() -> None:
        while not done.is_set():
            started = time.perf_counter()
            time.sleep(0.002)
            naps.append((time.perf_counter() - started - 0.002) * 1000)

    napper = threading.Thread(target=sleeper, name="sleeper")
    napper.start()
    worker = threading.Thread(target=job, name="tab-job")
    worker.start()
    worker.join()
    done.set()
    napper.join()
    return naps
