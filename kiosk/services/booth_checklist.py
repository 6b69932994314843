"""The booth checklist, gathered: an ordered list of line providers, each one fact of the night.

A provider is a named callable returning one `CheckLine`; `gather` runs them in order and turns
any that raises into a red line saying so, so one broken check never hides the others. The
order is the checklist's (`check` in docs/dev/cli-contract.md): session and video path,
projector, audio output, idle/sleep inhibited, power, notifications, disk, films, seal, vote
key, server, clock. The desktop lines (`session`, `inhibit`, `power`, `notifications`) come
from `kiosk.desktop.checks`.

Gathering blocks (it runs xrandr, pactl, timedatectl, reads the database, fingerprints the
films and connects to the server): the CLI calls it directly, the console on a worker thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlite_utils

from kiosk.core.booth_check import CheckLine, CheckState
from kiosk.core.booth_lines import (
    Endpoint,
    FilmState,
    ToneResult,
    failed_line,
    judge_audio,
    judge_clock,
    judge_disk,
    judge_films,
    judge_projector,
    judge_seal,
    judge_server,
    judge_vote_key,
)
from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.desktop.checks import inhibit_check, notifications_check, power_check, session_check
from kiosk.desktop.inhibit import InhibitStatus, probe_inhibitors
from kiosk.desktop.notifications import notifications_quiet
from kiosk.desktop.power import read_power
from kiosk.services.film_media import FilmMedia
from kiosk.services.results import SealedResults
from kiosk.services.system_facts import clock_synchronised, display_monitors, sound_outputs
from kiosk.store.ballot_crypto import VoteKeyError, read_vote_key, salts_digest
from kiosk.store.console_settings import read_console_settings
from kiosk.store.event_folder import EventFolder
from kiosk.store.film_checks import FilmCheckRepository
from kiosk.store.sealed_results import SealError, read_seal
from kiosk.store.server_identity import lan_address
from kiosk.store.stations import StationRegistry

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 1.0


class BoothEvent(Protocol):
    """What the checklist reads of the event, as its one opening holds it (an
    :class:`~kiosk.services.open_event.OpenEvent`): never the folder's files again."""

    @property
    def config(self) -> EventConfig:
        """event.toml, read once."""
        ...

    @property
    def programme(self) -> Programme:
        """The programme, read once."""
        ...

    def connect(self) -> sqlite_utils.Database:
        """A connection for the calling thread (its caller closes it)."""
        ...

    def sealed_results(self) -> SealedResults:
        """The jury's sealed results."""
        ...


@dataclass(frozen=True)
class Provider:
    """One line of the checklist: its id (for a red line if it fails) and how to gather it."""

    line_id: str
    gather: Callable[[], CheckLine]


@dataclass(frozen=True)
class Checklist:
    """The lines in checklist order; `ok` unless one is red."""

    lines: tuple[CheckLine, ...]

    @property
    def ok(self) -> bool:
        """Nothing red (amber lines are worth a look but do not stop the night)."""
        return all(entry.state is not CheckState.RED for entry in self.lines)

    def as_json(self) -> dict[str, object]:
        """The `check --json` object."""
        return {"ok": self.ok, "checks": [entry.as_json() for entry in self.lines]}


def gather(providers: Sequence[Provider]) -> Checklist:
    """Run every provider in order; a provider that raises gives a red line, not an error."""
    lines = []
    for provider in providers:
        try:
            found = provider.gather()
        except Exception as exc:  # one broken check must not hide the others
            log.warning("checklist line %s failed", provider.line_id, exc_info=True)
            found = failed_line(provider.line_id, str(exc) or type(exc).__name__)
        lines.append(found)
    log.info(
        "booth checklist: %s",
        ", ".join(f"{entry.id}={entry.state.value}" for entry in lines),
    )
    return Checklist(tuple(lines))


ToneSource = Callable[[], ToneResult | None]


def booth_providers(
    folder: EventFolder,
    event: Callable[[], BoothEvent],
    tone: ToneSource | None = None,
    inhibit: Callable[[], InhibitStatus] | None = None,
) -> list[Provider]:
    """The checklist's lines for the event in `folder`, in order.

    `event`: the opened event, for the lines that read it (films, seal, vote key, server, clock).
    `tone`: the console's test-tone result (the command line has none: it reports presence).
    `inhibit`: what the console holds against idle and sleep (the command line, run before the
    console is open, tries to hold them and gives them back).
    """
    environ = dict(os.environ)
    return [
        Provider("session", lambda: session_check(environ)),
        Provider("projector", lambda: projector_line(folder)),
        Provider("audio", lambda: audio_line(folder, tone() if tone else None)),
        Provider(
            "inhibit", lambda: inhibit_check(inhibit() if inhibit else probe_inhibitors(environ))
        ),
        Provider("power", lambda: power_check(read_power())),
        Provider("notifications", lambda: notifications_check(notifications_quiet(environ))),
        Provider("disk", lambda: disk_line(folder)),
        Provider("films", lambda: films_line(event())),
        Provider("seal", lambda: seal_line(event().sealed_results())),
        Provider("vote_key", lambda: vote_key_line(folder.root, event().sealed_results())),
        Provider("server", lambda: server_line(event())),
        Provider("clock", lambda: clock_line(event().config)),
    ]


def check_event(
    folder: EventFolder,
    event: Callable[[], BoothEvent],
    tone: ToneSource | None = None,
    inhibit: Callable[[], InhibitStatus] | None = None,
) -> Checklist:
    """The whole checklist for `folder` (blocks: call it off the GUI thread); `event`: the
    event as its one opening holds it, asked for by the lines that read it (an event that does
    not open gives those lines red, not an error)."""
    return gather(booth_providers(folder, event, tone, inhibit))


# --- the lines -----------------------------------------------------------------------------


def projector_line(folder: EventFolder) -> CheckLine:
    """The projector screen (the one chosen with O, or the one the stage would take)."""
    wanted = read_console_settings(folder.root).projector_screen
    found = display_monitors()
    if found is None:
        return judge_projector(None, [], wanted)
    monitors, outputs = found
    return judge_projector(monitors, outputs, wanted)


def audio_line(folder: EventFolder, tone: ToneResult | None) -> CheckLine:
    """The audio output chosen with O (or the default) is there; the tone was heard."""
    return judge_audio(read_console_settings(folder.root).audio_device, sound_outputs(), tone)


def disk_line(folder: EventFolder) -> CheckLine:
    """Free space on the disk holding the event folder (journal, logs, the report)."""
    usage = shutil.disk_usage(_existing_parent(folder.root))
    return judge_disk(usage.free, str(folder.root))


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def films_line(event: BoothEvent) -> CheckLine:
    """Every film preflighted, passed, and its file the one preflight measured."""
    programme = event.programme
    db = event.connect()
    try:
        checks = FilmCheckRepository(db).all()
        media = FilmMedia(db, programme.films)
        states = [
            FilmState(
                film.id,
                media.verdict(film.id).state.value,
                checks[film.id].ok if film.id in checks else None,
            )
            for film in programme
        ]
    finally:
        db.close()
    return judge_films(states)


def seal_line(sealed: SealedResults) -> CheckLine:
    """The jury's results sealed and the seal intact (checked without opening it)."""
    needed = any(award.kind == "jury" for award in sealed.config.awards)
    report = sealed.verify_seal()
    return judge_seal(
        needed=needed,
        sealed=report.sealed,
        problems=report.problems if report.sealed else [],
        warnings=report.warnings,
    )


def vote_key_line(root: Path, sealed: SealedResults) -> CheckLine:
    """The Viewer's Award's vote key (in the event folder ``root``) present and made with the
    current seal."""
    needed = any(award.kind == "audience" for award in sealed.config.awards)
    if not needed:
        return judge_vote_key(needed=False, problem=None, matches_seal=None)
    try:
        key = read_vote_key(root)
    except VoteKeyError as exc:
        return judge_vote_key(needed=True, problem=str(exc), matches_seal=None)
    try:
        kdf = read_seal(sealed.path).header.kdf
    except SealError:
        return judge_vote_key(needed=True, problem=None, matches_seal=None)
    return judge_vote_key(
        needed=True, problem=None, matches_seal=key.salts_digest == salts_digest(kdf)
    )


def server_line(event: BoothEvent) -> CheckLine:
    """The event server answers where the stations (and the phones) were told it is."""
    db = event.connect()
    try:
        registry = StationRegistry(db)
        stations, vote = registry.address(), registry.vote_address()
    finally:
        db.close()
    endpoints = []
    if stations is not None:
        endpoints.append(Endpoint("door stations", "門口站", *stations, _answers(*stations)))
    if vote is not None:
        endpoints.append(Endpoint("vote page", "投票網頁", *vote, _answers(*vote)))
    return judge_server(endpoints, lan_address())


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            return True
    except OSError:
        return False


def clock_line(config: EventConfig, now: dt.datetime | None = None) -> CheckLine:
    """The laptop's clock against the event's date and time zone, and its NTP state."""
    start = dt.datetime.combine(config.date, config.start, tzinfo=config.zone)
    moment = now or dt.datetime.now(dt.UTC)
    return judge_clock(moment, start, moment.astimezone().utcoffset(), clock_synchronised())
