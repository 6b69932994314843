"""What the console says the projector shows is what the projector shows (issue #23 item 3).

The real console runs on a laptop monitor beside a projector monitor (Xvfb, openbox); in each
slide state — holding, the voting slide put up and taken down, GO replacing the voting slide,
the technical-difficulties slide, plain black — the test reads the Show tab's badge, the
current run-order row and the voting-slide button, and classifies the projector monitor's real
pixels (a screenshot) against reference renders of the cards: the two must name the same thing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage

from kiosk.render.cards import Card, DifficultiesCard, HoldingCard, TitleCard
from kiosk.store.event_folder import EventFolder
from kiosk.ui.doors.decoder import decode_qr
from kiosk.ui.stage.card_view import render_card
from tests.line_child import LineChild
from tests.vote_helpers import make_voting_event
from tests.xvfb import Monitor, qt_env, requires_xvfb, screenshot, xvfb_display

pytestmark = [
    requires_xvfb,
    pytest.mark.slow,
    pytest.mark.vlc,
    pytest.mark.skipif(not shutil.which("convert"), reason="needs ImageMagick"),
]

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = Monitor("CONSOLE", 1366, 768)
PROJECTOR = Monitor("PROJECTOR", 1280, 720, x=1366)
THUMB = QSize(128, 72)
# the badge's first words -> what the audience must be seeing
BADGE_MEANS = {
    "HOLDING": "holding",
    "VOTING SLIDE": "vote",
    "TITLE CARD": "title",
    "DIFFICULTIES SLIDE": "difficulties",
    "BLACK": "black",
}


@pytest.fixture(autouse=True)
def _qt(qapp: object) -> None:
    """Rendering the reference cards needs the QApplication."""


def thumbnail(image: QImage) -> QImage:
    return image.convertToFormat(QImage.Format.Format_Grayscale8).scaled(
        THUMB,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def mean_difference(one: QImage, two: QImage) -> float:
    total = 0
    for y in range(THUMB.height()):
        for x in range(THUMB.width()):
            total += abs(one.pixelColor(x, y).value() - two.pixelColor(x, y).value())
    return total / (THUMB.width() * THUMB.height())


class ProjectorReader:
    """Names what a screenshot of the projector monitor shows, from its pixels alone."""

    def __init__(self, references: dict[str, Card]) -> None:
        size = QSize(PROJECTOR.width, PROJECTOR.height)
        self.references = {
            name: thumbnail(render_card(card, size).image) for name, card in references.items()
        }

    def read(self, shot: Path) -> tuple[str, float]:
        whole = QImage(str(shot))
        picture = whole.copy(QRect(PROJECTOR.x, PROJECTOR.y, PROJECTOR.width, PROJECTOR.height))
        small = thumbnail(picture)
        brightest = max(
            small.pixelColor(x, y).value()
            for y in range(THUMB.height())
            for x in range(THUMB.width())
        )
        if brightest < 24:
            return "black", 0.0
        if decode_qr(picture):
            return "vote", 0.0
        name, distance = min(
            ((name, mean_difference(small, ref)) for name, ref in self.references.items()),
            key=lambda pair: pair[1],
        )
        return (name, distance) if distance < 18 else ("unknown", distance)


@pytest.fixture
def voting_event(tmp_path: Path) -> EventFolder:
    """An event whose Viewer's Award vote can open (jury results sealed: the vote key)."""
    return make_voting_event(tmp_path / "event", admitted=1, absent=0).folder


@pytest.fixture
def projector_console(voting_event: EventFolder) -> Iterator[LineChild]:
    width = CONSOLE.width + PROJECTOR.width
    with xvfb_display(width, 768, monitors=[CONSOLE, PROJECTOR]) as display:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.projector_truth_child", str(voting_event.root)],
            env=qt_env(display, KIOSK_VLC_AOUT="dummy", KIOSK_VLC_VOUT="xcb_x11"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        child = LineChild(process, display)
        child.start_reading()
        try:
            child.expect("READY", 90)
            yield child
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(10)


def facts(child: LineChild) -> dict[str, Any]:
    child.send("facts")
    told: dict[str, Any] = json.loads(child.expect("FACTS", 20).removeprefix("FACTS "))
    return told


def agree(child: LineChild, reader: ProjectorReader, shots: Path, step: str) -> dict[str, Any]:
    """Wait (bounded) until the projector's pixels show what the badge says; the facts."""
    deadline = time.monotonic() + 15
    while True:
        told = facts(child)
        meant = next(v for k, v in BADGE_MEANS.items() if told["badge"].startswith(k))
        seen, distance = reader.read(screenshot(child.display, shots / f"{step}.png"))
        if seen == meant:
            return told
        assert time.monotonic() < deadline, (step, told, seen, distance)
        time.sleep(0.3)


def command(child: LineChild, line: str) -> None:
    child.send(line)
    child.expect("DONE", 20)


def test_the_badge_says_what_the_projector_shows(
    projector_console: LineChild, voting_event: EventFolder, tmp_path: Path
) -> None:
    config = voting_event.load_config()
    programme = voting_event.load_programme(config)
    reader = ProjectorReader(
        {
            "holding": HoldingCard(config, programme),
            "title": TitleCard.for_film(programme.films[0], programme),
            "difficulties": DifficultiesCard(config),
        }
    )
    told = agree(projector_console, reader, tmp_path, "1-holding")
    assert told["badge"].startswith("HOLDING") and not told["slide_button"], told

    command(projector_console, "vote open")  # opening the vote puts the voting slide up
    told = agree(projector_console, reader, tmp_path, "2-voting")
    assert told["badge"].startswith("VOTING SLIDE"), json.dumps(
        told, ensure_ascii=False
    )  # was "HOLDING · 等候"
    assert told["slide_button"] and "ON" in told["slide_text"], told

    command(projector_console, "vote slide")  # taken down by its button
    told = agree(projector_console, reader, tmp_path, "3-voting-down")
    assert told["badge"].startswith("HOLDING") and not told["slide_button"], told

    command(projector_console, "vote slide")  # up again, then GO puts the title card over it
    agree(projector_console, reader, tmp_path, "4-voting-again")
    command(projector_console, "press go")
    command(projector_console, "press difficulties")  # the title card is held under the slide
    told = agree(projector_console, reader, tmp_path, "5-difficulties")
    assert told["badge"].startswith("DIFFICULTIES SLIDE"), told
    assert told["row"] == "⚠ difficulties slide", told  # was "■ black"
    assert not told["slide_button"] and "ON" not in told["slide_text"], told

    command(projector_console, "press difficulties")  # slide down: plain black until GO
    told = agree(projector_console, reader, tmp_path, "6-black")
    assert told["badge"].startswith("BLACK") and told["row"] == "■ black", told
