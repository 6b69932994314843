"""Fixtures the console and stage tests share: events with sealed results or longer films, and
the one `console` (a real ConsoleWindow, shown at laptop size, always closed after the test)."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.media.generate import ClipSpec
from kiosk.media.stills import StillProvider, cache_dir_for
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application
from kiosk.ui.console.stations_panel import StationService, StationsPanel
from kiosk.ui.console.window import ConsoleWindow
from tests.conftest import film_toml, write_event
from tests.film_cache import FilmCache
from tests.results_helpers import sealed_results
from tests.run_shared import shared_folder
from tests.ui.door_station import DoorRig, door_station
from tests.ui.reveal_helpers import JURY, PASSPHRASE, open_console_window
from tests.xvfb import BOOTH_CONSOLE, BOOTH_PROJECTOR, xvfb_display

ConsoleFactory = Callable[..., ConsoleWindow]
StationsPanelFactory = Callable[..., StationsPanel]

LAPTOP = (1366, 768)
# a desktop panel and the window's title bar take about 60 px of a 768 px screen
LAPTOP_CLIENT_HEIGHT = LAPTOP[1] - 60


@pytest.fixture
def qt_painting(qapp: object) -> None:
    """Fonts and painting need the QApplication (`usefixtures("qt_painting")` in a module of
    card or slide rendering tests that need no window)."""


@pytest.fixture(scope="module")
def night(demo_event_template: Path) -> tuple[EventConfig, Programme]:
    """The demo night's event and programme, read once (read only: the films, the awards)."""
    folder = EventFolder(demo_event_template)
    config = folder.load_config()
    return config, folder.load_programme(config)


@pytest.fixture
def console_factory(qtbot: QtBot) -> Iterator[ConsoleFactory]:
    """`console_factory(event, width=1366, height=768)`: a real console on `event`, shown and
    active; every console it opened is closed after the test, whatever happened."""
    opened: list[ConsoleWindow] = []

    def open_one(event: EventFolder, width: int = 1366, height: int = 768) -> ConsoleWindow:
        window = open_console_window(qtbot, event, width, height)
        opened.append(window)
        return window

    yield open_one
    for window in opened:
        window.close()


@pytest.fixture
def stations_panel_factory(qtbot: QtBot) -> Iterator[StationsPanelFactory]:
    """`stations_panel_factory(open_service, zone=None)`: the console's Stations tab on its own;
    every panel it built is stopped after the test, whatever happened (its worker thread, and
    the service that thread holds, end with the test: tests/thread_leaks.py reports any that
    do not)."""
    built: list[StationsPanel] = []

    def build(
        open_service: Callable[[], StationService], zone: dt.tzinfo | None = None
    ) -> StationsPanel:
        make_application()
        panel = StationsPanel(open_service, zone)
        qtbot.addWidget(panel)
        built.append(panel)
        return panel

    yield build
    for panel in built:
        panel.stop()


@pytest.fixture
def console(console_factory: ConsoleFactory, small_event: EventFolder) -> ConsoleWindow:
    """The console on the small test event (three 2-second films, an intermission)."""
    return console_factory(small_event)


@pytest.fixture
def laptop_console(console_factory: ConsoleFactory, small_event: EventFolder) -> ConsoleWindow:
    """The console in a 1366x768 laptop's client area (the screen less the desktop's bars)."""
    return console_factory(small_event, LAPTOP[0], LAPTOP_CLIENT_HEIGHT)


@pytest.fixture
def sealed_console(console_factory: ConsoleFactory, sealed_event: EventFolder) -> ConsoleWindow:
    """The console on the demo night with the jury's results sealed (`reveal_helpers.JURY`)."""
    return console_factory(sealed_event)


@pytest.fixture(scope="session")
def sealed_event_template(
    demo_event_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The demo night with the jury's results sealed and a still taken from every film (what
    opening the results does first), built once per run (tests/run_shared.py): each reveal test
    then opens the seal in a second or two instead of running ffmpeg on every film under a
    loaded machine."""

    def build(root: Path) -> None:
        shutil.copytree(demo_event_template, root)
        folder = EventFolder(root)
        plain = root.parent / "jury.toml"
        plain.write_text(JURY, encoding="utf-8")
        sealed_results(folder).seal_results(plain, [PASSPHRASE], replace=True, kdf_n=2**14)
        plain.unlink()
        config = folder.load_config()
        StillProvider(cache_dir_for(root)).prepare_all(folder.load_programme(config))
        gc.collect()  # close the connections the seal left before the folder is copied

    return shared_folder(tmp_path_factory, "sealed", build)


@pytest.fixture
def sealed_event(sealed_event_template: Path, tmp_path: Path) -> EventFolder:
    """A private copy of the demo night with the jury's results (`reveal_helpers.JURY`)
    sealed for `reveal_helpers.PASSPHRASE`."""
    root = tmp_path / "sealed"
    shutil.copytree(sealed_event_template, root)
    return EventFolder(root)


@pytest.fixture
def long_event(tmp_path: Path, film_cache: FilmCache) -> EventFolder:
    """Three 6-second films (long enough to be killed and resumed mid-film)."""
    clip = film_cache.render(ClipSpec(("Six", "六"), 6.0, 320, 180), tmp_path / "six.mp4")
    return write_event(
        tmp_path / "event", [film_toml("L1", clip), film_toml("L2", clip), film_toml("L3", clip)]
    )


@pytest.fixture(scope="module")
def door_rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DoorRig]:
    """One real door station (its own Xvfb + openbox, a child process typed at with xdotool)
    for the whole module: starting one costs seconds, a reset costs milliseconds. Its 160
    people are handed out by `DoorRig.fresh`; after them come ten namesakes (`seed_namesakes`)
    for the tests that search by name."""
    root = tmp_path_factory.mktemp("door")
    with door_station(root, people_count=160, namesakes=10) as (station, people):
        yield DoorRig(station, people, root / "event")


@pytest.fixture
def door(door_rig: DoorRig) -> DoorRig:
    """The module's door station, reset: US layout, Caps Lock off, empty fields, no dialog."""
    door_rig.reset()
    return door_rig


@pytest.fixture(scope="module")
def booth_display() -> Iterator[str]:
    """One Xvfb + openbox for the module: a laptop monitor (`BOOTH_CONSOLE`, 1366x768) beside a
    projector monitor (`BOOTH_PROJECTOR`, 1280x720), the desktop painted magenta so that a
    projector showing the desktop for a moment is seen in its pixels. Each test starts (and
    kills) its own console processes on it."""
    width = BOOTH_CONSOLE.width + BOOTH_PROJECTOR.width
    with xvfb_display(width, 768, monitors=[BOOTH_CONSOLE, BOOTH_PROJECTOR]) as display:
        subprocess.run(
            ["xsetroot", "-solid", "#ff00ff"],
            env={**os.environ, "DISPLAY": display},
            check=True,
            timeout=20,
        )
        yield display
