"""The door commands of the CLI contract: `checkin CODE` and `doors` (DESIGN section 4)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from zoneinfo import ZoneInfoNotFoundError

import click

from kiosk.cli.common import fail, folder_of
from kiosk.core.problems import ConfigError
from kiosk.logsetup import configure_logging
from kiosk.store.checkins import CheckinRepository, ScanResult
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)

DEFAULT_DOOR = "Door 1"


@click.command()
@click.argument("code")
@click.option("--station", default="CLI", show_default=True, help="Door station name.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
@click.pass_context
def checkin(ctx: click.Context, code: str, station: str, as_json: bool) -> None:
    """One scan, as a door station would; exit 0 only if the person is admitted."""
    folder = folder_of(ctx)
    try:
        config = folder.load_config()
        configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"])
        repo = CheckinRepository.for_event(folder, config)
        zone = repo.zone
        result = repo.scan(code, station, "scan", dt.datetime.now(dt.UTC))
    except (StoreError, ConfigError, ZoneInfoNotFoundError) as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_verdict(result, zone)
    sys.exit(0 if result.verdict.admits else 1)


def _print_verdict(result: ScanResult, zone: dt.tzinfo) -> None:
    colour = {"go": "green", "caution": "yellow", "stop": "red"}[result.verdict.tone.value]
    click.echo(click.style(result.decision.headline, fg=colour, bold=True))
    if result.name:
        latin = f" ({result.name_latin})" if result.name_latin else ""
        click.echo(f"{result.name}{latin}")
    if result.decision.detail_en:
        click.echo(result.decision.detail_en)
        click.echo(result.decision.detail_zh)
    stamp = result.at.astimezone(zone).strftime("%H:%M:%S")
    click.echo(f"{result.code or '-'} · {result.station} · {stamp} · {result.verdict.value}")


@click.command()
@click.option("--station", default=DEFAULT_DOOR, show_default=True, help="Door station name.")
@click.option(
    "--vote", is_flag=True, help="Start as a Viewer's Award voting station (F9 switches)."
)
@click.pass_context
def doors(ctx: click.Context, station: str, vote: bool) -> None:
    """Open the usher's check-in window (full screen); F9 switches to voting and back."""
    folder = folder_of(ctx)
    if not folder.exists():
        fail(f"No event at {folder.root}; create one first (python main.py demo).")
    configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"])
    from kiosk.ui.doors.app import run_doors

    sys.exit(run_doors(folder, station, vote=vote))
