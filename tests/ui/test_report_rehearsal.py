"""The show report of a REAL night: doors scripted through `checkin`, a rehearsal with a broken
film, killed with SIGKILL mid-film, restored in the console and played to the end; then
`report --json --pdf --html` as a real process, checked against what happened. The PDF pages
are rendered with pdftoppm and the HTML opened in headless Chromium (screenshots in
build/screenshots/ for a person to look at)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QLabel

from kiosk.core import report as core_report
from kiosk.core.show import ShowPhase
from kiosk.media.generate import ClipSpec
from kiosk.render import report_pdf
from kiosk.render.chart_painter import paint_shapes as real_paint_shapes
from kiosk.render.report_layout import (
    ROW_MM,
    Line,
    Marker,
    Palette,
    Rect,
    Text,
    timeline_chart,
)
from kiosk.render.report_panel import report_panel
from kiosk.services import report as report_service
from kiosk.services.child_process import CHILD_NICE
from kiosk.services.open_event import OpenEvent
from kiosk.services.report import ReportService
from kiosk.store.checkins import CheckinRepository
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.console import report_view
from kiosk.ui.console.report_view import ReportView
from tests.conftest import film_toml, rehearse_until_killed, write_event
from tests.doors_helpers import Person, seed_people
from tests.film_cache import FilmCache

pytestmark = [pytest.mark.vlc, pytest.mark.slow, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"


def main_py(event: EventFolder, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--event", str(event.root), *args]


def offscreen_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_VLC_AOUT": "dummy"}


def pump_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Run the Qt event loop until `condition` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


@dataclass
class Night:
    """What the test did, to compare the report with."""

    folder: EventFolder
    people: list[Person]
    killed_at_position: float
    report: dict[str, Any]
    pdf: Path
    html: Path


def _doors(folder: EventFolder, people: list[Person]) -> None:
    """Ushers at two doors, as real `checkin` processes: four in and a bad code, scanned at
    the same time as two doors would; then a repeat of someone already in."""
    waves = [
        [
            (people[0].code, "Door 1", 0),
            (people[1].code, "Door 1", 0),
            (people[2].code, "Door 2", 0),
            ("NOT-A-TICKET", "Door 2", 1),  # invalid code
            (people[3].code, "Door 2", 0),
        ],
        [(people[0].code, "Door 2", 1)],  # already checked in
    ]
    for wave in waves:
        running = [
            (
                subprocess.Popen(
                    main_py(folder, "checkin", code, "--station", station),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                ),
                status,
            )
            for code, station, status in wave
        ]
        for process, status in running:
            output, _ = process.communicate(timeout=120)
            assert process.returncode == status, output


@pytest.fixture(scope="module")
def rehearsed_night(
    tmp_path_factory: pytest.TempPathFactory, film_cache: FilmCache
) -> Iterator[Night]:
    base = tmp_path_factory.mktemp("night")
    good = film_cache.render(ClipSpec(("Good", "好片"), 2.0, 320, 180), base / "good.mp4")
    six = film_cache.render(ClipSpec(("Six", "六"), 6.0, 320, 180), base / "six.mp4")
    data = good.read_bytes()
    truncated = base / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 2])
    folder = write_event(
        base / "event",
        [
            film_toml("N1", good),
            film_toml("N2", truncated),
            film_toml("N3", six).replace('runtime = "0:02"', 'runtime = "0:06"'),
            film_toml("N4", good),
        ],
    )
    toml = folder.root / "event.toml"  # 1 s title cards: the report reads the films, not them
    toml.write_text(
        toml.read_text("utf-8").replace("title_card_seconds = 3", "title_card_seconds = 1"),
        "utf-8",
    )
    people = seed_people(folder)
    _doors(folder, people)
    CheckinRepository.for_event(folder, folder.load_config()).walk_in(
        "即場觀眾", "Walk In", None, "Door 1", dt.datetime.now(dt.UTC)
    )

    killed_at = rehearse_until_killed(folder, "N3", 2.0, "--exit-at-end", env=offscreen_env())
    time.sleep(1.0)  # the projector is dark while nobody has restarted the console

    # this process's console plays to libvlc's dummy output; only while it runs (set for the
    # whole process, it silenced the next file's console on the same worker: the checklist's
    # tone was "played" to nowhere)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_VLC_AOUT", "dummy")
        make_application()
        window, _reporter = open_console(folder)  # the restore: paused at N3
        window.show()
        show = window.night.show
        assert show is not None and show.snapshot().phase is ShowPhase.PAUSED
        deadline = time.monotonic() + 0.5  # the operator reads the resume banner
        pump_until(lambda: time.monotonic() > deadline, 5, "the operator")
        show.go()
        pump_until(lambda: show.snapshot().phase is ShowPhase.ENDED, 60, "the end of the show")
        window.close()
        QCoreApplication.processEvents()

    out = base / "out"
    out.mkdir()
    pdf, html = out / "report.pdf", out / "report.html"
    result = subprocess.run(
        main_py(folder, "report", "--json", "--pdf", str(pdf), "--html", str(html)),
        env=offscreen_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    yield Night(folder, people, killed_at, json.loads(result.stdout), pdf, html)


def test_the_timeline_matches_what_happened(rehearsed_night: Night) -> None:
    report = rehearsed_night.report
    films = {f["id"]: f for f in report["films"]}
    assert [f["id"] for f in report["films"]] == ["N1", "N2", "N3", "N4"]
    assert {f["id"]: f["outcome"] for f in report["films"]} == {
        "N1": "played",
        "N2": "failed",
        "N3": "played",
        "N4": "played",
    }
    for key in ("id", "planned_start", "started", "ended", "played_s", "outcome", "incidents"):
        assert key in films["N1"]
    assert films["N1"]["played_s"] == pytest.approx(2.0, abs=0.8)
    assert films["N4"]["played_s"] == pytest.approx(2.0, abs=0.8)
    # N3 ran before the kill and after the restore: about its 6 s in all, never the dark time
    assert films["N3"]["played_s"] == pytest.approx(6.0, abs=1.6)
    failure = next(i for i in films["N2"]["incidents"] if i["kind"] == "failure")
    assert failure["reason"]  # libvlc's words: "found no picture" or "looks damaged"
    crash = next(i for i in report["incidents"] if i["kind"] == "crash")
    assert crash["film"] == "N3" and crash["restored_at"]
    assert crash["position_s"] == pytest.approx(rehearsed_night.killed_at_position, abs=1.1)
    # dark from the kill (+1 s nobody there, +0.5 s reading the banner) until N3 was back
    assert crash["dark_s"] >= 1.5
    assert report["dark_s"] >= crash["dark_s"]
    assert report["show"]["state"] == "ended" and report["show"]["played"] == 3
    started = [films[k]["started"] for k in ("N1", "N3", "N4")]
    assert started == sorted(started)
    assert films["N3"]["ended"] > crash["restored_at"]


def test_the_doors_are_counted_from_the_checkins(rehearsed_night: Night) -> None:
    doors = rehearsed_night.report["checkins"]
    assert doors["registered"] == len(rehearsed_night.people)
    assert doors["admitted"] == 5 and doors["walk_ins"] == 1
    assert doors["no_shows"] == len(rehearsed_night.people) - 4
    assert doors["refused"] == {"already_checked_in": 1, "invalid_code": 1}
    assert {name: counts["admitted"] for name, counts in doors["per_station"].items()} == {
        "Door 1": 3,
        "Door 2": 2,
    }
    assert {name: counts["refused"] for name, counts in doors["per_station"].items()} == {
        "Door 1": 0,
        "Door 2": 2,
    }
    walk_ins = sum(counts.get("walk_ins", 0) for counts in doors["per_station"].values())
    assert walk_ins == 1
    assert sum(a["count"] for a in doors["arrivals_per_5min"]) == 5


def test_the_pdf_is_a4_with_embedded_cjk_fonts_and_renders(rehearsed_night: Night) -> None:
    info = subprocess.run(
        ["pdfinfo", str(rehearsed_night.pdf)], capture_output=True, text=True, check=True
    )
    assert "(A4)" in info.stdout
    fonts = subprocess.run(
        ["pdffonts", str(rehearsed_night.pdf)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    text = subprocess.run(
        ["pdftotext", "-layout", str(rehearsed_night.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in ("Show report", "放映報告", "時間線", "N2", "Door 2"):
        assert expected in text
    # incidents in words, both languages; the journal's keys stay in the JSON
    # pdftotext gives some characters as their Kangxi radical forms (⽚ for 片): NFKC
    words = unicodedata.normalize("NFKC", text)
    for expected in (
        "Film failed",
        "影片播放失敗",
        "Console stopped and was restored",
        "Technical:",
    ):
        assert expected in words, expected
    for key in ("failure", "sound_lost", "holding", "stall"):  # ("crash · 當機" is a legend word)
        assert f" {key} " not in f" {text} ".replace("\n", " "), key
    assert text.count("Timeline") == 1, "one Timeline heading"
    assert "影片 N1" in words and "Film N1" in words  # both titles, in the table and the chart
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", str(rehearsed_night.pdf), str(SHOTS / "report-pdf")],
        check=True,
    )
    pages = sorted(SHOTS.glob("report-pdf-*.png"))
    assert pages
    shutil.copy(rehearsed_night.pdf, SHOTS / "report.pdf")


def test_the_html_opens_offline_in_headless_chromium(
    rehearsed_night: Night, tmp_path: Path
) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("Debian's chromium and chromium-driver are needed")
    html = rehearsed_night.html.read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<script" not in html and "<link" not in html
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name, (width, height) in {"desktop": (1280, 900), "phone": (390, 844)}.items():
            driver.set_window_size(width, height)
            driver.get(rehearsed_night.html.as_uri())
            assert "Show report" in driver.title
            charts = driver.execute_script(
                "return [...document.querySelectorAll('figure svg')].map("
                "s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height])"
            )
            assert len(charts) == 2 and all(w > 300 and h > 50 for w, h in charts), charts
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
            resources = driver.execute_script(
                "return performance.getEntriesByType('resource').length"
            )
            assert resources == 0  # nothing fetched: self-contained
            # a stat card's Chinese label breaks between words, never inside one (分｜鐘)
            split = driver.execute_script(
                "return [...document.querySelectorAll('.figure .label .zh')].filter(e => {"
                " const r = document.createRange(); const t = e.firstChild;"
                " for (let i = 1; i < t.length; i++) {"
                "  if (t.data[i] === ' ' || t.data[i - 1] === ' ') continue;"
                "  r.setStart(t, i - 1); r.setEnd(t, i); const a = r.getBoundingClientRect().top;"
                "  r.setStart(t, i); r.setEnd(t, i + 1);"
                "  if (Math.abs(r.getBoundingClientRect().top - a) > 2) return true; }"
                " return false; }).map(e => e.textContent)"
            )
            assert split == [], f"{name}: Chinese words split across lines: {split}"
            body = driver.find_element("tag name", "body").text
            assert "時間線" in body and "Incidents" in body and "N2" in body
            total = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(int(total) + 140, 8000))
            driver.save_screenshot(str(SHOTS / f"report-html-{name}.png"))
    finally:
        driver.quit()


def test_the_report_tab_draws_the_night(rehearsed_night: Night) -> None:
    make_application()
    tasks = TaskRunner()
    view = ReportView(OpenEvent.open(rehearsed_night.folder).report(), tasks, MessageBus())
    view.resize(1366, 900)
    view.show()
    pump_until(lambda: view.panel is not None, 60, "the report tab")
    assert view.timeline.chart is not None and view.incidents.rowCount() >= 2
    items = [view.incidents.item(r, 1) for r in range(view.incidents.rowCount())]
    kinds = {item.text() for item in items if item is not None}
    assert {
        "Film failed · 影片播放失敗",
        "Console stopped and was restored · 控制台中斷後恢復",
    } <= kinds
    assert view.export(
        rehearsed_night.folder.root / "tab-report.html"
    )  # written on a worker thread
    pump_until(lambda: not view.exporting, 20, "the export")
    exported = view.last_export
    assert exported is not None and exported.stat().st_size > 1000
    assert view.export(rehearsed_night.folder.root / "tab-report.pdf")  # painted off the GUI thread
    pump_until(lambda: not view.exporting, 20, "the PDF export")
    assert view.last_export is not None and view.last_export.read_bytes()[:5] == b"%PDF-"
    settle = time.monotonic() + 0.5  # let the layout follow the charts' heights
    pump_until(lambda: time.monotonic() > settle, 5, "the layout")
    timeline = view.timeline
    assert timeline.height() >= timeline.heightForWidth(timeline.width()) - 1  # never clipped
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / "report-tab.png"))
    view.close()


def children_of(pid: int) -> list[int]:
    """The processes `pid` started that still run."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def report_children_niceness(option: bytes) -> list[int]:
    """The niceness of each `report` child of this process run with `option`, once it is the
    report itself: not while it is still coreutils' `nice` (at our niceness until it lowers
    it and runs the command, which has the same arguments)."""
    found = []
    for child in children_of(os.getpid()):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if (
                b"report" in command
                and option in command
                and Path(os.fsdecode(command[0])).name != "nice"
            ):
                found.append(os.getpriority(os.PRIO_PROCESS, child))
    return found


@pytest.mark.logs_errors  # the export into a missing folder, told to the operator
def test_the_report_is_exported_by_a_child_at_a_lower_priority(
    rehearsed_night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Export PDF from the tab: the console builds and paints nothing of the file (that held
    the interpreter lock the show's GUI thread needs); a child process writes it, at a lower
    priority, and the tab says where."""
    painted_here: list[Path] = []
    monkeypatch.setattr(
        report_pdf, "write_report_pdf", lambda _report, path: painted_here.append(path)
    )
    make_application()
    messages: list[str] = []
    bus = MessageBus()
    bus.subscribe(lambda _level, _at, text: messages.append(text))
    view = ReportView(OpenEvent.open(rehearsed_night.folder).report(), TaskRunner(), bus)
    target = rehearsed_night.folder.root / "child-report.pdf"
    assert view.export(target)
    niceness: list[int] = []
    deadline = time.monotonic() + 60
    while view.exporting:
        assert time.monotonic() < deadline, "the export did not end"
        niceness += report_children_niceness(b"--pdf")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
    assert target.read_bytes()[:5] == b"%PDF-" and view.last_export == target
    assert painted_here == []  # nothing of the file made in this process
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness and set(niceness) == {min(19, ours + CHILD_NICE)}
    assert f"Show report written to {target}" in messages
    assert view.export(target.parent / "no-such-folder" / "r.pdf")
    pump_until(lambda: not view.exporting, 60, "the failing export")
    refused = [m for m in messages if m.startswith("Could not export the report")]
    assert refused == [
        f"Could not export the report to {target.parent / 'no-such-folder' / 'r.pdf'}: could not "
        f"write {target.parent / 'no-such-folder' / 'r.pdf'}: the PDF file could not be opened "
        "(is the folder there and writable?)"
    ]


def test_the_report_tab_updates_in_place(
    rehearsed_night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The charts are drawn on the report's worker, at the size the tab gives them; a report
    arriving again (every 15 s while the tab is shown) builds no widget, draws no chart and
    rewrites no incident when nothing changed: the answer lands on the GUI thread."""
    drawn_on: list[str] = []

    def paint_shapes(*args: Any, **kwargs: Any) -> None:
        drawn_on.append(threading.current_thread().name)
        real_paint_shapes(*args, **kwargs)

    monkeypatch.setattr(report_view, "paint_shapes", paint_shapes)
    make_application()
    tasks = TaskRunner()
    source = OpenEvent.open(rehearsed_night.folder).report()
    view = ReportView(source, tasks, MessageBus())
    view.resize(1366, 900)
    labels = len(view.findChildren(QLabel))  # built with the tab, before any report
    view.show()
    pump_until(lambda: view.panel is not None, 60, "the report tab")
    view.grab()  # painted: each chart copied from the worker's image
    assert len(drawn_on) == 2 and threading.main_thread().name not in drawn_on
    assert (view.timeline.renders, view.arrivals.renders) == (0, 0)
    rows = [view.incidents.item(r, 2) for r in range(view.incidents.rowCount())]
    view.show_panel(source.panel())  # the same night, built again
    view.grab()
    assert len(view.findChildren(QLabel)) == labels
    assert (view.timeline.renders, view.arrivals.renders) == (0, 0) and len(drawn_on) == 2
    assert all(view.incidents.item(r, 2) is item for r, item in enumerate(rows))
    assert view.incidents.rowCount() == len(rows) >= 2
    view.close()


def test_the_tab_shows_the_report_a_child_built(
    rehearsed_night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tab's report is built by a child process at a lower priority (seconds of Python
    that shared the interpreter lock with the show): the console builds none, and the tab
    shows exactly what `build_report` makes of the same night."""
    built_here: list[str] = []
    real_build = core_report.build_report

    def build_report(*args: Any, **kwargs: Any) -> Any:
        built_here.append(threading.current_thread().name)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(report_service, "build_report", build_report)  # as the service calls it
    make_application()
    source = OpenEvent.open(rehearsed_night.folder).report()
    view = ReportView(source, TaskRunner(), MessageBus())
    view.resize(1366, 900)
    view.show()
    niceness: list[int] = []
    deadline = time.monotonic() + 60
    while view.panel is None:
        assert time.monotonic() < deadline, "the tab's report did not come"
        niceness += report_children_niceness(b"--tab-json")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
    assert built_here == []  # nothing of the report built in the console's process
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness and set(niceness) == {min(19, ours + CHILD_NICE)}
    here = report_panel(source.build())  # the same night, built in this process
    assert built_here == ["MainThread"]
    assert view.panel == here  # figures, incident rows and both charts, shape for shape
    shown = [(value.text(), caption.text()) for value, caption in view._figure_labels]
    assert shown == [(f.value, f"{f.label_en} · {f.label_zh}") for f in here.summary.items]
    assert view.incidents.rowCount() == len(here.incidents) >= 2
    view.close()


@pytest.mark.logs_errors  # the failed build, told to the operator
def test_a_report_that_cannot_be_built_is_said_in_both_languages(
    rehearsed_night: Night, tmp_path: Path
) -> None:
    """The child could not build the report (here: its event folder is gone): the tab says
    so in English and Chinese, with the command's own reason, and the operator's messages
    carry it."""
    make_application()
    event = OpenEvent.open(rehearsed_night.folder)
    missing = tmp_path / "moved-away"
    source = ReportService(
        event.connect, event.config, event.programme, missing, event_root=missing
    )
    messages: list[str] = []
    bus = MessageBus()
    bus.subscribe(lambda _level, _at, text: messages.append(text))
    view = ReportView(source, TaskRunner(), bus)
    view.show()
    pump_until(lambda: bool(messages), 60, "the failed build")
    assert view.panel is None and view.refresh_button.isEnabled()
    said = view.state_label.text()
    assert said.startswith("The report could not be made: No event at ") and str(missing) in said
    assert said.endswith(" · 無法製作報告")
    assert messages == [
        f"Show report: No event at {missing}; pass --event DIR (or build the demo)."
    ]
    view.close()


def test_the_drawn_timeline_marks_what_happened(rehearsed_night: Night) -> None:
    report = OpenEvent.open(rehearsed_night.folder).report().build()
    chart = timeline_chart(report)
    labels = {
        s.text.split()[1]: s.y for s in chart.shapes if isinstance(s, Text) and ". N" in s.text
    }
    rows = {film: (y - 0.72 * ROW_MM, y + 0.28 * ROW_MM) for film, y in labels.items()}

    def in_row(film: str, y: float) -> bool:
        return rows[film][0] - 0.01 <= y <= rows[film][1] + 0.01

    bars = [s for s in chart.shapes if isinstance(s, Rect) and s.fill and s.opacity == 1.0]
    red = [s for s in chart.shapes if isinstance(s, Line) and s.colour == Palette.failed]
    assert any(in_row("N2", s.y1) for s in red)  # N2 is drawn failed (it showed no picture)
    marks = [s for s in chart.shapes if isinstance(s, Marker) and s.shape == "triangle"]
    assert any(in_row("N2", s.y) for s in marks)  # with its failure marked
    played = [s for s in bars if s.fill == Palette.played and in_row("N3", s.y)]
    assert len(played) == 2  # N3 ran in two stretches: before the kill and after the restore
    marks = [s for s in chart.shapes if isinstance(s, Marker) and s.title]  # not the legend
    crash = [s for s in marks if s.shape == "diamond"]
    assert len(crash) == 1 and in_row("N3", crash[0].y)
    assert played[0].x + played[0].w <= crash[0].x + 0.5 <= played[1].x  # the gap is the crash
    dark = [s for s in chart.shapes if isinstance(s, Rect) and s.fill == Palette.dark]
    assert any(abs(s.x - crash[0].x) < 0.5 and s.w > 1.0 for s in dark)  # shaded dark after it
