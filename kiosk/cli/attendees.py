"""Command line for registrations and tickets: `attendees import|list|revoke|reissue`, `tickets`.

Registered on the main `cli` group by the kiosk.cli package. Exit status 1 when the action found a
problem (a bad export, an unknown code), 2 for a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kiosk.cli.common import ProgressLine, emit_json, fail, folder_of
from kiosk.core import glossary
from kiosk.core.problems import ConfigError
from kiosk.core.registrations import RegistrationFileError, parse_mapping_options
from kiosk.core.tickets import TicketCodec
from kiosk.core.vote import display_vote_code, vote_code
from kiosk.services.registrations import (
    ImportPreview,
    ImportRefusedError,
    ImportResult,
    apply_preview,
    check_source_name,
    preview_import,
)
from kiosk.store.attendees import DEFAULT_SOURCE, AttendeeRecord, AttendeeRepository, TicketRecord
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder

_ROW_ERRORS_SHOWN = 200


def _repository(folder: EventFolder) -> AttendeeRepository:
    folder.require()
    return AttendeeRepository(folder.open_db(), TicketCodec(folder.secret_key()))


def _attendees() -> None:
    """Registrations: import an export, list attendees, revoke or reissue tickets."""


attendees = click.group(name="attendees")(_attendees)


@attendees.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a column the importer does not recognise (fields: name, first_name, last_name, "
    "name_latin, email, status, external_id, phone, registered_at, ignore). Repeatable.",
)
@click.option(
    "--encoding",
    metavar="CODEC",
    help="The file's text encoding (e.g. utf-8, big5hkscs, gb18030), when the guess is wrong: "
    "a file whose only Chinese is a short name can be read as the wrong one.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--source",
    "source",
    default=DEFAULT_SOURCE,
    show_default=True,
    metavar="NAME",
    help="The registration source this export comes from (e.g. eventbrite, guests): people are "
    "matched, added and marked gone only within it, so another source's export never marks "
    "them gone.",
)
@click.option(
    "--allow-many-gone",
    is_flag=True,
    help="Import even an export that names nobody or leaves out more than 10% (and more than "
    "5) of the registered attendees, marking them gone.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@click.pass_context
def import_(
    ctx: click.Context,
    file: Path,
    maps: tuple[str, ...],
    encoding: str | None,
    dry_run: bool,
    source: str,
    allow_many_gone: bool,
    as_json: bool,
) -> None:
    """Import a registration export (Eventbrite, pretix, Google Forms, plain CSV).

    All or nothing: a file with any bad row changes nothing and every bad row is listed.
    Importing again is safe: people already there keep their ticket codes, new people get
    tickets, people no longer in the export are reported and marked gone (never deleted).
    """
    folder = folder_of(ctx)
    result: ImportResult | None = None
    try:
        source = check_source_name(source)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--source") from None
    try:
        mapping = parse_mapping_options(maps)
        folder.require()
        codec = TicketCodec(folder.secret_key())
        db = folder.open_db()
        if dry_run:
            preview = preview_import(db, codec, file, mapping, encoding=encoding, source=source)
        else:
            with folder.event_lock("attendees import"):  # not while the console runs it
                preview = preview_import(db, codec, file, mapping, encoding=encoding, source=source)
                if preview.can_import:
                    result = apply_preview(db, codec, preview, allow_many_gone=allow_many_gone)
    except (RegistrationFileError, StoreError, ConfigError) as exc:
        if as_json:
            emit_json({"ok": False, "imported": False, "error": str(exc)})
        fail(str(exc))
    if not preview.can_import:
        refusal = ImportRefusedError(file, preview.export.errors)
        if as_json:
            emit_json({**preview.to_json(), "ok": False, "imported": False, "error": str(refusal)})
        else:
            _print_preview(preview, dry_run=True)
            for error in refusal.errors[:_ROW_ERRORS_SHOWN]:
                click.echo(f"  {error}", err=True)
            if len(refusal.errors) > _ROW_ERRORS_SHOWN:
                click.echo(f"  … and {len(refusal.errors) - _ROW_ERRORS_SHOWN} more", err=True)
        fail(str(refusal))
    if result is None:  # dry run
        if as_json:
            emit_json({**preview.to_json(), "ok": True, "imported": False})
        else:
            _print_preview(preview, dry_run=True)
        return
    if as_json:
        emit_json(result.to_json())
        return
    _print_preview(preview, dry_run=False)
    applied = result.applied
    click.echo(
        f"Imported: {len(applied.new_ids)} new, {len(applied.updated_ids)} updated, "
        f"{len(applied.unchanged_ids)} unchanged; {applied.tickets_issued} ticket(s) issued."
    )
    if applied.gone_ids:
        click.echo(f"{len(applied.gone_ids)} attendee(s) marked gone (kept, tickets unchanged).")


def _print_preview(preview: ImportPreview, *, dry_run: bool) -> None:
    export = preview.export
    delimiter = "TAB" if export.delimiter == "\t" else export.delimiter
    click.echo(
        f"{preview.path.name}: {export.format} export, {export.encoding}, delimiter "
        f"'{delimiter}', header on row {export.header_row}; source '{preview.source}'"
    )
    mapping = ", ".join(f"{header} → {field}" for header, field in export.column_mapping.items())
    click.echo(f"Columns: {mapping}")
    counts = preview.counts()
    verb = "would be" if dry_run else "are"
    click.echo(
        f"{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged "
        f"{verb} imported; {counts['not_attending']} not attending (no ticket), "
        f"{counts['duplicates_merged']} duplicate row(s) merged, {counts['errors']} bad row(s)."
    )
    if preview.plan.missing:
        click.echo(f"{len(preview.plan.missing)} attendee(s) are no longer in this export:")
        for attendee in preview.plan.missing[:50]:
            click.echo(f"  #{attendee.attendee_id} {attendee.name} <{attendee.email or ''}>")
        if len(preview.plan.missing) > 50:
            click.echo(f"  … and {len(preview.plan.missing) - 50} more")


@attendees.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of attendees.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List attendees with their current ticket code and status."""
    try:
        rows = _repository(folder_of(ctx)).all()
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    if as_json:
        key = folder_of(ctx).secret_key()
        emit_json([{**row.to_json(), "vote_code": _vote_code(key, row.code)} for row in rows])
        return
    for row in rows:
        click.echo(_describe(row))
    registered = sum(1 for row in rows if row.counts_as_registered)
    walk_ins = sum(1 for row in rows if row.is_walk_in and row.status == "registered")
    checked_in = sum(1 for row in rows if row.checked_in)
    click.echo(
        f"{len(rows)} attendees: {registered} {glossary.REGISTERED.en_plural}, "
        f"{glossary.WALK_IN.count(walk_ins)}, {checked_in} {glossary.CHECKED_IN.en.lower()}."
    )


def _vote_code(key: bytes, ticket_code: str | None) -> str | None:
    """The Viewer's Award vote code printed on the ticket (None without a valid ticket)."""
    return display_vote_code(vote_code(key, ticket_code)) if ticket_code else None


def _describe(row: AttendeeRecord) -> str:
    latin = f" ({row.name_latin})" if row.name_latin else ""
    flags = [row.status] + (["checked in"] if row.checked_in else [])
    return (
        f"{row.id:>5}  {row.code or '(no valid ticket)':<27}  {row.name}{latin} "
        f"<{row.email or ''}>  [{', '.join(flags)}]"
    )


def _ticket_json(ticket: TicketRecord) -> dict[str, object]:
    return {
        "code": ticket.code,
        "attendee_id": ticket.attendee_id,
        "issue_number": ticket.issue_number,
        "issued_at": ticket.issued_at,
        "revoked_at": ticket.revoked_at,
        "revoked_reason": ticket.revoked_reason,
    }


@attendees.command()
@click.argument("code_or_id")
@click.option("--reason", help="Why (kept in the journal and shown at the door).")
@click.option("--json", "as_json", is_flag=True, help="Print the revoked ticket as JSON.")
@click.pass_context
def revoke(ctx: click.Context, code_or_id: str, reason: str | None, as_json: bool) -> None:
    """Revoke an attendee's ticket (by ticket code or attendee number); no new one is issued."""
    try:
        ticket = _repository(folder_of(ctx)).revoke(code_or_id, reason)
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    if as_json:
        emit_json(_ticket_json(ticket))
    else:
        click.echo(f"Revoked {ticket.code} (attendee {ticket.attendee_id}).")


@attendees.command()
@click.argument("code_or_id")
@click.option("--reason", help="Why (kept in the journal).")
@click.option("--json", "as_json", is_flag=True, help="Print the new ticket as JSON.")
@click.pass_context
def reissue(ctx: click.Context, code_or_id: str, reason: str | None, as_json: bool) -> None:
    """Give an attendee a new ticket code; the old one is refused as revoked at the door."""
    try:
        repository = _repository(folder_of(ctx))
        ticket = repository.reissue(code_or_id, reason)
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    if as_json:
        emit_json(_ticket_json(ticket))
    else:
        click.echo(f"Attendee {ticket.attendee_id} now has ticket {ticket.code}.")
        click.echo("Render it again with: python main.py tickets --png DIR (or --pdf FILE).")


@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path), help="Write an A4 PDF.")
@click.option(
    "--png", "png_dir", type=click.Path(file_okay=False, path_type=Path), help="Write PNGs here."
)
@click.option(
    "--per-page",
    type=click.Choice(["1", "4"]),
    default="4",
    show_default=True,
    help="Tickets per A4 page (4: with cut marks).",
)
@click.option("--include-gone", is_flag=True, help="Also attendees no longer in the export.")
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes for large runs (default: one per CPU, at most 4; 0: none).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@click.pass_context
def _tickets(
    ctx: click.Context,
    pdf: Path | None,
    png_dir: Path | None,
    per_page: str,
    include_gone: bool,
    workers: int | None,
    as_json: bool,
) -> None:
    """Render every valid ticket: a printable PDF and/or one PNG per attendee for e-mail.

    With --png, also writes mail-merge.csv (name, e-mail, code, PNG file) in that folder.
    """
    from kiosk.services.tickets import render_tickets, ticket_jobs

    if pdf is None and png_dir is None:
        fail("say where the tickets go: --pdf FILE and/or --png DIR", code=2)
    folder = folder_of(ctx)
    try:
        folder.require()
        jobs = ticket_jobs(folder, png_dir, include_gone=include_gone)
        if not jobs:
            fail("no attendee has a valid ticket yet: import registrations first")
        config = folder.load_config()
        summary = render_tickets(
            jobs,
            pdf=pdf,
            per_page=int(per_page),
            title=f"{config.name_en} — tickets",
            workers=workers,
            progress=ProgressLine("Tickets       "),
        )
    except (StoreError, ConfigError, OSError) as exc:
        fail(str(exc))
    if as_json:
        emit_json(
            {
                "count": summary.count,
                "pdf": str(summary.pdf) if summary.pdf else None,
                "png_dir": str(summary.png_dir) if summary.png_dir else None,
                "mail_merge": str(summary.mail_merge) if summary.mail_merge else None,
                "qr_versions": list(summary.qr_versions),
                "seconds": round(summary.seconds, 2),
                "workers": summary.workers,
            }
        )
        return
    made = []
    if summary.pdf:
        made.append(f"PDF {summary.pdf}")
    if summary.png_dir:
        made.append(f"PNGs in {summary.png_dir} (mail merge: {summary.mail_merge})")
    click.echo(
        f"{summary.count} tickets rendered in {summary.seconds:.1f} s "
        f"(QR version {', '.join(map(str, summary.qr_versions))}): {'; '.join(made)}"
    )
    sys.stdout.flush()


tickets: click.Command = click.command(name="tickets")(_tickets)
