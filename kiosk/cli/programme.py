"""`python main.py programme run-sheet --pdf FILE`: the printable run sheet of the night."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.common import fail, folder_of
from kiosk.core.problems import ConfigError
from kiosk.store.errors import StoreError


@click.group(name="programme")
def programme_group() -> None:
    """The programme of the night: the printable run sheet."""


@programme_group.command("run-sheet")
@click.option(
    "--pdf",
    "pdf",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Write the run sheet as an A4 PDF here.",
)
@click.pass_context
def run_sheet(ctx: click.Context, pdf: Path) -> None:
    """The night on one or two A4 pages, bilingual: every item in run order with its planned
    start, length, credits, subtitles, gain and preflight state, and a column for notes."""
    from kiosk.services.run_sheet import write_run_sheet_pdf

    folder = folder_of(ctx)
    if not folder.exists():
        fail(f"No event at {folder.root}; pass --event DIR (or build the demo).")
    try:
        pages = write_run_sheet_pdf(folder, pdf)
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"could not write {pdf}: {exc.strerror or exc}")
    click.echo(f"Run sheet written to {pdf} ({pages} page(s))", err=True)
