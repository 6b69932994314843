"""`python main.py report [--json] [--tab-json] [--pdf FILE] [--html FILE]`: what happened
tonight."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kiosk.cli.common import emit_json, fail, folder_of
from kiosk.core import glossary
from kiosk.core.problems import ConfigError
from kiosk.core.report import Outcome, ShowReport, ShowState
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--tab-json",
    "as_tab_json",
    is_flag=True,
    help="Print what the console's Report tab shows (figures, incident rows, charts) as JSON.",
)
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), help="Write A4 PDF.")
@click.option("--html", "html", type=click.Path(dir_okay=False, path_type=Path), help="Write HTML.")
@click.pass_context
def report(
    ctx: click.Context, as_json: bool, as_tab_json: bool, pdf: Path | None, html: Path | None
) -> None:
    """The show report: the timeline, incidents, check-ins and the reveal, from the journal.

    `--tab-json` is what the console's Report tab reads: the console builds no report itself
    (Python sharing the interpreter lock with the show) but runs this."""
    from kiosk.services.report import build_event_report, write_html, write_pdf

    folder = folder_of(ctx)
    if as_json and as_tab_json:
        fail("--json and --tab-json print different objects: ask for one of them.")
    if not folder.exists():
        fail(f"No event at {folder.root}; pass --event DIR (or build the demo).")
    try:
        made = build_event_report(folder)
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    if html is not None:
        try:
            write_html(made, html)
        except OSError as exc:
            fail(f"could not write {html}: {exc.strerror or exc}")
        click.echo(f"HTML report written to {html}", err=True)
    if pdf is not None:
        try:
            write_pdf(made, pdf)
        except OSError as exc:
            fail(f"could not write {pdf}: {exc}")
        click.echo(f"PDF report written to {pdf}", err=True)
    if as_json:
        emit_json(made.to_json())
    if as_tab_json:
        from kiosk.render.report_panel import report_panel

        emit_json(report_panel(made).to_json())
    if not (as_json or as_tab_json) and pdf is None and html is None:
        _print_summary(made)


def _print_summary(made: ShowReport) -> None:
    state = {
        ShowState.NOT_STARTED: "The show has not run (no show was started in the journal).",
        ShowState.UNDER_WAY: "The show is under way (or stopped without ending).",
        ShowState.ENDED: "The show ended.",
    }[made.state]
    click.echo(f"{made.event_name_en} · {made.event_name_zh}")
    click.echo(state)
    if made.started:
        click.echo(
            f"Started {made.local(made.started)} (planned {made.local(made.planned_start)}), "
            f"ended {made.local(made.ended)}; projector dark {made.dark_s:.1f} s"
        )
    click.echo(
        f"Films: {made.played} played, {made.count(Outcome.SKIPPED)} skipped, "
        f"{made.count(Outcome.FAILED)} failed, {made.count(Outcome.NOT_REACHED)} not reached"
    )
    for film in made.films:
        if film.outcome is Outcome.NOT_REACHED:
            continue
        click.echo(
            f"  {film.id:<6} {made.local(film.started)}–{made.local(film.ended)} "
            f"{film.played_s:6.1f} s  {film.outcome.value}"
        )
    for incident in made.incidents:
        click.echo(f"  ! {made.local(incident.at)} {incident.describe(made.tz)}")
    doors = made.checkins
    click.echo(
        f"Doors: {doors.admitted} in of {doors.registered} registered, "
        f"{glossary.WALK_IN.count(doors.walk_ins)}, "
        f"{doors.no_shows} no-shows, {sum(doors.refused.values())} refused scans"
    )
