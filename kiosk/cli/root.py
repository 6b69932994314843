"""The root command group and the commands of the night as a whole: console, demo, preflight.

Commands print human-readable text, or one JSON object with `--json`. Exit status 0 means
success; 1 means the check or action found a problem; 2 is a usage error (click's).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from kiosk.cli.common import ProgressLine, emit_json, fail, folder_of
from kiosk.core.problems import ConfigError
from kiosk.core.programme import format_duration
from kiosk.logsetup import configure_logging
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import ENV_VAR, EventFolder

log = logging.getLogger(__name__)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--event",
    "event_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ENV_VAR,
    help=f"Event folder (default: ${ENV_VAR} or the demo event).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.option(
    "--no-supervisor",
    is_flag=True,
    help="Console: no standby process keeping the projector black and restarting the app.",
)
@click.option(
    "--station-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KIOSK_STATION_DIR",
    help="Door laptop: the station folder made by `join` (checkin and doors use the server); "
    "default $KIOSK_STATION_DIR.",
)
@click.version_option(package_name="aiff-kiosk")
@click.pass_context
def cli(
    ctx: click.Context,
    event_dir: Path | None,
    verbose: bool,
    no_supervisor: bool,
    station_dir: Path | None,
) -> None:
    """AIFF Screening Night: run the show, the doors, the tickets and the awards.

    With no command, opens the operator console on the event (building the demo event first if
    there is none yet).
    """
    folder = EventFolder.resolve(event_dir)
    malloc = (ctx.obj or {}).get("malloc", "not set by this entry point")
    ctx.obj = {
        "folder": folder,
        "verbose": verbose,
        "supervise": not no_supervisor,
        "station_dir": station_dir,
    }
    configure_logging(
        folder.logs_dir if folder.root.exists() else None,
        verbose=verbose,
        zone=folder.zone_or_none(),
    )
    log.info("memory allocator: %s", malloc)
    if ctx.invoked_subcommand is None:
        ctx.invoke(console)


@cli.command(hidden=True)
@click.pass_context
def console(ctx: click.Context) -> None:
    """Open the operator console (the default command)."""
    folder = folder_of(ctx)
    # Qt is imported only by the commands that need it
    from kiosk.ui.app import headless, make_show_application, run_console

    make_show_application()  # (on Wayland: Qt on XWayland, or a clear refusal)
    if not folder.exists():
        click.echo(f"No event at {folder.root} yet: building the demo night first.", err=True)
        if headless():  # no screen for the build window: the terminal shows the progress
            ctx.invoke(demo)
        # else the console's first-run window builds it with a progress bar (kiosk.ui.app)
    folder.create_dirs()
    configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"], zone=folder.zone_or_none())
    if ctx.obj.get("supervise", True) and not headless():
        from kiosk.supervisor import app_command, needed, run_supervisor

        if needed():  # a projector: this process keeps it black and runs the app as a child
            import os

            from kiosk.desktop.inhibit import kept_awake

            # held while the supervisor runs: a crashed console lets nothing sleep meanwhile
            with kept_awake("The projector is kept black between restarts", os.environ):
                code = run_supervisor(app_command(sys.argv[1:]))
            sys.exit(code)
    sys.exit(run_console(folder))


@cli.command()
@click.option(
    "--film-seconds",
    type=click.FloatRange(1, 3600),
    default=20.0,
    show_default=True,
    help="Length of each generated film.",
)
@click.option(
    "--attendees",
    type=click.IntRange(0, 100_000),
    default=300,
    show_default=True,
    help="Number of sample registrations.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@click.pass_context
def demo(ctx: click.Context, film_seconds: float, attendees: int, as_json: bool) -> None:
    """(Re)build the demo event: 35 generated films, registrations, demo jury results."""
    from kiosk.services.demo import build_demo
    from kiosk.services.preflight import run_preflight

    folder = folder_of(ctx)
    started = time.monotonic()
    try:
        folder.create_dirs()
        configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"], zone=folder.zone_or_none())
        with folder.event_lock("demo"):
            summary = build_demo(
                folder,
                film_seconds=film_seconds,
                attendees=attendees,
                progress=ProgressLine("Making films  "),
            )
            report = run_preflight(folder, ProgressLine("Preflight     "))
    except (StoreError, ConfigError, ValueError) as exc:
        fail(str(exc))
    took = time.monotonic() - started
    if as_json:
        emit_json(
            {
                "event": str(summary.folder),
                "films": summary.films,
                "attendees": summary.attendees,
                "film_seconds": summary.film_seconds,
                "preflight_ok": report.ok,
                "seconds": round(took, 1),
            }
        )
    else:
        click.echo(
            f"Demo night ready in {summary.folder} ({took:.0f} s): {summary.films} films "
            f"of {format_duration(film_seconds)}, {summary.attendees} registrations, "
            f"preflight {'all clear' if report.ok else 'found problems'}."
        )
        click.echo(f"Open it with: python main.py --event {summary.folder}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON object.")
@click.pass_context
def preflight(ctx: click.Context, as_json: bool) -> None:
    """Check every film of the programme; exit 1 if anything would stop the show."""
    from kiosk.services.preflight import run_preflight

    folder = folder_of(ctx)
    try:
        report = run_preflight(folder, ProgressLine("Preflight", enabled=True))
    except (StoreError, ConfigError) as exc:
        if as_json:
            problems = exc.problems if isinstance(exc, ConfigError) else [exc]
            emit_json({"ok": False, "films": [], "errors": [str(p) for p in problems]})
        fail(str(exc))
    if as_json:
        emit_json(report.to_json())
    else:
        _print_preflight_table(report)
    sys.exit(0 if report.ok else 1)


def _print_preflight_table(report: Any) -> None:
    header = (
        f"{'film':<6} {'ok':<4} {'length':>7} {'size':>9} {'aspect':>6} {'fps':>5} "
        f"{'audio':>5} {'LUFS':>6} {'gain':>6}  notes"
    )
    click.echo(header)
    click.echo("-" * len(header))
    for check in report.checks:
        size = f"{check.width}x{check.height}" if check.width else "-"
        aspect = f"{check.display_aspect:.2f}" if check.display_aspect else "-"
        fps = f"{check.fps:.0f}" if check.fps else "-"
        audio = f"{check.audio_channels}ch" if check.audio_channels else "-"
        lufs = f"{check.loudness_lufs:.1f}" if check.loudness_lufs is not None else "-"
        gain = f"{check.gain_db:+.1f}" if check.gain_db is not None else "-"
        length = format_duration(check.duration_s) if check.duration_s else "-"
        status = click.style("OK", fg="green") if check.ok else click.style("FAIL", fg="red")
        notes = "; ".join(check.problems + [f"({w})" for w in check.warnings])
        click.echo(
            f"{check.film_id:<6} {status:<4} {length:>7} {size:>9} {aspect:>6} {fps:>5} "
            f"{audio:>5} {lufs:>6} {gain:>6}  {notes}"
        )
    click.echo()
    click.echo(report.schedule.describe())
    blocked = [c.film_id for c in report.checks if not c.ok]
    if blocked:
        click.echo(
            click.style(
                f"{len(blocked)} film(s) would stop the show: {', '.join(blocked)}", fg="red"
            )
        )
    else:
        click.echo(click.style(f"All {len(report.checks)} films ready.", fg="green"))
    _print_music(report)


def _print_music(report: Any) -> None:
    """The room's music: measured level and gain, and what is left out (never blocking)."""
    if not report.music and not report.music_notes:
        return
    click.echo()
    click.echo(f"{'music':<28} {'ok':<4} {'length':>7} {'LUFS':>6} {'dBTP':>6} {'gain':>6}  notes")
    for check in report.music:
        status = click.style("OK", fg="green") if check.ok else click.style("OUT", fg="yellow")
        length = format_duration(check.duration_s) if check.duration_s else "-"
        lufs = f"{check.loudness_lufs:.1f}" if check.loudness_lufs is not None else "-"
        peak = f"{check.true_peak_dbtp:.1f}" if check.true_peak_dbtp is not None else "-"
        gain = f"{check.gain_db:+.1f}" if check.gain_db is not None else "-"
        notes = "; ".join(check.problems + [f"({w})" for w in check.warnings])
        click.echo(
            f"{check.file.name[:28]:<28} {status:<4} {length:>7} {lufs:>6} {peak:>6} {gain:>6}"
            f"  {notes}"
        )
    for note in report.music_notes:
        click.echo(click.style(f"music: {note}", fg="yellow"))
