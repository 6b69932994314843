"""Benchmark: render 10,000 tickets to one A4 PDF (4 per page) and 10,000 PNGs.

Run with `make bench`. Target: under 60 s on a 2-core machine. Prints the time of the whole
run with worker processes and, side by side, the in-process rate on a sample (to show what the
pool buys), the QR version used, and the import time of the 10,000-person export.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

from kiosk.core.demo_people import demo_people
from kiosk.core.tickets import TicketCodec
from kiosk.services.registrations import import_registrations
from kiosk.services.tickets import render_tickets, ticket_jobs
from tests.conftest import write_event

TICKETS = 10_000
SAMPLE = 500


def test_render_10000_tickets_to_pdf_and_png(tmp_path: Path) -> None:
    folder = write_event(tmp_path / "event", [])
    export = tmp_path / "registrations.csv"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email Address", "姓名 Full name", "英文姓名 English name"])
        for person in demo_people(TICKETS):
            writer.writerow([person.email, person.name, person.name_latin or ""])
    started = time.perf_counter()
    imported = import_registrations(folder.open_db(), TicketCodec(folder.secret_key()), export)
    import_seconds = time.perf_counter() - started
    assert imported.applied.tickets_issued == TICKETS

    jobs = ticket_jobs(folder, tmp_path / "png")
    assert len(jobs) == TICKETS
    sample = ticket_jobs(folder, tmp_path / "sample-png")[:SAMPLE]
    in_process = render_tickets(sample, pdf=tmp_path / "sample.pdf", workers=0)

    summary = render_tickets(jobs, pdf=tmp_path / "tickets.pdf")
    pngs = list((tmp_path / "png").glob("*.png"))
    assert len(pngs) == TICKETS
    pdf_mb = (tmp_path / "tickets.pdf").stat().st_size / 1e6
    png_kb = sum(p.stat().st_size for p in pngs[:200]) / 200 / 1e3

    print(f"\n{TICKETS} tickets on {os.cpu_count()} CPUs (PDF 4 per A4 page + one PNG each):")
    print(f"  import of the {TICKETS}-person export:      {import_seconds:6.1f} s")
    print(
        f"  render with {summary.workers} worker processes:    {summary.seconds:6.1f} s "
        f"(target < 60 s)"
    )
    print(
        f"  in-process rate on {SAMPLE} tickets:          "
        f"{in_process.seconds / SAMPLE * 1000:6.2f} ms/ticket "
        f"(= {in_process.seconds / SAMPLE * TICKETS:5.1f} s for {TICKETS})"
    )
    print(f"  QR version(s) used: {summary.qr_versions} (error correction M)")
    print(f"  PDF size: {pdf_mb:.1f} MB; average PNG: {png_kb:.0f} KB")
    assert summary.qr_versions == (2,)
