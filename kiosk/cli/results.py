"""Command line for the jury's results: `results seal FILE` and `results verify`.

Registered on the main `cli` group by the kiosk.cli package. Passphrases are asked with
hidden input on a terminal; when stdin is not a terminal (a script, a test) they are read from
it, one per line.
Nothing printed here names a film: only award ids, counts and file paths.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.common import emit_json, fail, folder_of
from kiosk.core.clock import local_stamp
from kiosk.core.problems import ConfigError
from kiosk.store.errors import StoreError

if TYPE_CHECKING:
    from kiosk.services.results import VerifyReport

# The services (and `cryptography`) are imported by the commands that use them, so that other
# commands, e.g. a door station's `checkin`, do not pay for loading them.
KDF_N_ENV = "KIOSK_SEAL_KDF_N"


def _labels(count: int) -> list[str]:
    if count == 1:
        return ["Passphrase"]
    return [f"Keyholder {number} passphrase" for number in range(1, count + 1)]


def _progress(text: str) -> None:
    click.echo(text, err=True)


def read_passphrases(count: int, *, new: bool) -> list[str]:
    """`count` passphrases: hidden prompts on a terminal, else one per line of stdin.

    `new`: for sealing, so each is typed twice on a terminal and must be long enough.
    """
    from kiosk.services.results import MIN_PASSPHRASE_CHARS

    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        lines = []
        for label in _labels(count):
            line = stdin.readline() if stdin is not None else ""
            if not line:
                fail(
                    f"expected {count} passphrase line(s) on stdin, one per keyholder; "
                    f"stdin ended before: {label}"
                )
            lines.append(line.rstrip("\r\n"))
        return lines
    passphrases: list[str] = []
    for label in _labels(count):
        while True:
            value: str = click.prompt(
                label, hide_input=True, confirmation_prompt=new, err=True, type=str
            )
            if new and len(value) < MIN_PASSPHRASE_CHARS:
                click.echo(f"Too short: use at least {MIN_PASSPHRASE_CHARS} characters.", err=True)
                continue
            if new and value in passphrases:
                click.echo("The two keyholders' passphrases must be different.", err=True)
                continue
            break
        passphrases.append(value)
    return passphrases


def _results() -> None:
    """The jury's results: seal them before the night, check the seal without opening it."""


results_group: click.Group = click.group(name="results")(_results)


@results_group.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--two-keyholders",
    is_flag=True,
    help="Ask two passphrases; both are needed to open the results.",
)
@click.option("--replace", is_flag=True, help="Replace results that are already sealed.")
@click.option(
    "--delete-plain",
    is_flag=True,
    help="After sealing and a check that the seal opens, overwrite and delete FILE.",
)
@click.option(
    "--kdf-n",
    type=int,
    default=None,
    envvar=KDF_N_ENV,
    hidden=True,
    help="scrypt cost n, a power of two (tests only: lower than the default is weaker).",
)
@click.pass_context
def seal(
    ctx: click.Context,
    file: Path,
    two_keyholders: bool,
    replace: bool,
    delete_plain: bool,
    kdf_n: int | None,
) -> None:
    """Check the jury's results FILE against the programme and seal it into the event.

    FILE is TOML, one [[results]] table per award (see docs/operator/before.md, "Sealing the
    jury's results").
    The passphrase(s) are asked with hidden input; keep them away from the event folder.
    """
    from kiosk.services.open_event import OpenEvent
    from kiosk.services.results import check_new_passphrases, destroy_plain_file
    from kiosk.store.sealed_results import DEFAULT_KDF_N

    folder = folder_of(ctx)
    try:
        folder.require()
        # Not while the console runs the event (mid-reveal!): taken before any passphrase.
        with folder.event_lock("results seal"):
            results = OpenEvent.open(folder).sealed_results()
            if not replace:
                results.refuse_to_overwrite()  # before asking anyone to type a passphrase
            passphrases = read_passphrases(2 if two_keyholders else 1, new=True)
            check_new_passphrases(passphrases)
            summary = results.seal_results(
                file,
                passphrases,
                replace=replace,
                kdf_n=kdf_n or DEFAULT_KDF_N,
                progress=_progress,
            )
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    holders = f"{summary.keyholders} keyholder{'s' if summary.keyholders > 1 else ''}"
    sealed = (
        f"Sealed {len(summary.categories)} result{'s' if len(summary.categories) != 1 else ''} "
        f"({', '.join(summary.categories)}) for {holders} into {summary.path}"
    )
    fingerprint_line = (
        f"Fingerprint: {summary.short_fingerprint} (keyholders: write it down; "
        f"`results verify` must show the same)"
    )
    if not delete_plain:
        click.echo(f"{sealed}; you can now delete {file}")
        click.echo(fingerprint_line)
        return
    click.echo(f"{sealed}.")
    click.echo(fingerprint_line)
    try:
        report = results.verify_seal(passphrases, progress=_progress)
    except (StoreError, ConfigError) as exc:
        fail(f"the seal could not be checked, so {file} was kept: {exc}")
    if not report.ok:
        for problem in report.problems:
            click.echo(f"error: {problem}", err=True)
        fail(f"the new seal did not check out, so {file} was kept")
    try:
        destroy_plain_file(file)
    except OSError as exc:
        fail(f"sealed and checked, but {file} could not be deleted: {exc.strerror}")
    click.echo(f"Checked that the seal opens, then overwrote and deleted {file}.")


@results_group.command()
@click.option(
    "--open",
    "open_",
    is_flag=True,
    help="Also ask the passphrase(s), open the seal and check it against the programme.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@click.pass_context
def verify(ctx: click.Context, open_: bool, as_json: bool) -> None:
    """Check the sealed results without revealing them; exit 1 if anything is wrong.

    Checks that the seal is the file recorded at sealing (not edited or replaced), that its
    awards are the event's, and that the programme has not changed since; with --open, that the
    passphrase(s) open it and every film it names is still in the programme.
    """
    from kiosk.services.open_event import OpenEvent

    folder = folder_of(ctx)
    try:
        folder.require()
        sealed = OpenEvent.open(folder).sealed_results()
        report = sealed.verify_seal()
        if open_ and report.intact:  # a missing or changed seal is not worth a passphrase
            passphrases = read_passphrases(report.keyholders, new=False)
            report = sealed.verify_seal(passphrases, progress=None if as_json else _progress)
    except (StoreError, ConfigError) as exc:
        if as_json:
            from kiosk.services.results import VerifyReport as Report

            report = Report(folder.sealed_results_path, problems=[str(exc)])
            emit_json(report.to_json())
        fail(str(exc))
    if as_json:
        emit_json(report.to_json())
    else:
        _print_report(report, folder.load_config().zone)
    sys.exit(0 if report.ok else 1)


def _print_report(report: VerifyReport, zone: dt.tzinfo) -> None:
    if report.sealed:
        holders = f"{report.keyholders} keyholder{'s' if report.keyholders > 1 else ''}"
        when = local_stamp(report.sealed_at, zone) if report.sealed_at else "at an unknown time"
        click.echo(
            f"{report.path}: {len(report.categories)} sealed result(s) "
            f"({', '.join(report.categories)}), sealed {when}, for {holders}"
        )
    if report.intact:
        click.echo(
            f"  ok  the file is exactly as sealed: fingerprint {report.fingerprint} "
            f"(compare with the one the keyholders wrote down)"
        )
        if report.replaced:
            click.echo(
                f"  --  this seal REPLACED an earlier one, at "
                f"{local_stamp(report.replaced_at or '', zone) if report.replaced_at else '?'} "
                f"(sealed {report.times_sealed} times in all)"
            )
    elif report.fingerprint:
        click.echo(f"  --  this file's fingerprint is {report.fingerprint}")
    if report.sealed and not report.programme_changed:
        click.echo("  ok  the programme is the same as when the results were sealed")
    elif report.programme_changed and report.opened:
        click.echo("  --  the programme has changed since sealing (checked below)")
    if report.opened:
        if report.ok:
            click.echo("  ok  opened; every film the results name is in the programme")
        else:
            click.echo("  --  opened; see the problems below")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)
    if report.ok:
        click.echo("Seal OK." if report.opened else "Seal OK (not opened).")
    else:
        count = len(report.problems)
        click.echo(f"Seal NOT OK: {count} problem{'s' if count > 1 else ''}.", err=True)
