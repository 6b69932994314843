"""Build the demo night: 35 generated films, sample registrations, sealed demo jury results.

A newcomer runs `make run` and sees a full night at once. The demo event is marked as such in
its `event.toml`; rebuilding refuses to touch a folder that holds a real event. The demo's jury
results are sealed the way a real night's should be (write, seal, delete the plain file), with
the published demo passphrase `DEMO_PASSPHRASE`; the viewers' award is left unsealed, so the
reveal shows its "result to follow" step.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.demo_people import demo_people
from kiosk.core.programme import Film, load_programme
from kiosk.core.tickets import TicketCodec
from kiosk.media.generate import ClipSpec, extract_still, render_clip
from kiosk.media.music_tracks import MusicSpec, render_music
from kiosk.services.open_event import OpenEvent
from kiosk.services.registrations import import_registrations
from kiosk.services.results import destroy_plain_file
from kiosk.store.database import transaction
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.store.sealed_results import DEFAULT_KDF_N

log = logging.getLogger(__name__)

DEMO_MARKER = "# kiosk-demo-event"
DEFAULT_FILM_SECONDS = 20.0
DEFAULT_ATTENDEES = 300
REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PLAYLIST = REPO_ROOT / "playlists" / "demo.toml"

Progress = Callable[[int, int, str], None]

# Festivals receive every shape: (width, height, picture height when letterboxed).
_SHAPES = (
    (640, 360, None),
    (640, 360, 268),
    (480, 360, None),
    (360, 640, None),
    (640, 360, None),
    (640, 346, None),
)
# Deliberately uneven loudness, so preflight has real gains to compute.
_VOLUMES_DB = (0.0, 6.0, -6.0, 3.0, -10.0, 9.0, -3.0)
_COLOURS = (
    "0x203a5a",
    "0x5a2040",
    "0x205a40",
    "0x5a4a20",
    "0x3a205a",
    "0x205a5a",
    "0x6a3020",
    "0x30406a",
    "0x406a30",
)

_EVENT_TOML = """{marker} (rebuilt by `python main.py demo`; a real event never has this line)
[event]
name_en = "AIFF 2026 Screening Night (demo)"
name_zh = "AIFF 2026 放映之夜（示範）"
date = {date}
doors_open = 18:45:00
start = 19:30:00
end = 23:00:00
timezone = "Asia/Hong_Kong"
venue_en = "University Grand Hall (demo)"
venue_zh = "大學大禮堂（示範）"
capacity = 700
programme = "programme.toml"

[show]
loudness_target_lufs = -23.0
title_card_seconds = 8
min_film_seconds = 0

[[awards]]
id = "best-film"
name_en = "Best Film"
name_zh = "最佳影片"

[[awards]]
id = "best-narrative"
name_en = "Best Narrative"
name_zh = "最佳敘事"

[[awards]]
id = "frontier"
name_en = "Frontier Award"
name_zh = "前沿獎"

[[awards]]
id = "viewers"
name_en = "Viewer's Award"
name_zh = "觀眾獎"
kind = "audience"
"""

DEMO_PASSPHRASE = "aiff-demo-2026"  # demo only: published in README.md, so it protects nothing
DEMO_RESULTS_FILE = "jury-results.demo.toml"

_JURY_TOML = """# DEMO jury results for the demo night; sealed, then this file is deleted.
[[results]]
category = "best-film"
winner = "F11"
nominees = ["F03", "F11", "F17", "F28"]
citation_en = "For a dream of maps that redraws what cinema can imagine."
citation_zh = "以地圖之夢，重新描繪電影的想像。"
clip_start = {clip_start}
clip_end = {clip_end}

[[results]]
category = "best-narrative"
winner = "F18"
nominees = ["F07", "F18", "F21", "F32"]
citation_en = "For a story told with patience, light and sea."
citation_zh = "以耐心、光與海，講述動人故事。"

[[results]]
category = "frontier"
winner = "F04"
nominees = ["F04", "F13", "F25", "F33"]
citation_en = "For pushing the machine somewhere nobody has been."
citation_zh = "把機器帶到無人到過之處。"
clip_start = {clip_start}
clip_end = {clip_end}
"""

_SUBTITLE_LINES = (
    "The light is still on.",
    "Do you hear the sea?",
    "We were never meant to stay.",
    "Tomorrow, then.",
    "Look — the machines are dreaming.",
)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo builder made."""

    folder: Path
    films: int
    attendees: int
    film_seconds: float
    sealed_categories: tuple[str, ...] = ()


def _srt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _write_subtitles(path: Path, seconds: float) -> None:
    step = max(1.0, seconds / len(_SUBTITLE_LINES))
    blocks = []
    for number, line in enumerate(_SUBTITLE_LINES, start=1):
        start = (number - 1) * step + 0.2
        if start >= seconds:
            break
        end = min(seconds, start + step * 0.8)
        blocks.append(f"{number}\n{_srt_time(start)} --> {_srt_time(end)}\n{line}\n")
    path.write_text("\n".join(blocks), encoding="utf-8")


def demo_clip_spec(film: Film, seconds: float) -> ClipSpec:
    """The look and sound of one demo film, varied by its place in the run order."""
    index = film.position - 1
    width, height, picture = _SHAPES[index % len(_SHAPES)]
    return ClipSpec(
        lines=(
            f"{film.position:02d} · {film.title_en}",
            film.title_zh,
            f"{film.director} — {film.country}",
        ),
        seconds=seconds,
        width=width,
        height=height,
        picture_height=picture,
        colour=_COLOURS[index % len(_COLOURS)],
        tone_hz=220 + 20 * index,
        volume_db=_VOLUMES_DB[index % len(_VOLUMES_DB)],
    )


# The demo's room music: (folder, file name, chord in Hz, how fast it breathes). Generated,
# never downloaded; 30 s each keeps `demo` quick (the deck crossfades and goes round).
DEMO_MUSIC_S = 30.0
_DEMO_MUSIC = (
    ("doors", "01 Harbour Lights", (261.63, 329.63, 392.00, 523.25), 0.11),
    ("doors", "02 Evening Tram", (220.00, 261.63, 329.63, 440.00), 0.13),
    ("intermission", "01 Interval Tea", (196.00, 246.94, 293.66, 392.00), 0.12),
    ("end", "01 Walk Out", (174.61, 220.00, 261.63, 349.23), 0.1),
)


def _demo_music(root: Path) -> list[tuple[MusicSpec, Path]]:
    """The demo's doors, intermission and walk-out tracks and where each goes."""
    return [
        (
            MusicSpec(chord, DEMO_MUSIC_S, pulse_hz=pulse, title=name[3:]),
            root / "music" / folder / f"{name}.m4a",
        )
        for folder, name, chord, pulse in _DEMO_MUSIC
    ]


def _prepare_folder(folder: EventFolder) -> None:
    if folder.exists():
        if not folder.config_path.read_text(encoding="utf-8").startswith(DEMO_MARKER):
            raise StoreError(
                f"{folder.root} holds a real event, not the demo; refusing to overwrite it. "
                f"Use another --event folder for the demo."
            )
    elif folder.root.exists() and any(
        p.name != "logs" and p.suffix != ".lock" for p in folder.root.iterdir()
    ):
        raise StoreError(
            f"{folder.root} is not empty and is not a demo event; "
            f"choose an empty folder for the demo"
        )
    for name in ("films", "stills", "music"):
        shutil.rmtree(folder.root / name, ignore_errors=True)
    stale = ("event.db", "event.db-wal", "event.db-shm", "programme.toml", DEMO_RESULTS_FILE)
    for name in (*stale, folder.sealed_results_path.name):
        (folder.root / name).unlink(missing_ok=True)
    folder.create_dirs()


def build_demo(
    folder: EventFolder,
    *,
    film_seconds: float = DEFAULT_FILM_SECONDS,
    attendees: int = DEFAULT_ATTENDEES,
    progress: Progress | None = None,
    workers: int = 2,
    today: dt.date | None = None,
    render_film: Callable[[ClipSpec, Path], Path] = render_clip,
    render_track: Callable[[MusicSpec, Path], Path] = render_music,
) -> DemoSummary:
    """(Re)build the demo event in `folder`; the caller holds the event's console lock.

    `render_film` / `render_track` make one film / one music track file from its spec (the
    test suite hands in its cache of renderings, which makes the same files)."""
    if film_seconds < 1:
        raise ValueError("--film-seconds must be at least 1")
    _prepare_folder(folder)
    template = DEMO_PLAYLIST.read_text(encoding="utf-8")
    runtime = f'runtime = "{int(film_seconds) // 60}:{int(film_seconds) % 60:02d}"'
    programme_text = re.sub(r'^runtime = ".*"$', runtime, template, flags=re.MULTILINE)
    programme_path = folder.root / "programme.toml"
    programme_path.write_text(
        "# Demo copy: runtimes set to the generated films' length.\n" + programme_text,
        encoding="utf-8",
    )
    programme = load_programme(programme_path)
    date = (today or dt.date.today()).isoformat()
    folder.config_path.write_text(_EVENT_TOML.format(marker=DEMO_MARKER, date=date), "utf-8")
    folder.secret_key()

    total = len(programme)
    done = 0
    done_lock = threading.Lock()

    def make(film: Film) -> None:
        nonlocal done
        render_film(demo_clip_spec(film, film_seconds), film.file)
        if film.subtitles:
            _write_subtitles(film.subtitles, film_seconds)
        if film.still:
            extract_still(film.file, film.still, min(film_seconds / 2, 2.0))
        with done_lock:
            done += 1
            if progress:
                progress(done, total, film.id)

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="demo") as pool:
        music = [pool.submit(render_track, *track) for track in _demo_music(folder.root)]
        list(pool.map(make, programme))
        for track in music:
            track.result()

    people = demo_people(attendees)
    export = folder.root / "registrations.demo.csv"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Timestamp",
                "Email Address",
                "姓名 Full name",
                "英文姓名 English name",
                "Phone",
                "Status",
            ]
        )
        for person in people:
            writer.writerow(
                [
                    person.registered_at,
                    person.email,
                    person.name,
                    person.name_latin or "",
                    person.phone,
                    "Attending",
                ]
            )
    # Registrations go through the real importer, as a festival's export would.
    db = folder.open_db()
    codec = TicketCodec(folder.secret_key())
    # the demo's export is its whole list by construction: a rebuild with fewer people (or
    # none, `--attendees 0`) means exactly that, so the "names nobody / many gone" guard,
    # meant for a festival's truncated export, does not apply
    imported = import_registrations(db, codec, export, allow_many_gone=True)
    sealed = seal_demo_results(folder, film_seconds)
    with transaction(db) as conn:
        Journal.append_in(
            conn,
            "demo_built",
            None,
            {"films": total, "attendees": len(people), "film_seconds": film_seconds},
        )
    people_count = len(imported.applied.new_ids) + len(imported.applied.unchanged_ids)
    log.info("demo event built in %s: %d films, %d attendees", folder.root, total, people_count)
    return DemoSummary(folder.root, total, people_count, film_seconds, sealed)


def seal_demo_results(
    folder: EventFolder, film_seconds: float, *, kdf_n: int = DEFAULT_KDF_N
) -> tuple[str, ...]:
    """Write the demo jury's file, seal it with `DEMO_PASSPHRASE`, delete the plain file.

    Best Film and the Frontier Award get a clip: the middle half of the winning film (of its
    declared runtime, whole seconds, which the results are checked against). Returns the award
    ids sealed.
    """
    plain = folder.root / DEMO_RESULTS_FILE
    declared = float(int(film_seconds))
    clip = {"clip_start": round(declared * 0.25, 3), "clip_end": round(declared * 0.75, 3)}
    plain.write_text(_JURY_TOML.format(**clip), encoding="utf-8")
    summary = (
        OpenEvent.open(folder)
        .sealed_results()
        .seal_results(plain, [DEMO_PASSPHRASE], replace=True, kdf_n=kdf_n)
    )
    destroy_plain_file(plain)
    return summary.categories
