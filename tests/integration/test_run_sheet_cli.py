"""`python main.py programme run-sheet --pdf FILE` as a real process: what the printed pages
say (pdftotext, both languages, in run order), the CJK font embedded (pdffonts), at most two
A4 pages, and pages that render (pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kiosk.store.event_folder import EventFolder
from kiosk.store.film_checks import FilmCheckRepository

MAIN = Path(__file__).resolve().parents[2] / "main.py"

pytestmark = [
    pytest.mark.skipif(
        not (shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdftoppm")),
        reason="needs poppler-utils (make test installs them)",
    ),
    pytest.mark.slow,  # the preflighted demo night: its 35 films measured by ffmpeg once a run
]


def tool(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def test_run_sheet_pdf(preflighted_demo: EventFolder, tmp_path: Path) -> None:
    folder = preflighted_demo
    programme = folder.load_programme()
    changed = programme.films[6]
    with changed.file.open("ab") as handle:
        handle.write(b"\0" * 4096)  # re-exported after preflight: the sheet must say so
    pdf = tmp_path / "sheet.pdf"
    command = [sys.executable, str(MAIN), "--event", str(folder.root), "programme"]
    result = subprocess.run(
        [*command, "run-sheet", "--pdf", str(pdf)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Run sheet written" in result.stderr

    info = tool("pdfinfo", str(pdf))
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 2
    assert "(A4)" in info

    fonts = tool("pdffonts", str(pdf))
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # emb = yes

    text = tool("pdftotext", str(pdf), "-")  # reading order: a table cell's lines together
    # pdftotext gives some ideographs as their Kangxi radical look-alikes: NFKC folds them back
    flat = unicodedata.normalize("NFKC", " ".join(text.split()))
    for words in ("Run sheet", "放映流程表", "Projectionist's notes", "放映員備註", "Doors open"):
        assert words in flat, words
    for words in ("開門", "Intermission", "中場休息", "Vote", "Award reveal", "頒獎", "19:30"):
        assert words in flat, words
    # every film, in run order, in both languages, with its director
    places = []
    for film in programme:
        assert film.title_zh in flat, film.id
        assert film.director.split()[0] in flat, film.id
        places.append(flat.index(film.title_zh))
    assert places == sorted(places)
    # the gain each film will play at, as preflight stored it
    checks = FilmCheckRepository(folder.open_db()).all()
    first = checks[programme.films[0].id]
    assert first.gain_db is not None and f"{first.gain_db:+.1f}" in flat
    assert flat.count("ready · 就緒") == len(programme) - 1
    assert "file changed since preflight" in flat
    assert "檔案已變更" in flat.replace(" ", "")  # a narrow cell wraps Chinese anywhere

    tool("pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page"))
    assert len(list(tmp_path.glob("page-*.png"))) == pages
