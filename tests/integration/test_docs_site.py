"""The documentation site as people get it: built by MkDocs (strict, as `make docs`), opened and
printed by a real Chromium.

- the build passes `--strict` from a clean folder, offline, and every page of the nav is there;
- the console keys page, as built, shows every binding of `CONSOLE_KEYS`;
- the ushers' guide prints on one A4 page, with its Chinese and English text in the PDF
  (pdfinfo, pdftotext) and the door's screens beside the verdicts.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ui.console.keymap import CONSOLE_KEYS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
NAV_PAGES = (
    "index.html",
    "operator/index.html",
    "operator/before.html",
    "operator/doors.html",
    "operator/screening.html",
    "operator/awards.html",
    "operator/after.html",
    "ushers.html",
    "reference/event.html",
    "reference/cli.html",
    "reference/json.html",
    "reference/console-keys.html",
    "security.html",
    "dev/architecture.html",
    "dev/cli-contract.html",
    "dev/playback-notes.html",
    "dev/benchmarks.html",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once for this module, as `make docs` builds it."""
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        check=False,  # the assertion shows mkdocs' own message
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    return out


def test_the_strict_build_makes_every_page_of_the_nav(site: Path) -> None:
    missing = [page for page in NAV_PAGES if not (site / page).is_file()]
    assert not missing
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'src="images/console-beside-projector.png"' in index
    assert (site / "images" / "console-beside-projector.png").is_file()


def test_the_built_keys_page_shows_every_binding(site: Path) -> None:
    page = html.unescape((site / "reference" / "console-keys.html").read_text(encoding="utf-8"))
    for entry in CONSOLE_KEYS:
        assert f"<td>{entry.label}</td>" in page, entry.name
        for key in entry.keys:
            assert f"<kbd>{key}</kbd>" in page, (entry.name, key)


@pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="needs Debian's chromium and poppler-utils (Makefile APT_PACKAGES)",
)
def test_the_ushers_guide_prints_on_one_a4_page_in_both_languages(
    site: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "ushers.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (site / "ushers.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    assert fields["Pages"].strip() == "1"
    assert "(A4)" in fields["Page size"]
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    both_languages = ("帶位員指南", "Ushers' guide", "已經入場", "Already checked in", "撤銷上一位")
    for words in both_languages:
        assert words in text, words
    page = (site / "ushers.html").read_text(encoding="utf-8")
    for screen in ("door-ready", "door-welcome", "door-already", "door-invalid"):
        assert f'src="images/{screen}.png"' in page
        assert (site / "images" / f"{screen}.png").is_file()
