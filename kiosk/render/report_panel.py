"""What the console's Report tab shows, as plain data that crosses a pipe.

Building the show report is pure Python (0.12-0.16 s for a night of 200,000 registrations
and 3,600 journal lines, every 15 s while the tab is shown, and longer when that thread is
preempted); in the console it shares the interpreter lock with the GUI thread that times the
show's cuts. So the tab's report is built by a child
process (`main.py report --tab-json`, at a lower priority) and what the tab shows comes back
as one JSON object: the state line, the key figures, the doors' figures, the incident rows
and the two charts' shapes. The console only reads that and draws.

`report_panel` is the one place that decides what the tab shows of a report;
`ReportPanel.to_json` / `ReportPanel.from_json` carry it across the pipe unchanged (floats
round-trip exactly through JSON).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.core.report import IncidentKind, ShowReport
from kiosk.render.report_layout import (
    Chart,
    Figure,
    Figures,
    Line,
    Marker,
    Paragraph,
    Rect,
    Shape,
    Text,
    arrivals_chart,
    incident_kind_words,
    layout_report,
    state_line,
    timeline_chart,
)

SERIOUS = (IncidentKind.CRASH, IncidentKind.FAILURE, IncidentKind.SOUND_LOST)  # drawn in red
SHAPE_KINDS: dict[str, type[Shape]] = {"rect": Rect, "line": Line, "text": Text, "marker": Marker}


class PanelFormatError(ValueError):
    """The tab's report as received could not be read (what was wrong, in words)."""


@dataclass(frozen=True)
class IncidentRow:
    """One row of the tab's incident list: time, kind, what happened, dark seconds."""

    cells: tuple[str, str, str, str]
    serious: bool  # drawn in red


@dataclass(frozen=True)
class ReportPanel:
    """Everything the Report tab shows of a report, and nothing else."""

    state: Paragraph
    summary: Figures
    doors: Figures
    timeline: Chart
    arrivals: Chart
    incidents: tuple[IncidentRow, ...]

    def to_json(self) -> dict[str, Any]:
        """The object `report --tab-json` prints (docs/reference/json.md)."""
        return {
            "state": dataclasses.asdict(self.state),
            "summary": [dataclasses.asdict(item) for item in self.summary.items],
            "doors": [dataclasses.asdict(item) for item in self.doors.items],
            "timeline": _chart_json(self.timeline),
            "arrivals": _chart_json(self.arrivals),
            "incidents": [
                {"cells": list(row.cells), "serious": row.serious} for row in self.incidents
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> ReportPanel:
        """The panel `to_json` gave; PanelFormatError if `data` is not one."""
        try:
            return cls(
                state=Paragraph(**data["state"]),
                summary=Figures(tuple(Figure(**item) for item in data["summary"])),
                doors=Figures(tuple(Figure(**item) for item in data["doors"])),
                timeline=_chart_from(data["timeline"]),
                arrivals=_chart_from(data["arrivals"]),
                incidents=tuple(_row_from(row) for row in data["incidents"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PanelFormatError(f"the report's figures could not be read ({exc!r})") from exc


def report_panel(report: ShowReport) -> ReportPanel:
    """What the Report tab shows of `report`: the summary's figures, the doors' figures
    merged into one grid, the two charts and the incident list."""
    layout = layout_report(report)
    figures = [b for s in layout.sections for b in s.blocks if isinstance(b, Figures)]
    return ReportPanel(
        state=state_line(report),
        summary=figures[0],
        doors=Figures(tuple(item for block in figures[1:] for item in block.items)),
        timeline=timeline_chart(report),
        arrivals=arrivals_chart(report),
        incidents=tuple(
            IncidentRow(
                (
                    report.local(incident.at),
                    incident_kind_words(incident).pair(),
                    incident.in_words(report.tz).pair("\n"),
                    f"{incident.dark_s:.1f} s" if incident.dark_s else "—",
                ),
                incident.kind in SERIOUS,
            )
            for incident in report.incidents
        ),
    )


def _chart_json(chart: Chart) -> dict[str, Any]:
    kinds = {kind: name for name, kind in SHAPE_KINDS.items()}
    return {
        "width": chart.width,
        "height": chart.height,
        "caption_en": chart.caption_en,
        "caption_zh": chart.caption_zh,
        "note": chart.note,
        "shapes": [{"kind": kinds[type(s)], **dataclasses.asdict(s)} for s in chart.shapes],
    }


def _chart_from(data: Mapping[str, Any]) -> Chart:
    shapes = tuple(_shape_from(shape) for shape in data["shapes"])
    fields = {k: v for k, v in data.items() if k != "shapes"}
    return Chart(shapes=shapes, **fields)


def _shape_from(data: Mapping[str, Any]) -> Shape:
    fields = dict(data)
    kind = SHAPE_KINDS.get(fields.pop("kind", None))
    if kind is None:
        raise ValueError(f"unknown shape {data.get('kind')!r}")
    return kind(**fields)


def _row_from(data: Mapping[str, Any]) -> IncidentRow:
    cells: Sequence[str] = data["cells"]
    if len(cells) != 4 or not all(isinstance(cell, str) for cell in cells):
        raise ValueError("an incident row is four texts")
    return IncidentRow((cells[0], cells[1], cells[2], cells[3]), bool(data["serious"]))
