"""The show report for the CLI and the console: read the event's records, build, export.

`ReportService` is the narrow interface the console's Report tab gets: it never hands out the
database. The Viewer's Award vote is a seam: pass `vote` (a callable returning the turnout, or
None while there is no vote) and the report shows its turnout.

The console's exports are written, and its Report tab's report built, by a child process
(`main.py report --pdf/--html`, `report --tab-json`, at a lower priority from its first
instruction): building the report is Python and painting the PDF long calls into Qt
that keep the interpreter lock, which the console's GUI thread needs to time the show's cuts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import sqlite_utils

from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.core.report import FilmSound, Record, ShowReport, VoteTurnout, build_report
from kiosk.render.report_panel import PanelFormatError, ReportPanel
from kiosk.services.child_process import child_env, niced
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.report_reader import read_report_inputs

log = logging.getLogger(__name__)

VoteSource = Callable[[], VoteTurnout | None]
REPORT_TIMEOUT_S = 300.0  # a child building or writing a report longer than that is stopped


class ReportChildError(StoreError):
    """The report child could not build the report or write its file (its own words)."""


def build_event_report(
    folder: EventFolder, *, now: dt.datetime | None = None, vote: VoteSource | None = None
) -> ShowReport:
    """The report of the event in `folder`, from its journal and check-ins as they are now."""
    config = folder.load_config()
    db = folder.open_db()
    try:
        return report_from(db, config, folder.load_programme(config), now=now, vote=vote)
    finally:
        db.close()


def report_from(
    db: sqlite_utils.Database,
    config: EventConfig,
    programme: Programme,
    *,
    now: dt.datetime | None = None,
    vote: VoteSource | None = None,
) -> ShowReport:
    """The report from an open event database, as it is now."""
    inputs = read_report_inputs(db)
    return build_report(
        config,
        programme,
        inputs.records,
        inputs.checkins,
        inputs.attendees,
        made_at=now or dt.datetime.now(dt.UTC),
        sound=with_played_gains(inputs.sound, inputs.records),
        vote=vote() if vote is not None else None,
    )


def with_played_gains(
    sound: Mapping[str, FilmSound], records: Sequence[Record]
) -> dict[str, FilmSound]:
    """Each film's sound with the gain it actually played at: the last `film_gain` record the
    players journalled when it started (preamp and volume as set), so the report says what
    was applied, not what was planned."""
    played: dict[str, Mapping[str, object]] = {}
    for record in records:
        if record.kind == "film_gain" and isinstance(record.data.get("film"), str):
            played[str(record.data["film"])] = record.data
    out = dict(sound)
    for film, data in played.items():
        facts = out.get(film, FilmSound(gain_db=None))
        gain, volume = data.get("gain_db"), data.get("volume")
        out[film] = replace(
            facts,
            played_db=float(gain) if isinstance(gain, int | float) else None,
            volume_percent=int(volume) if isinstance(volume, int | float) else None,
            limited=bool(data.get("limited")),
        )
    return out


def write_pdf(report: ShowReport, path: Path) -> Path:
    """The report as an A4 PDF (Qt must have an application object)."""
    from kiosk.render.report_pdf import write_report_pdf

    write_report_pdf(report, path)
    log.info("report PDF written to %s", path)
    return path


def write_html(report: ShowReport, path: Path) -> Path:
    """The report as one self-contained HTML file."""
    from kiosk.render.report_html import write_report_html

    write_report_html(report, path)
    log.info("report HTML written to %s", path)
    return path


class ReportService:
    """What the console's Report tab may do: have the report built now, export it.

    ``connect`` opens a connection to the event database on the calling thread (the report is
    built on a worker: its connection is opened, used and closed there)."""

    def __init__(
        self,
        connect: Callable[[], sqlite_utils.Database],
        config: EventConfig,
        programme: Programme,
        export_dir: Path,
        vote: VoteSource | None = None,
        *,
        event_root: Path,
        python: str = sys.executable,
    ) -> None:
        self._connect = connect
        self._config = config
        self._programme = programme
        self._export_dir = export_dir
        self._vote = vote
        self._event_root = event_root
        self._python = python

    def build(self) -> ShowReport:
        """The report as of now (reads the database; call off the Qt thread if it is large)."""
        db = self._connect()
        try:
            return report_from(db, self._config, self._programme, vote=self._vote)
        finally:
            db.close()

    def panel(self) -> ReportPanel:
        """What the Report tab shows of the report as of now, built by a child process at a
        lower priority (`main.py report --tab-json`: without the `vote` seam's turnout, which
        the tab does not show), waiting for it: call off the Qt thread. The console builds no
        report itself (Python holding the interpreter lock the show needs).
        ReportChildError says why when it could not."""
        answer = self._run_report(["--tab-json"], "building the report")
        try:
            return ReportPanel.from_json(json.loads(answer))
        except (ValueError, PanelFormatError) as exc:
            raise ReportChildError(f"the report could not be read: {exc}") from exc

    def export(self, path: Path) -> Path:
        """Write the report as of now to `path` (HTML for `.html`, PDF otherwise) in a child
        process at a lower priority (`main.py report`, the file it writes: without the `vote`
        seam's turnout), waiting for it: call off the Qt thread. ReportChildError says why
        when it could not."""
        kind = "--html" if path.suffix.lower() == ".html" else "--pdf"
        self._run_report([kind, str(path)], "writing the report")
        log.info("report written to %s by a child process", path)
        return path

    def _run_report(self, options: Sequence[str], doing: str) -> str:
        """Run `main.py report OPTIONS` for this event at a lower priority; its stdout, or
        ReportChildError with the command's own `error: …` line."""
        command = [self._python, "-m", "kiosk", "--event", str(self._event_root), "report"]
        try:
            answer = subprocess.run(
                niced([*command, *options]),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=child_env(),
                timeout=REPORT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReportChildError(
                f"{doing} took over {REPORT_TIMEOUT_S:.0f} s and was stopped"
            ) from exc
        except OSError as exc:
            raise ReportChildError(f"{doing}: the report program could not start ({exc})") from exc
        if answer.returncode != 0:
            said = answer.stderr.strip().splitlines()  # the command's `error: …` line last
            raise ReportChildError(
                said[-1].removeprefix("error: ") if said else f"exit {answer.returncode}"
            )
        return answer.stdout

    def default_export_path(self, suffix: str) -> Path:
        """Where exports go by default: the event folder, named by date."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        return self._export_dir / f"show-report-{stamp}{suffix}"
