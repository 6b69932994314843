"""Rendered tickets scan: every QR in the PDF (at 150 dpi) and in every PNG decodes, with two
independent decoders (zbar and zxing-cpp), to exactly the attendee's code."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.core.tickets import TicketCodec
from kiosk.services.registrations import import_registrations
from kiosk.services.tickets import png_name, render_tickets, ticket_jobs
from kiosk.store.event_folder import EventFolder
from kiosk.ui.doors.decoder import decode_qr
from tests.ticket_helpers import NAMES, codes

DATA = Path(__file__).resolve().parents[1] / "data" / "registrations"


def zbar(image: Path) -> list[str]:
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.stdout.split()


def zxing(image: Path) -> list[str]:
    """The door camera's decoder (zxing-cpp, QR Model 2) on a rendered page or ticket."""
    loaded = QImage(str(image))
    assert not loaded.isNull(), image
    return decode_qr(loaded)


def rasterise(pdf: Path, out: Path) -> list[Path]:
    out.mkdir()
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(pdf), str(out / "page")], check=True, timeout=120
    )
    return sorted(out.glob("page-*.png"))


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
@pytest.mark.parametrize(("per_page", "workers"), [(4, 0), (1, 2)])
def test_every_qr_in_the_pdf_and_pngs_decodes_with_zbar_and_zxing(
    registered_event: EventFolder, tmp_path: Path, per_page: int, workers: int
) -> None:
    png_dir = tmp_path / "png"
    pdf = tmp_path / "tickets.pdf"
    jobs = ticket_jobs(registered_event, png_dir)
    expected = codes(registered_event)
    assert [job.content.code for job in jobs] == expected and len(expected) == len(NAMES)
    summary = render_tickets(
        jobs, pdf=pdf, per_page=per_page, workers=workers, in_process_below=1 if workers else 10**6
    )
    assert summary.qr_versions == (2,)
    assert summary.workers == workers

    pages = rasterise(pdf, tmp_path / "pages")
    assert len(pages) == -(-len(expected) // per_page)
    for decoder in (zbar, zxing):
        found = Counter(code for page in pages for code in decoder(page))
        assert found == Counter(expected), decoder.__name__

    for job in jobs:
        assert job.png is not None and job.png.name == png_name(job.attendee_id, job.content.code)
        image = QImage(str(job.png))
        assert (image.width(), image.height()) == (720, 1080)
        assert zbar(job.png) == [job.content.code]
        assert zxing(job.png) == [job.content.code]


def test_pdf_embeds_the_cjk_font(registered_event: EventFolder, tmp_path: Path) -> None:
    pdf = tmp_path / "tickets.pdf"
    render_tickets(ticket_jobs(registered_event, None), pdf=pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    cjk = [line for line in fonts.stdout.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "歐陽娜娜" in text and "測試之夜" in text and "Au Yeung Na Na" in text
    for code in codes(registered_event):
        assert code in text  # printed for manual entry


def test_gone_attendees_get_no_ticket_unless_asked(
    registered_event: EventFolder, tmp_path: Path
) -> None:
    export = tmp_path / "fewer.csv"
    export.write_text("Name,Email\n陳大文,person0@example.com\n", encoding="utf-8")
    import_registrations(
        registered_event.open_db(),
        TicketCodec(registered_event.secret_key()),
        export,
        allow_many_gone=True,
    )
    assert [job.content.attendee_name for job in ticket_jobs(registered_event, None)] == ["陳大文"]
    assert len(ticket_jobs(registered_event, None, include_gone=True)) == len(NAMES)


def test_png_tickets_keep_the_festival_colours(
    registered_event: EventFolder, tmp_path: Path
) -> None:
    """The gold band and the cream vote-code band came out in other colours (Qt's web-safe
    palette); and an usher's hint was printed on the attendee's ticket (issue #23 item 12)."""
    from kiosk.render.ticket import INK_COLOURS, PAPER_COLOURS

    jobs = ticket_jobs(registered_event, tmp_path / "png")[:1]
    render_tickets(jobs, pdf=None, per_page=1, workers=0, in_process_below=10**6)
    assert jobs[0].png is not None
    image = QImage(str(jobs[0].png)).convertToFormat(QImage.Format.Format_RGB32)
    colours = Counter(
        image.pixelColor(x, y).name()
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
    )
    gold = INK_COLOURS[2].name()
    cream = PAPER_COLOURS[1].name()
    assert colours[gold] > 1000, colours.most_common(8)  # the top and bottom bands, exact
    assert colours[cream] > 1000, colours.most_common(8)  # behind the vote code, exact
