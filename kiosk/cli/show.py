"""`python main.py rehearse`: the whole programme, unattended, fullscreen on the projector.

A rehearsal is a real show with GO pressed by itself: the same machine, players and stage, and
the journal is written as on the night. Given FILEs it plays them in that order as an ad-hoc
programme (in the event's database when there is an event, else in a temporary one): each file
plays at the gain preflight measured for that very file (found by its content, whatever its
name or film id), and with the `.srt` of the same name beside it, if there is one.

Unattended, a film that fails on the projector is skipped after a second; a film that fails
while it is only being preloaded is left to its own turn (the show loads it again then).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from kiosk.cli.common import fail, folder_of
from kiosk.core.clock import DEFAULT_TIMEZONE, now_in, zone_named
from kiosk.core.event import EventConfig
from kiosk.core.problems import ConfigError
from kiosk.core.programme import DEFAULT_BLOCK_ID, Block, Film, Programme
from kiosk.core.show import ShowOptions
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder

log = logging.getLogger(__name__)

DEFAULT_HOLD_S = ShowOptions.auto_hold_s  # the holding slide before the first film
END_HOLD_S = 1.5  # with --exit-at-end, the End card stays this long before the app quits


def _seconds_of(path: Path) -> int:
    """The file's duration by ffprobe (0 if it cannot tell: the player will know)."""
    try:
        from kiosk.media.probe import require_tools

        ffprobe, _ = require_tools()
        result = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return round(float(json.loads(result.stdout)["format"]["duration"]))
    except (OSError, ValueError, KeyError, RuntimeError, subprocess.SubprocessError):
        return 0


def _subtitles_beside(path: Path) -> Path | None:
    """`film.srt` beside `film.mp4` (any case of the suffix), if there is one."""
    for suffix in (".srt", ".SRT"):
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate.resolve()
    return None


def adhoc_programme(files: Sequence[Path]) -> Programme:
    """A programme of `files` in the given order, titled by their file names."""
    films = tuple(
        Film(
            id=f"R{number:02d}",
            position=number,
            title_en=path.stem,
            title_zh=path.stem,
            director="—",
            country="—",
            year=dt.date.today().year,
            file=path.resolve(),
            declared_runtime_s=_seconds_of(path),
            block=DEFAULT_BLOCK_ID,
            subtitles=_subtitles_beside(path),
        )
        for number, path in enumerate(files, start=1)
    )
    return Programme(
        source=Path.cwd() / "rehearsal.toml",
        name_en="Rehearsal",
        name_zh="排練",
        films=films,
        blocks=(Block(DEFAULT_BLOCK_ID, "Rehearsal", "排練"),),
    )


def adhoc_event(root: Path, programme: Programme) -> EventConfig:
    """An event for a rehearsal without one: today, starting now (on the default event clock)."""
    now = now_in(zone_named(DEFAULT_TIMEZONE)).replace(tzinfo=None)
    end = now + dt.timedelta(seconds=programme.declared_runtime_s + 600)
    return EventConfig(
        source=root / "event.toml",
        name_en="Rehearsal",
        name_zh="排練",
        date=now.date(),
        start=now.time().replace(microsecond=0),
        end=end.time().replace(microsecond=0),
        venue_en="Rehearsal",
        venue_zh="排練",
        capacity=0,
        programme_file=programme.source,
        title_card_seconds=5.0,
    )


@contextlib.contextmanager
def _rehearsal_event(
    folder: EventFolder, files: Sequence[Path]
) -> Iterator[tuple[EventConfig, Programme, Path]]:
    """(event, programme, db path) for the rehearsal, holding the event's lock if there is one."""
    if folder.exists():
        with folder.event_lock("rehearse"):
            config = folder.load_config()
            programme = adhoc_programme(files) if files else folder.load_programme(config)
            yield config, programme, folder.db_path
        return
    if not files:
        raise StoreError(
            f"No event at {folder.root}: pass --event DIR, give FILEs to play, "
            "or build the demo with `python main.py demo`"
        )
    with tempfile.TemporaryDirectory(prefix="kiosk-rehearsal-") as tmp:
        programme = adhoc_programme(files)
        yield adhoc_event(Path(tmp), programme), programme, Path(tmp) / "event.db"


@click.command()
@click.option("--straight-cut", is_flag=True, help="Films back to back: no cards, no break.")
@click.option("--exit-at-end", is_flag=True, help="Quit when the last film has played.")
@click.option("--screen", "screen_name", help="The projector's screen name (default: not primary).")
@click.option(
    "--hold",
    "hold_s",
    type=click.FloatRange(min=0),
    default=DEFAULT_HOLD_S,
    show_default=True,
    metavar="SECONDS",
    help="How long the holding slide stays before the first film.",
)
@click.option(
    "--end-hold",
    "end_hold_s",
    type=click.FloatRange(min=0),
    default=END_HOLD_S,
    show_default=True,
    metavar="SECONDS",
    help="With --exit-at-end: how long the End card stays before the app quits.",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def rehearse(
    ctx: click.Context,
    straight_cut: bool,
    exit_at_end: bool,
    screen_name: str | None,
    hold_s: float,
    end_hold_s: float,
    files: tuple[Path, ...],
) -> None:
    """Run the whole programme unattended (auto GO), fullscreen on the projector screen.

    Given FILEs, play them in that order as an ad-hoc programme. Ctrl+C stops the rehearsal.
    """
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    folder = folder_of(ctx)
    try:
        with _rehearsal_event(folder, files) as (config, programme, db_path):
            if not programme.films:
                fail("the programme has no films")
            options = dataclasses.replace(
                ShowOptions.from_event(config, straight_cut=straight_cut, auto=True),
                auto_hold_s=hold_s,
            )
            quit_after_s = end_hold_s if exit_at_end else None
            code = _run(config, programme, db_path, options, quit_after_s, screen_name, bool(files))
            sys.exit(code)
    except (StoreError, ConfigError) as exc:
        fail(str(exc))


def _run(
    config: EventConfig,
    programme: Programme,
    db_path: Path,
    options: ShowOptions,
    quit_after_s: float | None,
    screen_name: str | None,
    adhoc: bool = False,
) -> int:
    started = time.monotonic()
    from PySide6.QtCore import QTimer

    from kiosk.night import open_night
    from kiosk.night.show import ShowController
    from kiosk.store.database import open_database
    from kiosk.ui.app import headless, make_show_application, show_instance
    from kiosk.ui.common.application import exec_kept_awake
    from kiosk.ui.stage.window import StageWindow

    app = make_show_application()
    stage = StageWindow(config, programme, screen_name)
    # the night journals that the rehearsal starts over, then runs the show on its projector
    night = open_night(
        config,
        programme,
        open_database(db_path),
        stage,
        show_instance(),
        options=options,
        bind_surfaces=not headless(),
        by_identity=adhoc,
    )
    if headless():
        stage.resize(960, 540)
        stage.show()
    else:
        stage.start()  # fullscreen on the projector (the screen named, or not the primary)
    last_key = ""

    def report() -> None:
        nonlocal last_key
        if night.show is None:
            return
        cue = night.show.machine.cue
        if cue.key != last_key:
            last_key = cue.key
            click.echo(f"{time.monotonic() - started:7.2f}s  {cue.label}", err=True)

    def failed_on_screen(film_id: str) -> bool:
        if night.show is None:
            return False
        alert = night.show.snapshot().alert  # a failed preload of the next film raises none
        return alert is not None and alert.film_id == film_id

    def skip_if_still_failed(film_id: str) -> None:
        if night.show is not None and failed_on_screen(film_id):
            night.show.skip()

    def failed(film_id: str, reason: str) -> None:
        if not failed_on_screen(film_id):  # the next film, while preloading
            click.echo(
                f"film {film_id} could not be preloaded: {reason} — tried again at its turn",
                err=True,
            )
            return
        click.echo(f"film {film_id} failed: {reason} — skipping it", err=True)
        # unattended: the show goes on (only past the failed film, never the one after it)
        QTimer.singleShot(1000, lambda: skip_if_still_failed(film_id))

    def wire(show: ShowController) -> None:
        show.changed.connect(report)
        show.failed.connect(failed)
        if quit_after_s is not None:  # --exit-at-end: the End card, then quit
            show.ended.connect(lambda: QTimer.singleShot(round(quit_after_s * 1000), app.quit))

    night.show_replaced.connect(wire)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())
    wake = QTimer()  # lets Python run its signal handlers while Qt waits
    wake.start(200)
    wake.timeout.connect(lambda: None)
    QTimer.singleShot(0, lambda: night.start_over(by="rehearse"))
    click.echo(
        f"Rehearsing {len(programme)} film(s){' straight cut' if options.straight_cut else ''}; "
        "Ctrl+C stops.",
        err=True,
    )
    try:
        exec_kept_awake(app, "A rehearsal is running on the projector")
    finally:
        show = night.show
        night.close()
    if show is None:
        click.echo("Rehearsal over before it started.", err=True)
        return 1
    snap = show.snapshot()
    played = sum(1 for _, status in snap.films if status.value == "played")
    click.echo(f"Rehearsal over: {played}/{len(programme)} films played.", err=True)
    return 0 if played == len(programme) else 1
