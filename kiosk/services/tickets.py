"""Tickets: what each one says, rendering them all to PDF and PNG, and looking codes up.

Rendering 10,000 tickets is CPU work (the QR mask search in qrcode, painting, PNG compression),
so large runs are split over worker processes: the workers compute each QR matrix once and
write the PNGs, and hand the matrices back to this process, which paints the single PDF while
they work. Small runs stay in this process (starting a worker costs about a second).
"""

from __future__ import annotations

import csv
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.event import EventConfig
from kiosk.core.spreadsheet import safe_row
from kiosk.core.tickets import TicketCodec
from kiosk.core.vote import display_vote_code, vote_code
from kiosk.render.qr import QrMatrix, qr_matrix
from kiosk.render.ticket import TicketContent, TicketPainter, ensure_gui_application
from kiosk.render.ticket_pdf import TicketPdf
from kiosk.render.ticket_png import write_ticket_png
from kiosk.store.attendees import (
    STATUS_REGISTERED,
    AttendeeRecord,
    AttendeeRepository,
)
from kiosk.store.event_folder import EventFolder

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

MAIL_MERGE_FILE = "mail-merge.csv"
_CHUNK = 250
_IN_PROCESS_BELOW = 400  # fewer tickets than this: no worker processes
_WEEKDAYS_ZH = "一二三四五六日"


@dataclass(frozen=True)
class TicketJob:
    """One ticket to render: the attendee and the PNG to write (None: PDF only)."""

    attendee_id: int
    email: str | None
    content: TicketContent
    png: Path | None


@dataclass(frozen=True)
class RenderSummary:
    """What a rendering run made."""

    count: int
    qr_versions: tuple[int, ...]
    pdf: Path | None
    png_dir: Path | None
    mail_merge: Path | None
    seconds: float
    workers: int


def date_lines(config: EventConfig) -> tuple[str, str]:
    """The date and the times as printed on tickets, in English and Chinese."""
    date = config.date
    english_date = f"{date:%a} {date.day} {date:%b %Y}"
    chinese_date = f"{date.year}年{date.month}月{date.day}日（{_WEEKDAYS_ZH[date.weekday()]}）"
    times = f"Starts {config.start:%H:%M} 開場"
    if config.doors_open:
        times = f"Doors {config.doors_open:%H:%M} 開門 · " + times
    return f"{english_date} · {chinese_date}", times


def ticket_content(
    config: EventConfig, attendee: AttendeeRecord, secret_key: bytes | None = None
) -> TicketContent:
    """What one attendee's ticket says (the attendee must have a current code).

    With the event's key, the ticket also carries the attendee's Viewer's Award vote code.
    """
    if not attendee.code:
        raise ValueError(f"attendee {attendee.id} has no valid ticket")
    date_line, time_line = date_lines(config)
    return TicketContent(
        event_name_en=config.name_en,
        event_name_zh=config.name_zh,
        date_line=date_line,
        time_line=time_line,
        venue_en=config.venue_en,
        venue_zh=config.venue_zh,
        attendee_name=attendee.name,
        attendee_name_latin=attendee.name_latin,
        code=attendee.code,
        vote_code=display_vote_code(vote_code(secret_key, attendee.code)) if secret_key else None,
    )


def png_name(attendee_id: int, code: str) -> str:
    """The PNG file of one ticket (no names in file names: any mail client can attach it)."""
    return f"ticket-{attendee_id:05d}-{code}.png"


def ticket_jobs(
    folder: EventFolder,
    png_dir: Path | None,
    *,
    include_gone: bool = False,
    attendee_ids: Sequence[int] | None = None,
) -> list[TicketJob]:
    """A job for every attendee with a valid ticket (registered ones unless include_gone)."""
    config = folder.load_config()
    db = folder.open_db()
    secret_key = folder.secret_key()
    try:
        attendees = AttendeeRepository(db, TicketCodec(secret_key)).all()
    finally:
        db.close()
    wanted = set(attendee_ids) if attendee_ids is not None else None
    return [
        TicketJob(
            attendee.id,
            attendee.email,
            ticket_content(config, attendee, secret_key),
            png_dir / png_name(attendee.id, attendee.code) if png_dir and attendee.code else None,
        )
        for attendee in attendees
        if attendee.code
        and (include_gone or attendee.status == STATUS_REGISTERED)
        and (wanted is None or attendee.id in wanted)
    ]


# --- rendering (Qt), in this process or a worker -------------------------------------------
def _render_chunk(jobs: Sequence[TicketJob]) -> list[tuple[int, int, bytes]]:
    """Write the PNGs of `jobs`; return each (attendee id, QR version, packed QR matrix)."""
    ensure_gui_application()
    painter = TicketPainter()
    done = []
    for job in jobs:
        matrix = qr_matrix(job.content.code)
        if job.png is not None:
            write_ticket_png(painter, job.content, job.png, matrix)
        packed = bytes(cell for row in matrix.modules for cell in row)
        done.append((job.attendee_id, matrix.version, packed))
    return done


def _worker_init() -> None:
    logging.getLogger().setLevel(logging.WARNING)
    ensure_gui_application()


def _chunks(jobs: Sequence[TicketJob], size: int) -> Iterator[Sequence[TicketJob]]:
    for start in range(0, len(jobs), size):
        yield jobs[start : start + size]


def render_tickets(
    jobs: Sequence[TicketJob],
    *,
    pdf: Path | None = None,
    per_page: int = 4,
    title: str = "Tickets",
    workers: int | None = None,
    progress: Progress | None = None,
    in_process_below: int = _IN_PROCESS_BELOW,
) -> RenderSummary:
    """Render every job: PNGs where a job names one, and all of them into `pdf` if given.

    Writes a mail-merge CSV (name, e-mail, code, PNG file) next to the PNGs. `workers` = 0 or a
    run of fewer than `in_process_below` tickets renders in this process; otherwise a pool of
    spawned processes writes the PNGs.
    """
    started = time.monotonic()
    ensure_gui_application()
    png_dirs = {job.png.parent for job in jobs if job.png is not None}
    for directory in png_dirs:
        directory.mkdir(parents=True, exist_ok=True)
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < in_process_below or workers <= 1:
        workers = 0
    by_id = {job.attendee_id: job for job in jobs}
    versions: set[int] = set()
    done = 0

    def results() -> Iterator[list[tuple[int, int, bytes]]]:
        if workers == 0:
            for chunk in _chunks(jobs, 50):
                yield _render_chunk(chunk)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
            futures: list[Future[list[tuple[int, int, bytes]]]] = [
                pool.submit(_render_chunk, chunk)
                for chunk in _chunks(jobs, max(1, min(_CHUNK, len(jobs) // (workers * 2) or 1)))
            ]
            for future in as_completed(futures):
                yield future.result()

    pending: dict[int, QrMatrix] = {}
    order = [job.attendee_id for job in jobs]
    next_index = 0
    sink: AbstractContextManager[TicketPdf | None] = (
        TicketPdf(pdf, per_page=per_page, title=title) if pdf is not None else nullcontext()
    )
    with sink as pdf_writer:
        for chunk_result in results():
            for attendee_id, version, packed in chunk_result:
                versions.add(version)
                if pdf_writer is not None:
                    pending[attendee_id] = _unpack(version, packed)
            # The PDF keeps the attendees' order, whatever order the chunks finish in.
            while pdf_writer is not None and next_index < len(order):
                matrix = pending.pop(order[next_index], None)
                if matrix is None:
                    break
                pdf_writer.add(by_id[order[next_index]].content, matrix)
                next_index += 1
            done += len(chunk_result)
            if progress is not None:
                progress(done, len(jobs), by_id[chunk_result[-1][0]].content.code[5:10])
    mail_merge = _write_mail_merge(jobs, png_dirs)
    summary = RenderSummary(
        count=len(jobs),
        qr_versions=tuple(sorted(versions)),
        pdf=pdf,
        png_dir=next(iter(png_dirs)) if len(png_dirs) == 1 else None,
        mail_merge=mail_merge,
        seconds=time.monotonic() - started,
        workers=workers,
    )
    log.info(
        "rendered %d tickets in %.1f s (%d workers, QR versions %s)",
        summary.count,
        summary.seconds,
        workers,
        summary.qr_versions,
    )
    return summary


def _unpack(version: int, packed: bytes) -> QrMatrix:
    size = int(len(packed) ** 0.5)
    rows = tuple(
        tuple(bool(cell) for cell in packed[row * size : (row + 1) * size]) for row in range(size)
    )
    return QrMatrix(version=version, modules=rows)


def _write_mail_merge(jobs: Sequence[TicketJob], png_dirs: set[Path]) -> Path | None:
    """name, name_latin, email, code, vote_code, png_file: one line per ticket, UTF-8 with BOM
    (Excel). Cells that a spreadsheet would run as a formula are written as text
    (core.spreadsheet).
    """
    if len(png_dirs) != 1:
        return None
    path = next(iter(png_dirs)) / MAIL_MERGE_FILE
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "name_latin", "email", "code", "vote_code", "png_file"])
        for job in jobs:
            if job.png is not None:
                writer.writerow(
                    safe_row(  # names come from registration forms: never a live formula
                        [
                            job.content.attendee_name,
                            job.content.attendee_name_latin or "",
                            job.email or "",
                            job.content.code,
                            job.content.vote_code or "",
                            str(job.png),
                        ]
                    )
                )
    partial.replace(path)
    return path
