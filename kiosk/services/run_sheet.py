"""The run sheet for the CLI and the console: read the event, lay the night out, print it."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from kiosk.core.media_identity import MediaState
from kiosk.render.report_layout import ReportLayout
from kiosk.render.run_sheet_layout import FilmFacts, layout_run_sheet
from kiosk.services.film_media import FilmMedia
from kiosk.store.event_folder import EventFolder
from kiosk.store.film_checks import FilmCheckRepository

log = logging.getLogger(__name__)


def build_run_sheet(folder: EventFolder, *, now: dt.datetime | None = None) -> ReportLayout:
    """The run sheet of the event in `folder`, with the last preflight's findings (reads the
    programme, the database and each film's fingerprint: call it off the GUI thread)."""
    config = folder.load_config()
    programme = folder.load_programme(config)
    db = folder.open_db()
    try:
        checks = FilmCheckRepository(db).all()
        media = FilmMedia(db, programme.films)
        films = {}
        for film in programme:
            verdict = media.verdict(film.id)
            changed = verdict.state in (MediaState.CHANGED, MediaState.MISSING)
            films[film.id] = FilmFacts(checks.get(film.id), verdict.reason if changed else None)
    finally:
        db.close()
    return layout_run_sheet(config, programme, films, now or dt.datetime.now(dt.UTC))


def write_run_sheet_pdf(folder: EventFolder, path: Path) -> int:
    """Write the run sheet to `path` as A4 PDF (Qt's application object is made if needed);
    returns the number of pages."""
    from kiosk.render.report_pdf import write_layout_pdf

    pages = write_layout_pdf(build_run_sheet(folder), path)
    log.info("run sheet written to %s (%d page(s))", path, pages)
    return pages
