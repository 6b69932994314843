"""Shared fixtures: real clips made by ffmpeg, real event folders, a fresh database per test."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

# Qt must never need a display in the test run (the projector tests start their own Xvfb).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme, programme_from_dict
from kiosk.media.generate import ClipSpec
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from tests.doors_helpers import make_event
from tests.film_cache import FilmCache
from tests.run_shared import built_once_folder, shared_folder

# ERROR logs fail; longest files first; the checkout byte-compiled once for every child process;
# the threads each test leaves running, reported at the end
pytest_plugins = ["tests.guards", "tests.file_order", "tests.bytecode", "tests.thread_leaks"]


@pytest.fixture(scope="session")
def children_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder put first on the PYTHONPATH of the app's child processes, holding a `numpy`
    that cannot be imported. numpy is in the venv for the suite's own sound analysis; the app
    never imports it (`tests/unit/test_suite_layout.py` checks), but sqlite-utils imports it
    whenever it is installed, to know numpy's column types: 0.13 of the 0.4 CPU-s each CLI
    command, server or console child of the suite spent starting (docs/dev/testing.md)."""
    folder = tmp_path_factory.mktemp("children-site")
    (folder / "numpy").mkdir()
    (folder / "numpy" / "__init__.py").write_text(
        'raise ImportError("numpy: not for the app\'s child processes in the test suite")\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, children_site: Path
) -> None:
    """No test may read or write the real user's events; child processes start without numpy."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("KIOSK_EVENT_DIR", raising=False)
    inherited = os.environ.get("PYTHONPATH")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(children_site), *([inherited] if inherited else [])])
    )


@pytest.fixture(scope="session")
def film_cache(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> FilmCache:
    """Every test film encoded once, shared by the workers, both passes and the next run
    (`film_cache.render(spec, out)` instead of `render_clip`: see tests/film_cache.py)."""
    cache = request.config.cache
    folder = cache.mkdir("films") if cache is not None else tmp_path_factory.mktemp("films")
    return FilmCache(folder)


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory, film_cache: FilmCache) -> dict[str, Path]:
    """Tiny real films: good ones, one without audio, a truncated one, a fake one."""
    folder = tmp_path_factory.mktemp("clips")
    made = {
        "good": film_cache.render(
            ClipSpec(("Good clip", "好片"), 2.0, 320, 180, volume_db=-3), folder / "good.mp4"
        ),
        "vertical": film_cache.render(
            ClipSpec(("Vertical", "直"), 2.0, 180, 320, colour="0x205a40"), folder / "vertical.mp4"
        ),
        "silent_track_missing": film_cache.render(
            ClipSpec(("No audio", "無聲"), 2.0, 320, 180, audio=False), folder / "no_audio.mp4"
        ),
    }
    data = made["good"].read_bytes()
    truncated = folder / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 2])
    made["truncated"] = truncated
    fake = folder / "fake.mp4"
    fake.write_bytes(b"this is not a video\n" * 50)
    made["fake"] = fake
    return made


EVENT_TOML = """
[event]
name_en = "Test Night"
name_zh = "測試之夜"
date = 2026-12-05
start = 19:30:00
end = 22:00:00
venue_en = "Test Hall"
venue_zh = "測試禮堂"
capacity = 100
programme = "programme.toml"

[show]
title_card_seconds = 3

[[awards]]
id = "best-film"
name_en = "Best Film"
name_zh = "最佳影片"
"""


def film_toml(film_id: str, file: Path | str, **extra: object) -> str:
    """One [[films]] table for a test programme."""
    lines = [
        "[[films]]",
        f'id = "{film_id}"',
        f'title_en = "Film {film_id}"',
        f'title_zh = "影片 {film_id}"',
        'director = "陳大文 Chan Tai Man"',
        'country = "Hong Kong"',
        "year = 2026",
        'runtime = "0:02"',
        f'file = "{file}"',
    ]
    lines += [f"{key} = {value!r}".replace("'", '"') for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def write_event(
    root: Path, films: list[str], *, intermission_after: str | None = None
) -> EventFolder:
    """A real event folder with the given [[films]] tables."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "event.toml").write_text(textwrap.dedent(EVENT_TOML), encoding="utf-8")
    programme = '[programme]\nname_en = "Test"\nname_zh = "測試"\n\n'
    if intermission_after:
        programme += f'[intermission]\nafter_film = "{intermission_after}"\nminutes = 10\n\n'
    (root / "programme.toml").write_text(programme + "\n".join(films), encoding="utf-8")
    return EventFolder(root)


@pytest.fixture
def event(tmp_path: Path) -> EventFolder:
    """A Test Night event folder with an empty programme and nobody registered yet."""
    return write_event(tmp_path / "event", [])


@pytest.fixture
def programme(tmp_path: Path) -> Programme:
    """The four-film programme of `four_film_programme` (its films are never opened)."""
    return four_film_programme(tmp_path)


@pytest.fixture
def bare_event(tmp_path: Path) -> EventFolder:
    """An event folder with just event.toml, no programme (the doors and the seal need none)."""
    return make_event(tmp_path / "event")


@pytest.fixture
def small_event(tmp_path: Path, clips: dict[str, Path]) -> EventFolder:
    """A fresh event of three good films (one vertical), with its own database."""
    return write_event(
        tmp_path / "event",
        [
            film_toml("A1", clips["good"]),
            film_toml("A2", clips["vertical"]),
            film_toml("A3", clips["good"]),
        ],
        intermission_after="A2",
    )


@pytest.fixture(scope="session")
def demo_event_template(tmp_path_factory: pytest.TempPathFactory, film_cache: FilmCache) -> Path:
    """The real demo night (2-second films, 40 registrations), built once per run for all the
    workers (tests/run_shared.py), its films and music from the film cache."""
    from kiosk.services.demo import build_demo

    def build(root: Path) -> None:
        build_demo(
            EventFolder(root),
            film_seconds=2,
            attendees=40,
            render_film=film_cache.render,
            render_track=film_cache.music,
        )
        # close the connections the build left to the garbage collector now: one closing later
        # checkpoints and deletes event.db-wal while the folder is copied
        gc.collect()

    return shared_folder(tmp_path_factory, "demo", build)


MAIN = Path(__file__).resolve().parents[1] / "main.py"
PREFLIGHT_RUN = ("returncode", "stdout", "stderr")  # what the demo night's preflight left


@pytest.fixture(scope="session")
def preflighted_demo_template(
    demo_event_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The demo night after preflight, as it stands before the doors (built once per run).

    It is preflighted by the real `main.py preflight --json` process, whose exit status and
    output are kept beside the folder (`demo_preflight_run`): measuring 35 films and 4 tracks
    once serves both the command's own test and every test of a preflighted night."""

    def build(root: Path) -> None:
        shutil.copytree(demo_event_template, root)
        done = subprocess.run(
            [sys.executable, str(MAIN), "--event", str(root), "preflight", "--json"],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        for name in PREFLIGHT_RUN:
            (root.parent / f"preflight.{name}").write_text(str(getattr(done, name)), "utf-8")
        if done.returncode != 0:
            raise RuntimeError(
                f"preflight of the demo night exited {done.returncode}: {done.stderr}"
            )

    return shared_folder(tmp_path_factory, "preflighted", build)


@pytest.fixture(scope="session")
def demo_preflight_run(
    preflighted_demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> subprocess.CompletedProcess[str]:
    """What `main.py preflight --json` said when it preflighted the demo night (exit status,
    stdout, stderr), for the command's own test."""
    kept = built_once_folder(tmp_path_factory, "preflighted")
    returncode, stdout, stderr = (
        (kept / f"preflight.{name}").read_text("utf-8") for name in PREFLIGHT_RUN
    )
    return subprocess.CompletedProcess(["preflight", "--json"], int(returncode), stdout, stderr)


@pytest.fixture
def preflighted_demo(preflighted_demo_template: Path, tmp_path: Path) -> Iterator[EventFolder]:
    """A private copy of the preflighted demo night."""
    root = tmp_path / "preflighted"
    shutil.copytree(preflighted_demo_template, root)
    yield EventFolder(root)


@pytest.fixture
def demo_event(demo_event_template: Path, tmp_path: Path) -> Iterator[EventFolder]:
    """A private copy of the demo night that a test may change."""
    root = tmp_path / "demo"
    shutil.copytree(demo_event_template, root)
    # the programme points at films relative to itself, so the copy is self-contained
    yield EventFolder(root)


def journalled_position(folder: EventFolder, film_id: str) -> float:
    """The furthest position of `film_id` the show journalled (-1 before it played)."""
    db = folder.open_db()
    try:  # the entries are read lazily: all of them before the connection closes
        entries = list(Journal(db).entries("film_position"))
    finally:
        db.close()
    return max((float(e.data["position"]) for e in entries if e.subject == film_id), default=-1)


# `rehearse` options for a test that looks at neither the holding slide nor the End card: 1 s
# instead of 5 s before the first film, still long enough to prime it (the night's path: the
# film is ready when GO comes), and with --exit-at-end no 1.5 s on the End card (the last
# film's player is stopped at the End cue either way). 5.5 s saved per rehearsal.
SHORT_HOLDS = ("--hold", "1", "--end-hold", "0")


def rehearse_until_killed(
    folder: EventFolder,
    film_id: str,
    position_s: float,
    *options: str,
    env: Mapping[str, str],
    timeout_s: float = 90.0,
) -> float:
    """`main.py rehearse OPTIONS` on the event as a real process, killed with SIGKILL once the
    journal has `film_id` at `position_s` or later: the show machine dying mid-film. Returns
    the position journalled last."""
    main = Path(__file__).resolve().parents[1] / "main.py"
    process = subprocess.Popen(
        [
            sys.executable,
            str(main),
            "--event",
            str(folder.root),
            "rehearse",
            *SHORT_HOLDS,
            *options,
        ],
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while journalled_position(folder, film_id) < position_s:
            assert process.poll() is None, f"the rehearsal ended before {film_id}"
            assert time.monotonic() < deadline, f"the rehearsal never got into {film_id}"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    return journalled_position(folder, film_id)


def night_config(folder: Path) -> EventConfig:
    """A 19:30-22:00 "Test Night" for 100 people, 5 s title cards, its files in ``folder``."""
    return EventConfig(
        source=folder / "event.toml",
        name_en="Test Night",
        name_zh="測試之夜",
        date=dt.date(2026, 12, 5),
        start=dt.time(19, 30),
        end=dt.time(22, 0),
        venue_en="Hall",
        venue_zh="禮堂",
        capacity=100,
        programme_file=folder / "programme.toml",
        title_card_seconds=5.0,
    )


FOUR_FILM_RUNTIMES = {"F01": 60, "F02": 90, "F03": 45, "F04": 30}


def four_film_programme(folder: Path) -> Programme:
    """Four films (FOUR_FILM_RUNTIMES seconds) and a 1-minute intermission after F02, for the
    show machine and the report on a fake clock (the film files are never opened)."""
    films = [
        {
            "id": film_id,
            "title_en": f"Film {film_id}",
            "title_zh": f"電影 {film_id}",
            "director": "Someone",
            "country": "Hong Kong",
            "year": 2026,
            "runtime": runtime,
            "file": f"films/{film_id}.mp4",
        }
        for film_id, runtime in FOUR_FILM_RUNTIMES.items()
    ]
    data = {
        "programme": {"name_en": "Test night", "name_zh": "測試"},
        "films": films,
        "intermission": {"after_film": "F02", "minutes": 1},
    }
    return programme_from_dict(data, folder / "programme.toml")
