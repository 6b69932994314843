"""The command-line contract (docs/dev/cli-contract.md): one module per command group.

`root` holds the top-level group; each other module defines its commands on its own and shares
`common`; this package's root only assembles them, so no module imports back from here.
"""

from __future__ import annotations

from kiosk.allocator import bound_malloc
from kiosk.cli.attendees import attendees, tickets
from kiosk.cli.check import check
from kiosk.cli.doors import checkin, doors
from kiosk.cli.programme import programme_group
from kiosk.cli.report import report
from kiosk.cli.results import results_group
from kiosk.cli.root import cli
from kiosk.cli.show import rehearse
from kiosk.cli.stage import stage_preview
from kiosk.cli.stations import join, serve, stations_group
from kiosk.cli.vote import vote_group

for command in (
    attendees,
    tickets,
    checkin,
    doors,
    rehearse,
    stage_preview,
    results_group,
    vote_group,
):
    cli.add_command(command)
cli.add_command(report)  # the show report (issue 15)
cli.add_command(check)  # the booth checklist (issue 20)
cli.add_command(programme_group)  # the run sheet (issue 27)
for command in (serve, stations_group, join):
    cli.add_command(command)

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point for `python main.py`, `python -m kiosk` and `aiff-kiosk`."""
    malloc = bound_malloc()  # first: before any thread allocates (see kiosk.allocator)
    cli(prog_name="main.py", obj={"malloc": malloc})
