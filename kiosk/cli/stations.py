"""The event server and door stations on other laptops (issue 13).

Additions to the command-line contract (docs/dev/cli-contract.md).

On the console laptop: `serve [--port N]` runs the event server in the foreground;
`stations pair NAME [--json]`, `stations list [--json]`, `stations revoke NAME` and
`stations conflicts [--json]` manage the stations. On a door laptop:
`--station-dir DIR join PAYLOAD` stores the station's credentials in DIR.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.common import emit_json, fail, folder_of
from kiosk.core.problems import ConfigError
from kiosk.core.stations import DEFAULT_PORT, PairingPayload
from kiosk.logsetup import configure_logging
from kiosk.services.vote_address import (
    DEFAULT_VOTE_PORT,
    advertised_host,
    remember_vote_address,
)
from kiosk.station.folder import StationFolder
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.stations import StationRegistry

if TYPE_CHECKING:
    from kiosk.core.event import EventConfig
    from kiosk.media.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _registry(folder: EventFolder) -> StationRegistry:
    folder.require()
    return StationRegistry(folder.open_db())


def station_folder_of(ctx: click.Context) -> StationFolder | None:
    """The station folder chosen with the global `--station-dir`, if any."""
    chosen: Path | None = ctx.obj.get("station_dir")
    return None if chosen is None else StationFolder(chosen)


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port for the door stations (default 8443, or the last one used; 0: any free port).",
)
@click.option(
    "--host",
    default="0.0.0.0",
    show_default=True,
    help="Address the door stations' API listens on (the staff network's, on a hostile hall).",
)
@click.option(
    "--vote-host",
    default=None,
    help="Address the phone vote page listens on (the guest network's); default: --host.",
)
@click.option(
    "--vote-port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_VOTE_PORT,
    show_default=True,
    help="Port of the phone vote page (plain HTTP; 0: any free port).",
)
@click.option("--no-vote-page", is_flag=True, help="Do not serve the phone vote page.")
@click.pass_context
def serve(
    ctx: click.Context,
    port: int | None,
    host: str,
    vote_host: str | None,
    vote_port: int,
    no_vote_page: bool,
) -> None:
    """Run the event server for door stations and the phone vote page (Ctrl+C stops it)."""
    from kiosk.server.event_server import VotePage, build_event_server
    from kiosk.server.limits import lower_priority, raise_open_files_limit
    from kiosk.server.serve import run_listeners

    folder = folder_of(ctx)
    try:
        config = folder.load_config()
        configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"], zone=folder.zone_or_none())
        raise_open_files_limit()  # before binding: the connection caps are sized to it
        lower_priority()  # a flood slows the doors, never the films on the same laptop
        lock = folder.lock("server")
        lock.acquire()
        if port is None:
            db = folder.open_db()  # only to read the last address: closed before serving
            try:
                previous = StationRegistry(db).address()
            finally:
                db.close()
            port = previous[1] if previous and previous[1] else DEFAULT_PORT
        thumbnails = _vote_thumbnails(folder, config)
        vote_page = None
        if not no_vote_page:
            try:  # the phones' ballots go through the server's one database writer
                folder.load_programme(config)
                vote_page = VotePage(vote_port, vote_host or host)
            except (StoreError, ConfigError) as exc:  # no programme: a doors-only event
                click.echo(f"The vote page is not served: {exc}", err=True)
        server = build_event_server(
            folder, config, port=port, host=host, thumbnails=thumbnails, vote_page=vote_page
        )
        if server.vote_page_problem:
            click.echo(f"The vote page is not served: {server.vote_page_problem}", err=True)
        if thumbnails is not None:  # made now, in the background: nobody waits for ffmpeg later
            threading.Thread(
                target=thumbnails.prepare_all, name="vote-thumbnails", daemon=True
            ).start()
    except (StoreError, ConfigError, OSError) as exc:
        fail(str(exc))

    vote_address = advertised_host(vote_host) if vote_host else server.address

    def started() -> None:
        click.echo(f"Event server for {config.name_en} on {server.url}")
        click.echo(f"listening on port {server.station_port}")
        for bound in server.listeners[1:]:
            scheme = "https" if bound.listener.tls else "http"
            click.echo(f"{bound.listener.name}: {scheme}://{vote_address}:{bound.port}")
        click.echo(f"certificate SHA-256 {server.identity.fingerprint}")
        click.echo("Pair a door: python main.py stations pair NAME   (Ctrl+C stops the server)")
        sys.stdout.flush()

    served = next((b for b in server.listeners[1:] if b.listener.name == "vote page"), None)
    # the address the phones get (the voting slide's QR code): where the page really listens
    remember_vote_address(folder, vote_address, served.port if served else None)
    try:
        run_listeners(server.listeners, on_started=started)
    finally:
        remember_vote_address(folder, None)
        server.close()
        lock.release()
    click.echo("Event server stopped.")


def _vote_thumbnails(folder: EventFolder, config: EventConfig) -> ThumbnailCache | None:
    """The films' thumbnails for the phone page and the voting stations (None: no programme)."""
    from kiosk.services.vote import programme_thumbnails

    try:
        return programme_thumbnails(folder, folder.load_programme(config))
    except (ConfigError, StoreError) as exc:
        log.info("no vote thumbnails: %s", exc)
        return None


@click.group("stations")
def stations_group() -> None:
    """Door stations paired with this event's server: pair, list, revoke, conflicts."""


@stations_group.command("pair")
@click.argument("name")
@click.option("--address", help="HOST[:PORT] the door laptops reach the server at.")
@click.option("--json", "as_json", is_flag=True, help='Print {"name", "payload"}.')
@click.pass_context
def stations_pair(ctx: click.Context, name: str, address: str | None, as_json: bool) -> None:
    """Make a one-time pairing code for station NAME (valid 15 minutes)."""
    from kiosk.store.server_identity import event_server_identity

    folder = folder_of(ctx)
    try:
        config = folder.load_config()
        registry = _registry(folder)
        identity = event_server_identity(folder, config)
        host, port = _server_address(registry, address, DEFAULT_PORT)
        token = registry.create_pairing(name, _now())
    except (StoreError, ConfigError, ValueError) as exc:
        fail(str(exc))
    station = " ".join(name.split())
    payload = PairingPayload(host, port, token, identity.fingerprint).to_text()
    if as_json:
        emit_json({"name": station, "payload": payload})
        return
    click.echo(f"Pairing code for {station} (one use, 15 minutes):")
    click.echo(payload)
    click.echo(
        f'On the door laptop: python main.py --station-dir DIR join "{payload}"\n'
        "or scan the QR code in the console's Doors tab with `python main.py doors --pair`."
    )


def _server_address(
    registry: StationRegistry, address: str | None, default_port: int
) -> tuple[str, int]:
    if address:
        host, _, port_text = address.rpartition(":") if ":" in address else (address, "", "")
        try:
            return host, int(port_text) if port_text else default_port
        except ValueError as exc:
            raise ValueError(f"--address {address!r}: the port must be a number") from exc
    known = registry.address()
    if known is not None:
        return known
    from kiosk.store.server_identity import lan_address

    return lan_address(), default_port


@stations_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the stations as JSON.")
@click.pass_context
def stations_list(ctx: click.Context, as_json: bool) -> None:
    """Paired stations, when each was last heard from, revoked ones."""
    folder = folder_of(ctx)
    try:
        stations = _registry(folder).stations(_now())
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        emit_json({"stations": [station.to_json() for station in stations]})
        return
    if not stations:
        click.echo("No stations paired yet: python main.py stations pair NAME")
    for station in stations:
        if station.revoked_at is not None:
            state = "revoked"
        elif station.paired_at is None:
            state = "pairing code issued"
        else:
            state = "active"
        seen = station.last_seen_at.strftime("%H:%M:%S UTC") if station.last_seen_at else "-"
        click.echo(f"{station.name:<20} {state:<20} last seen {seen} {station.last_address or ''}")


@stations_group.command("revoke")
@click.argument("name")
@click.pass_context
def stations_revoke(ctx: click.Context, name: str) -> None:
    """Revoke station NAME at once (its next request is refused)."""
    folder = folder_of(ctx)
    try:
        changed = _registry(folder).revoke(name, _now())
    except StoreError as exc:
        fail(str(exc))
    if not changed:
        fail(f"No active station or pairing code named {name!r}.")
    click.echo(f"Revoked {name}: it can no longer check anyone in.")


@stations_group.command("conflicts")
@click.option("--json", "as_json", is_flag=True, help="Print the conflicts as JSON.")
@click.pass_context
def stations_conflicts(ctx: click.Context, as_json: bool) -> None:
    """Double admissions and other door conflicts found when offline stations reconciled."""
    folder = folder_of(ctx)
    try:
        folder.require()
        config = folder.load_config()
        from kiosk.store.checkins import CheckinRepository

        conflicts = CheckinRepository.for_event(folder, config).conflicts()
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    if as_json:
        emit_json({"conflicts": [conflict.to_json() for conflict in conflicts]})
        return
    if not conflicts:
        click.echo("No door conflicts.")
    for c in conflicts:
        first = f"{c.first_station} at {c.first_at:%H:%M:%S}" if c.first_at else "-"
        click.echo(
            f"#{c.id} {c.kind}: {c.name or '?'} ({c.code or c.attendee_id}) — first {first}, "
            f"again {c.second_station} at {c.second_at:%H:%M:%S} (offline)"
        )


@click.command()
@click.argument("payload")
@click.pass_context
def join(ctx: click.Context, payload: str) -> None:
    """Pair this laptop as a door station (needs --station-dir DIR) with a pairing PAYLOAD."""
    from kiosk.station.setup import JoinError, join_station

    station_folder = station_folder_of(ctx)
    if station_folder is None:
        fail("join needs --station-dir DIR (the folder where this station keeps its data).")
    try:
        outcome = join_station(station_folder, payload)
    except JoinError as exc:
        fail(str(exc))
    configure_logging(
        station_folder.logs_dir,
        verbose=ctx.obj["verbose"],
        zone=station_folder.zone_or_none(),
    )
    if outcome.list_problem:
        click.echo(f"The ticket list could not be downloaded yet: {outcome.list_problem}", err=True)
    click.echo(
        f"Paired as {outcome.station} with {outcome.server}; "
        f"{outcome.tickets} tickets in the offline list."
    )
