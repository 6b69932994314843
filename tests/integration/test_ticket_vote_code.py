"""Every ticket carries its Viewer's Award vote code: on the PDF (as text), on the PNG, and in
the mail-merge CSV's `vote_code` column."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

from kiosk.core.vote import display_vote_code, vote_code
from kiosk.services.tickets import render_tickets, ticket_jobs
from kiosk.store.event_folder import EventFolder
from tests.ticket_helpers import codes


def test_vote_codes_on_pdf_png_and_mail_merge(
    registered_event: EventFolder, tmp_path: Path
) -> None:
    key = registered_event.secret_key()
    expected = {code: display_vote_code(vote_code(key, code)) for code in codes(registered_event)}
    png_dir = tmp_path / "png"
    pdf = tmp_path / "tickets.pdf"
    jobs = ticket_jobs(registered_event, png_dir)
    assert {job.content.code: job.content.vote_code for job in jobs} == expected
    summary = render_tickets(jobs, pdf=pdf, per_page=4, workers=0)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for shown in expected.values():
        assert shown in text
    assert "觀眾票選投票碼" in text
    assert summary.mail_merge is not None
    with summary.mail_merge.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["name", "name_latin", "email", "code", "vote_code", "png_file"]
    assert {row["code"]: row["vote_code"] for row in rows} == expected
    print(f"\nticket PNGs with vote codes: {png_dir}")
