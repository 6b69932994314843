"""The door commands of the CLI contract: `checkin CODE` and `doors` (docs/dev/cli-contract.md)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import click

from kiosk.cli.common import fail, folder_of
from kiosk.core.admissions import ScanResult
from kiosk.core.problems import ConfigError
from kiosk.logsetup import configure_logging
from kiosk.store.checkins import CheckinRepository
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)

DEFAULT_DOOR = "Door 1"


@click.command()
@click.argument("code")
@click.option("--station", default="CLI", show_default=True, help="Door station name.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
@click.pass_context
def checkin(ctx: click.Context, code: str, station: str, as_json: bool) -> None:
    """One scan, as a door station would; exit 0 only if the person is admitted.

    With --station-dir, through the event server (or offline from the station's ticket list).
    """
    if ctx.obj.get("station_dir") is not None:
        _remote_checkin(ctx.obj["station_dir"], code, as_json, verbose=ctx.obj["verbose"])
        return
    folder = folder_of(ctx)
    try:
        config = folder.load_config()
        configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"], zone=folder.zone_or_none())
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


def _remote_checkin(station_dir: Path, code: str, as_json: bool, *, verbose: bool) -> None:
    from kiosk.station.folder import StationFolder
    from kiosk.station.setup import open_remote_station

    folder = StationFolder(station_dir)
    try:
        configure_logging(folder.logs_dir, verbose=verbose, zone=folder.zone_or_none())
        station = open_remote_station(folder, sync_timeout=None)
        try:
            station.catch_up()
            result = station.doors.scan(
                code, station.doors.station, "scan", dt.datetime.now(dt.UTC)
            )
            zone = station.doors.zone
        finally:
            station.close()
    except StoreError as exc:
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
    mode = " · OFFLINE 離線" if result.offline else ""
    click.echo(f"{result.code or '-'} · {result.station} · {stamp} · {result.verdict.value}{mode}")


@click.command()
@click.option("--station", default=DEFAULT_DOOR, show_default=True, help="Door station name.")
@click.option(
    "--pair",
    is_flag=True,
    help="With --station-dir: pair this laptop first (scan the console's QR code, or paste it).",
)
@click.option(
    "--vote", is_flag=True, help="Start as a Viewer's Award voting station (F9 switches)."
)
@click.pass_context
def doors(ctx: click.Context, station: str, pair: bool, vote: bool) -> None:
    """Open the usher's check-in window (full screen).

    On the event folder (this laptop holds the event), or with --station-dir through the event
    server on the console laptop. F9 switches to the Viewer's Award voting station and back
    (--vote starts there); a paired station votes through the server.
    """
    station_dir: Path | None = ctx.obj.get("station_dir")
    if station_dir is not None:
        from kiosk.station.folder import StationFolder
        from kiosk.ui.doors.remote_app import run_remote_doors

        station_folder = StationFolder(station_dir)
        configure_logging(
            station_folder.logs_dir,
            verbose=ctx.obj["verbose"],
            zone=station_folder.zone_or_none(),
        )
        sys.exit(run_remote_doors(station_folder.root, pair=pair, vote=vote))
    if pair:  # a door laptop without an event: the station lives in the user's data folder
        from kiosk.station.folder import StationFolder, default_station_dir
        from kiosk.ui.doors.remote_app import run_remote_doors

        station_folder = StationFolder(default_station_dir())
        click.echo(
            f"Station folder: {station_folder.root} (next time: python main.py "
            f"--station-dir {station_folder.root} doors, or set KIOSK_STATION_DIR)",
            err=True,
        )
        configure_logging(
            station_folder.logs_dir,
            verbose=ctx.obj["verbose"],
            zone=station_folder.zone_or_none(),
        )
        sys.exit(run_remote_doors(station_folder.root, pair=True))
    folder = folder_of(ctx)
    if not folder.exists():
        fail(f"No event at {folder.root}; create one first (python main.py demo).")
    configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"], zone=folder.zone_or_none())
    from kiosk.ui.doors.app import run_doors

    sys.exit(run_doors(folder, station, vote=vote))
