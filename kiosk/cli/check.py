"""`python main.py check [--json]`: the booth checklist, before the doors open."""

from __future__ import annotations

import functools
import sys

import click

from kiosk.cli.common import emit_json, fail, folder_of
from kiosk.core.booth_check import CheckState

_MARKS = {
    CheckState.GREEN: ("OK  ", "green"),
    CheckState.AMBER: ("LOOK", "yellow"),
    CheckState.RED: ("FIX ", "red"),
}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checklist as one JSON object.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """The booth checklist: projector, sound, disk, films, seal, vote key, server, clock.

    Exit status 1 if any line is red. The sound line reports whether the chosen output is
    there; the test tone is played from the console's checklist (key K).
    """
    from kiosk.services.booth_checklist import check_event
    from kiosk.services.open_event import OpenEvent

    folder = folder_of(ctx)
    if not folder.exists():
        fail(f"No event at {folder.root}; pass --event DIR (or build the demo).")
    checklist = check_event(folder, functools.cache(lambda: OpenEvent.open(folder)))
    if as_json:
        emit_json(checklist.as_json())
    else:
        for entry in checklist.lines:
            mark, colour = _MARKS[entry.state]
            click.echo(
                f"{click.style(mark, fg=colour, bold=True)} {entry.title_en} · {entry.title_zh}: "
                f"{entry.detail_en}"
            )
            click.echo(f"       {entry.detail_zh}")
            if entry.fix:
                click.echo(f"       → {entry.fix}")
        verdict = "Ready for the doors." if checklist.ok else "Fix the red lines first."
        click.echo(click.style(verdict, fg="green" if checklist.ok else "red", bold=True))
    sys.exit(0 if checklist.ok else 1)
