""" "Registered" is one number at the door, on the console and in the report (issue #23 item 10:
the door and the console said 301 where the report said 300, a walk-in counted by two of them).

Six people on the list, one of them gone from the latest export, one walk-in admitted at the
door: every screen says 5 registered (and 1 walk-in beside it).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.core import chart_palette
from kiosk.store.checkins import CheckinRepository
from kiosk.store.database import transaction
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application
from kiosk.ui.common.arrivals_chart import ArrivalsChart
from kiosk.ui.console.doors_panel import DoorsFiguresPanel
from kiosk.ui.doors.app import open_doors
from tests.conftest import film_toml, write_event
from tests.doors_helpers import seed_people
from tests.report_helpers import run_report


@pytest.fixture
def night_with_a_walk_in(tmp_path: Path, clips: dict[str, Path]) -> EventFolder:
    folder = write_event(tmp_path / "event", [film_toml("A1", clips["good"])])
    people = seed_people(folder)
    db = folder.open_db()
    with transaction(db) as conn:  # left out of the latest export
        conn.execute("UPDATE attendees SET status = 'gone' WHERE id = ?", (people[-1].attendee_id,))
    db.close()
    door = CheckinRepository.for_event(folder, folder.load_config())
    door.scan(people[0].code, "Door 1", "scan", dt.datetime.now(dt.UTC))
    door.walk_in("周潤發", "Chow Yun Fat", None, "Door 1", dt.datetime.now(dt.UTC))
    return folder


def test_door_console_and_report_count_the_same_registered(
    qtbot: QtBot, night_with_a_walk_in: EventFolder, tmp_path: Path
) -> None:
    folder = night_with_a_walk_in
    config = folder.load_config()
    make_application()
    door = open_doors(folder, "Door 1", with_camera=False, with_sound=False)
    qtbot.addWidget(door)
    door.show()
    qtbot.waitUntil(lambda: door.registered_tile.value.text() == "5", timeout=10_000)

    console = DoorsFiguresPanel(lambda: CheckinRepository.for_event(folder, config))
    qtbot.addWidget(console)
    console.show()
    qtbot.waitUntil(lambda: console._values["registered"].text() == "5", timeout=10_000)
    assert console._values["walk_ins"].text() == "1"
    console.stop()

    pdf = tmp_path / "report.pdf"
    assert "Doors: 2 in of 5 registered, 1 walk-in," in report(folder)
    report(folder, "--pdf", str(pdf))
    page = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(pages)], check=True)
    peak = QColor(chart_palette.ARRIVALS_PEAK).rgb()
    assert any(colour_pixels(QImage(str(png)), peak) > 20 for png in tmp_path.glob("page*.png")), (
        "the report's arrivals chart shows no peak bar in the shared peak colour"
    )
    # the figure card: its value, then its English and Chinese caption
    assert re.search(r"\b5\s*\n\s*Registered\b", page) or re.search(
        r"Registered\s*\n?\s*已登記\s*\n?\s*5\b", page
    ), page[:2000]


def report(folder: EventFolder, *args: str) -> str:
    """`python main.py report` as the operator runs it; its standard output."""
    made = run_report(folder, *args)
    assert made.returncode == 0, made.stderr
    return made.stdout


def colour_pixels(image: QImage, rgb: int) -> int:
    """How many pixels of `image` are exactly `rgb` (alpha ignored)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixel(x, y) & 0xFFFFFF == rgb & 0xFFFFFF
    )


def test_the_console_chart_marks_the_peak_in_the_report_colours(qtbot: QtBot) -> None:
    make_application()
    chart = ArrivalsChart(5)
    qtbot.addWidget(chart)
    chart.resize(480, 220)
    start = dt.datetime(2026, 12, 5, 19, 0, tzinfo=dt.UTC)
    chart.set_slots(
        [(start + dt.timedelta(minutes=5 * n), people) for n, people in enumerate([3, 9, 4])]
    )
    image = chart.grab().toImage()
    bars = colour_pixels(image, QColor(chart_palette.ARRIVALS).rgb())
    peak = colour_pixels(image, QColor(chart_palette.ARRIVALS_PEAK).rgb())
    assert peak > 200 and bars > 200, (peak, bars)  # one peak bar, two ordinary ones
    assert colour_pixels(image, QColor("#4f8fd6").rgb()) == 0  # the console's old blue
