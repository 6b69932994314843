"""The Report tab's report as it crosses the pipe from the report child: every kind of shape
comes back equal through real JSON text, and an answer that is not a panel is refused in words
(the tab shows them). The round trip of a real night is in tests/ui/test_report_rehearsal.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kiosk.render.report_layout import Chart, Figure, Figures, Line, Marker, Paragraph, Rect, Text
from kiosk.render.report_panel import IncidentRow, PanelFormatError, ReportPanel


def a_panel() -> ReportPanel:
    chart = Chart(
        180.0,
        61.25,
        (
            Rect(1.0, 2.5, 30.125, 4.0, "#2e7d32", None, 0.6, "N1 · 好片"),
            Line(0.0, 1.0 / 3.0, 180.0, 1.0 / 3.0, "#eceef1", 0.2, dashed=True),
            Text(90.0, 10.0, "19:30 開場", 5.5, "#1b1d22", "middle", bold=True),
            Marker(42.1, 7.3, "#c62828", "diamond", 2.2, "Console stopped · 控制台中斷"),
        ),
        "Timeline",
        "時間線",
        note=None,
    )
    return ReportPanel(
        Paragraph("The show ended. · 節目已完結。"),
        Figures(
            (Figure("Films played", "已放映", "3 / 4"), Figure("Failed", "失敗", "1", "alert"))
        ),
        Figures((Figure("Admitted", "入場", "5"),)),
        chart,
        Chart(120.0, 40.0, (), "Arrivals", "入場時間", "no admissions yet"),
        (
            IncidentRow(
                ("19:31:02", "Film failed · 影片播放失敗", "N2 failed\nN2 失敗", "1.5 s"), True
            ),
        ),
    )


def test_a_panel_comes_back_equal_through_json_text() -> None:
    panel = a_panel()
    text = json.dumps(panel.to_json(), ensure_ascii=False, indent=2)
    assert ReportPanel.from_json(json.loads(text)) == panel


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda d: d.pop("timeline"), "KeyError('timeline')"),
        (lambda d: d["timeline"]["shapes"][0].update(kind="circle"), "unknown shape 'circle'"),
        (lambda d: d["summary"][0].update(colour="red"), "unexpected keyword argument 'colour'"),
        (lambda d: d["incidents"][0].update(cells=["19:31:02"]), "an incident row is four texts"),
    ],
)
def test_an_answer_that_is_not_a_panel_is_refused_in_words(spoil: Any, words: str) -> None:
    data = a_panel().to_json()
    spoil(data)
    with pytest.raises(PanelFormatError, match="the report's figures could not be read") as raised:
        ReportPanel.from_json(data)
    assert words in str(raised.value)


def test_a_list_is_not_a_panel() -> None:
    with pytest.raises(PanelFormatError):
        ReportPanel.from_json([1, 2, 3])
