"""`python main.py stage-preview`: put the projector cards on a screen to look at them."""

from __future__ import annotations

import logging
import signal
import sys
from typing import TYPE_CHECKING

import click

from kiosk.cli.common import fail, folder_of
from kiosk.core.event import EventConfig
from kiosk.core.problems import ConfigError
from kiosk.core.programme import Intermission, Programme
from kiosk.store.event_folder import EventFolder

if TYPE_CHECKING:
    from kiosk.render.cards import Card

log = logging.getLogger(__name__)

CARD_NAMES = ("holding", "title", "intermission", "end", "vote")


@click.command("stage-preview")
@click.option("--screen", "screen_name", help="Screen to use (default: the non-primary one).")
@click.option(
    "--card",
    type=click.Choice(CARD_NAMES),
    help="Show only this card (default: all of them in turn).",
)
@click.option(
    "--seconds",
    type=click.FloatRange(min=0.5),
    help="Show each card this long, then exit (default: 6 s each, until Ctrl+C).",
)
@click.pass_context
def stage_preview(
    ctx: click.Context, screen_name: str | None, card: str | None, seconds: float | None
) -> None:
    """Show the projector cards fullscreen on the projector screen (no film plays)."""
    folder = folder_of(ctx)
    if not folder.exists():
        fail(f"no event at {folder.root}; build one with `python main.py demo`")
    try:
        config = folder.load_config()
        programme = folder.load_programme(config)
    except ConfigError as exc:
        fail("the event cannot be opened:\n" + "\n".join(map(str, exc.problems)))

    from PySide6.QtCore import QTimer

    from kiosk.ui.app import make_show_application, place_stage
    from kiosk.ui.stage.screens import screen_names
    from kiosk.ui.stage.window import StageWindow

    app = make_show_application()
    names = screen_names()
    if screen_name and screen_name not in names:
        click.echo(f"No screen named {screen_name!r} (screens: {', '.join(names)}).", err=True)
        screen_name = None
    cards = _preview_cards(folder, config, programme)
    order = [card] if card else list(CARD_NAMES)
    stage = StageWindow(config, programme, screen_name)
    place_stage(stage, screen_name)  # where the night puts it: fullscreen on the projector
    click.echo(f"Stage on screen {stage.screen_name()!r} (screens: {', '.join(names)}).")
    click.echo("Ctrl+C to stop." if seconds is None else f"{seconds:g} s per card.")

    step = {"index": 0}

    def show_next() -> None:
        if step["index"] >= len(order):
            if seconds is not None:
                app.quit()
                return
            step["index"] = 0
        name = order[step["index"]]
        step["index"] += 1
        stage.show_card(cards[name])
        click.echo(f"  {name}")

    show_next()
    timer = QTimer()
    timer.timeout.connect(show_next)
    if seconds is not None or len(order) > 1:
        timer.start(round((seconds or 6.0) * 1000))
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer()  # lets Python see Ctrl+C while Qt runs its loop
    wake.timeout.connect(lambda: None)
    wake.start(200)
    status = app.exec()
    stage.close()
    sys.exit(status)


def _preview_cards(
    folder: EventFolder, config: EventConfig, programme: Programme
) -> dict[str, Card]:
    """One of each projector card, filled in from the event as the night would show it."""
    from kiosk.render.cards import EndCard, HoldingCard, IntermissionCard, TitleCard
    from kiosk.render.vote_card import VoteCard
    from kiosk.services.vote_address import vote_urls

    intermission = programme.intermission or Intermission(programme.films[-1].id, 15)
    return {
        "holding": HoldingCard(config, programme),
        "title": TitleCard.for_film(programme.films[0], programme),
        "intermission": IntermissionCard.counting(intermission, intermission.minutes * 60),
        "end": EndCard(config),
        "vote": VoteCard.counting(config, vote_urls(folder)[0], config.vote.minutes * 60),
    }
