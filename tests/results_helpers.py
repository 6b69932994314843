"""An event for the sealed-results tests: a programme kept outside the event folder.

Outside, so that after sealing nothing in the event folder has any reason to name a film: a scan
of the folder for the winners' ids, titles and citations must come back empty. Film ids contain
'-', which base64 never does, so ciphertext cannot match them by chance.
"""

from __future__ import annotations

import gc
import json
import textwrap
from pathlib import Path

from kiosk.services.open_event import OpenEvent
from kiosk.services.results import SealedResults
from kiosk.store.event_folder import EventFolder

KDF_N = 2**14  # tests only; the default is 2**17
PASSPHRASE = "correct horse battery"
SECOND_PASSPHRASE = "staple 九龍 lantern"

FILMS = (
    ("QZ-WIN-01", "Ultramarine Lighthouse Sonata", "群青燈塔奏鳴曲"),
    ("QZ-NOM-02", "Paper Tigers of Kowloon", "九龍紙老虎"),
    ("QZ-NOM-03", "Seventeen Ferries", "十七艘渡輪"),
    ("QZ-WIN-04", "The Cartographer's Dream", "製圖師之夢"),
    ("QZ-MEN-05", "Salt Wind Requiem", "鹹風安魂曲"),
    ("QZ-OTHER-06", "Nobody Names This Film", "無人提及之片"),
    ("QZ-OTHER-07", "Another Unnamed Film", "另一部片"),
)

JURY = """\
[[results]]
category = "best-film"
winner = "QZ-WIN-01"
nominees = ["QZ-NOM-02", "QZ-WIN-01", "QZ-NOM-03"]
honourable_mentions = ["QZ-MEN-05"]
citation_en = "For a lighthouse that sings in ultramarine."
citation_zh = "以群青色歌唱的燈塔。"
clip_start = 10
clip_end = "0:40"

[[results]]
category = "frontier"
winner = "QZ-WIN-04"
nominees = ["QZ-WIN-04", "QZ-NOM-03"]
citation_en = "For maps of places nobody has drawn."
citation_zh = "為無人繪過之地繪製地圖。"
"""

VIEWERS = """
[[results]]
category = "viewers"
winner = "QZ-OTHER-07"
nominees = ["QZ-OTHER-07", "QZ-OTHER-06"]
"""

NAMED_FILMS = ("QZ-WIN-01", "QZ-NOM-02", "QZ-NOM-03", "QZ-WIN-04", "QZ-MEN-05")
CITATIONS = (
    "For a lighthouse that sings in ultramarine.",
    "以群青色歌唱的燈塔。",
    "For maps of places nobody has drawn.",
    "為無人繪過之地繪製地圖。",
)

EVENT_TOML = """
[event]
name_en = "Sealing Night"
name_zh = "封存之夜"
date = 2026-12-05
start = 19:30:00
end = 22:00:00
venue_en = "Test Hall"
venue_zh = "測試禮堂"
capacity = 100
programme = "{programme}"

[[awards]]
id = "best-film"
name_en = "Best Film"
name_zh = "最佳影片"

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


def write_programme(path: Path, films: tuple[tuple[str, str, str], ...] = FILMS) -> None:
    """A programme of these (id, English title, Chinese title) films, one minute each."""
    tables = [
        textwrap.dedent(
            f"""
            [[films]]
            id = "{film_id}"
            title_en = "{title_en}"
            title_zh = "{title_zh}"
            director = "陳大文 Chan Tai Man"
            country = "Hong Kong"
            year = 2026
            runtime = "1:00"
            file = "films/{film_id}.mp4"
            """
        )
        for film_id, title_en, title_zh in films
    ]
    header = '[programme]\nname_en = "Test"\nname_zh = "測試"\n'
    path.write_text(header + "".join(tables), encoding="utf-8")


def make_event(root: Path) -> EventFolder:
    """An event folder whose programme file lives next to it, not in it."""
    root.mkdir(parents=True)
    programme = root.parent / f"{root.name}-programme.toml"
    write_programme(programme)
    (root / "event.toml").write_text(EVENT_TOML.format(programme=programme), encoding="utf-8")
    return EventFolder(root)


def programme_path(folder: EventFolder) -> Path:
    """Where `make_event` put the programme."""
    return folder.root.parent / f"{folder.root.name}-programme.toml"


def secrets() -> list[str]:
    """Everything the results say that must not leak: film ids, titles, citations."""
    titles = [t for film in FILMS if film[0] in NAMED_FILMS for t in film[1:]]
    return [*NAMED_FILMS, *titles, *CITATIONS]


def find_secrets(root: Path, texts: list[str] | None = None) -> list[str]:
    """`file: secret` for every secret found in any file under `root` (raw or JSON-escaped).

    A connection to a database under `root` left for the garbage collector would close (and
    delete `-shm` and `-wal`) at any moment of the walk: collected first."""
    gc.collect()
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for secret in texts or secrets():
            forms = {
                secret.encode("utf-8"),
                json.dumps(secret)[1:-1].encode("ascii"),
                secret.encode("utf-16-le"),
            }
            if any(form in data for form in forms):
                found.append(f"{path.relative_to(root)}: {secret}")
    return found


def sealed_results(folder: EventFolder) -> SealedResults:
    """The event's sealed results, as the console and the CLI reach them (one opening)."""
    return OpenEvent.open(folder).sealed_results()
