"""`python main.py report` as a real process on events where the show never ran."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.render.report_panel import ReportPanel
from kiosk.store.event_folder import EventFolder
from tests.conftest import film_toml, write_event
from tests.doors_helpers import seed_people
from tests.report_helpers import run_report


def test_a_show_that_never_ran_says_so(tmp_path: Path, clips: dict[str, Path]) -> None:
    folder = write_event(tmp_path / "event", [film_toml("A1", clips["good"])])
    people = seed_people(folder)
    text = run_report(folder)
    assert text.returncode == 0, text.stderr
    assert "The show has not run" in text.stdout
    data = json.loads(run_report(folder, "--json").stdout)
    assert data["show"]["state"] == "not_started" and data["show"]["started"] is None
    (film,) = data["films"]
    assert film["outcome"] == "not_reached" and film["started"] is None
    assert film["planned_start"] == "2026-12-05T19:30:03.000+08:00"  # after a 3 s title card
    assert data["incidents"] == [] and data["dark_s"] == 0
    doors = data["checkins"]
    assert doors["registered"] == len(people) and doors["admitted"] == 0
    assert doors["no_shows"] == len(people) and doors["refused"] == {}
    assert data["reveal"]["steps"] == [] and data["vote"] is None


def test_pdf_and_html_of_an_empty_night(tmp_path: Path, clips: dict[str, Path]) -> None:
    folder = write_event(tmp_path / "event", [film_toml("A1", clips["good"])])
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    result = run_report(folder, "--pdf", str(pdf), "--html", str(html))
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and not (tmp_path / "r.pdf.part").exists()
    page = html.read_text(encoding="utf-8")
    assert "節目未曾開始" in page and "The show never ran" in page


def test_no_event_is_a_clear_error(tmp_path: Path) -> None:
    result = run_report(EventFolder(tmp_path / "nothing"), "--json")
    assert result.returncode == 1 and "No event at" in result.stderr


def test_the_tabs_report_of_a_night_that_never_ran(tmp_path: Path, clips: dict[str, Path]) -> None:
    """`report --tab-json`, what the console's Report tab reads: the state line in red, the
    figures as shown, no incident; one object at a time."""
    folder = write_event(tmp_path / "event", [film_toml("A1", clips["good"])])
    result = run_report(folder, "--tab-json")
    assert result.returncode == 0, result.stderr
    panel = ReportPanel.from_json(json.loads(result.stdout))
    assert panel.state.tone == "alert" and "節目未曾開始" in panel.state.text
    figures = {f.label_en: f.value for f in panel.summary.items}
    assert figures["Films played"] == "0 / 1" and figures["Admitted"] == "0"
    assert panel.incidents == () and panel.timeline.shapes
    both = run_report(folder, "--json", "--tab-json")
    assert both.returncode == 1 and both.stdout == ""
    assert "--json and --tab-json print different objects" in both.stderr
