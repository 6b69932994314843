"""The Viewer's Award commands: `vote open|close|status|cast|serve` (docs/dev/cli-contract.md).

`vote status` is turnout only (`{"open", "ballots", "checked_in"}`): no command shows a count
per film; the vote is counted only when the results are opened for the reveal.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

from kiosk.cli.common import emit_json, fail, folder_of
from kiosk.core.problems import ConfigError
from kiosk.logsetup import configure_logging
from kiosk.services.vote_address import DEFAULT_VOTE_PORT
from kiosk.store.errors import StoreError

if TYPE_CHECKING:
    from kiosk.services.vote import ViewerVote, VoteStatus

log = logging.getLogger(__name__)


def _viewer_vote(ctx: click.Context) -> ViewerVote:
    from kiosk.services.open_event import OpenEvent

    if ctx.obj.get("station_dir") is not None:
        fail(
            f"`vote {ctx.info_name}` runs on the console laptop (the event folder); a door "
            "station can only cast ballots (`--station-dir DIR vote cast CODE FILM_ID`)."
        )

    try:
        return OpenEvent.open(folder_of(ctx)).viewer_vote()
    except (StoreError, ConfigError) as exc:
        fail(str(exc))


def _say_status(status: VoteStatus, as_json: bool) -> None:
    if as_json:
        emit_json(status.to_json())
        return
    state = {"not_open_yet": "not open yet", "open": "OPEN", "closed": "closed"}[status.phase.value]
    until = ""
    if status.closes_at is not None and status.seconds_left is not None:
        minutes, seconds = divmod(int(status.seconds_left), 60)
        until = f" ({minutes}:{seconds:02d} left)"
    click.echo(
        f"Vote {state}{until}: {status.ballots} ballot(s) from {status.checked_in} checked in."
    )


def _vote() -> None:
    """The Viewer's Award: open and close the vote, turnout, cast a ballot, serve the page."""


vote_group: click.Group = click.group(name="vote")(_vote)


@vote_group.command("open")
@click.option("--minutes", type=click.IntRange(1, 240), help="Countdown (default: event.toml).")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def open_(ctx: click.Context, minutes: int | None, as_json: bool) -> None:
    """Open the vote (journalled); it closes by itself when the countdown ends."""
    from kiosk.services.vote import VoteError

    with _viewer_vote(ctx) as vote:
        try:
            status = vote.open_vote(minutes)
        except (VoteError, StoreError) as exc:
            fail(str(exc))
    _say_status(status, as_json)


@vote_group.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def close(ctx: click.Context, as_json: bool) -> None:
    """Close the vote now (journalled)."""
    with _viewer_vote(ctx) as vote:
        try:
            status = vote.close_vote()
        except StoreError as exc:
            fail(str(exc))
    _say_status(status, as_json)


@vote_group.command()
@click.option("--json", "as_json", is_flag=True, help='{"open", "ballots", "checked_in"}')
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Whether the vote is open, and turnout: ballots cast / people checked in."""
    with _viewer_vote(ctx) as vote:
        try:
            current = vote.status()
        except StoreError as exc:
            fail(str(exc))
    _say_status(current, as_json)


@vote_group.command()
@click.argument("code")
@click.argument("film_id")
@click.option("--station", default="cli", show_default=True, help="Where the ballot was cast.")
@click.option(
    "--nonce",
    help="With --station-dir: the nonce of an unconfirmed try to send again (never counted twice).",
)
@click.option("--json", "as_json", is_flag=True, help='{"accepted", "reason"}')
@click.pass_context
def cast(
    ctx: click.Context, code: str, film_id: str, station: str, nonce: str | None, as_json: bool
) -> None:
    """Cast one ballot for FILM_ID with a ticket code or vote code, as a voting station does.

    With --station-dir, through the event server as that paired station (the server decides
    and seals the ballot; nothing is decided or kept offline). Exit status 0 only if the ballot
    was accepted.
    """
    if ctx.obj.get("station_dir") is not None:
        _remote_cast(ctx, code, film_id, nonce, as_json)
        return
    from kiosk.services.vote import VoteError

    with _viewer_vote(ctx) as vote:
        try:
            outcome = vote.cast(code, film_id, station)
        except (VoteError, StoreError) as exc:
            fail(str(exc))
    if as_json:
        emit_json(outcome.to_json())
    else:
        en, zh = outcome.verdict.message
        click.echo(f"{en} / {zh}")
    ctx.exit(0 if outcome.accepted else 1)


def _remote_cast(
    ctx: click.Context, code: str, film_id: str, nonce: str | None, as_json: bool
) -> None:
    from kiosk.services.vote import VoteError
    from kiosk.station.folder import StationFolder
    from kiosk.station.remote_vote import RemoteVoteError, remote_voting
    from kiosk.station.setup import open_remote_station

    folder = StationFolder(ctx.obj["station_dir"])
    try:
        configure_logging(folder.logs_dir, verbose=ctx.obj["verbose"], zone=folder.zone_or_none())
        station = open_remote_station(folder, sync_timeout=None)
    except StoreError as exc:
        fail(str(exc))
    voting = remote_voting(station.doors)
    try:
        answer = voting.cast_once(code, film_id, nonce)
    except RemoteVoteError as exc:
        if as_json:
            emit_json(exc.to_json())
        else:
            click.echo(str(exc), err=True)
            if exc.nonce:
                click.echo(f"(to try again without counting twice: --nonce {exc.nonce})", err=True)
        ctx.exit(1)
    except VoteError as exc:
        fail(str(exc))
    finally:
        voting.close()
        station.close()
    outcome = answer.outcome
    if as_json:
        emit_json(outcome.to_json() | {"replayed": answer.replayed, "nonce": answer.nonce})
    else:
        en, zh = outcome.verdict.message
        click.echo(f"{en} / {zh}")
    ctx.exit(0 if outcome.accepted else 1)


@vote_group.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_VOTE_PORT,
    show_default=True,
    help="Port of the vote page (0: any free port; the line `listening on port N` says which).",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the phone vote page alone, plain HTTP (until the event server serves it)."""
    from kiosk.server.limits import lower_priority, raise_open_files_limit
    from kiosk.server.serve import bind, run_listeners
    from kiosk.server.vote_app import LockedVote, vote_listener
    from kiosk.services.vote import ballot_thumbnails
    from kiosk.services.vote_address import advertised_host, remember_vote_address, vote_urls

    with _viewer_vote(ctx) as vote:
        raise_open_files_limit()  # before binding: the connection caps are sized to it
        lower_priority()
        try:
            access = LockedVote(vote)
            bound = bind(vote_listener(access, port, host, ballot_thumbnails(vote)))
        except OSError as exc:
            fail(str(exc))
        # what the console's voting slide puts in its QR code: the port really bound
        remember_vote_address(vote.folder, advertised_host(host), bound.port)
        for url in vote_urls(vote.folder):
            click.echo(f"Vote page: {url}", err=True)

        def started() -> None:
            click.echo(f"listening on port {bound.port}")  # with --port 0: the one it got
            sys.stdout.flush()

        try:
            run_listeners([bound], on_started=started)
        finally:
            remember_vote_address(vote.folder, None)
