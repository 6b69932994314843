"""One layout of the show report, drawn by both the PDF and the HTML writer.

Plain Python (no Qt): `layout_report` turns a `ShowReport` into sections of headings, key
figures, tables and charts, and each chart into drawing primitives (rectangles, lines, text,
markers) in millimetres. `report_pdf` paints those primitives with QPainter, `report_html`
writes them as inline SVG, so the two outputs never compute a position or a colour twice.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from kiosk.core import chart_palette, glossary
from kiosk.core.report import (
    FilmReport,
    Incident,
    IncidentKind,
    Outcome,
    RevealStepRecord,
    ShowReport,
    ShowState,
)
from kiosk.core.report.words import FADED_TO_BLACK, INCIDENT_WORDS, cue_words

CHART_WIDTH_MM = 180.0
ROW_MM = 3.6  # one film's row on the timeline
SHIFT_PLANNED_AFTER_S = 2 * 3600  # a rehearsal on another day: plan drawn from actual start
LABEL_COLUMN_MM = 38.0  # the timeline's film names, left of the time axis
LABEL_LINE_MM = 2.3  # each further line of a film name that needs more than one
TOP_AXIS_FROM_ROWS = 12  # over this many films the clock times are repeated above the chart
TOP_AXIS_MM = 3.5
POINT_WIDTH_MM = 25.4 / 72


def wrap_label(text: str, width_mm: float, size_pt: float) -> list[str]:
    """`text` in lines that fit `width_mm` at `size_pt`, estimated from character widths (a
    Chinese character is a full em, Latin about half): Latin breaks at spaces, Chinese between
    any two characters. Nothing is cut."""
    em = size_pt * POINT_WIDTH_MM

    def width(part: str) -> float:
        return sum(em if unicodedata.east_asian_width(c) in "WF" else em * 0.55 for c in part)

    lines: list[str] = []
    line = ""
    for token in re.findall(
        r"[^\s\u2e80-\u9fff\uff00-\uffef]+|[\u2e80-\u9fff\uff00-\uffef]|\s+", text
    ):
        candidate = line + token
        if line.strip() and width(candidate.rstrip()) > width_mm:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines or [text]


class Palette:
    """Print colours (light paper), shared by PDF and HTML."""

    ink = "#1b1d22"
    muted = "#6b7280"
    rule = "#d1d5db"
    grid = "#eceef1"
    planned = "#9ca3af"
    played = "#2e7d32"
    skipped = "#d49a00"
    failed = "#c62828"
    not_reached = "#c7cbd1"
    incident = "#c62828"
    pause = "#1f6feb"
    dark = "#c62828"
    intermission = "#dbe4f0"
    bar = chart_palette.ARRIVALS
    peak = chart_palette.ARRIVALS_PEAK


OUTCOME_COLOURS = {
    Outcome.PLAYED: Palette.played,
    Outcome.SKIPPED: Palette.skipped,
    Outcome.FAILED: Palette.failed,
    Outcome.NOT_REACHED: Palette.not_reached,
}
OUTCOME_LABELS = {
    Outcome.PLAYED: ("played", "已放映"),
    Outcome.SKIPPED: ("skipped", "跳過"),
    Outcome.FAILED: ("failed", "播放失敗"),
    Outcome.NOT_REACHED: ("not reached", "未放映"),
}


# --- drawing primitives (millimetres, origin top left) -------------------------------------


@dataclass(frozen=True)
class Rect:
    """A filled (and optionally outlined) rectangle."""

    x: float
    y: float
    w: float
    h: float
    fill: str | None
    stroke: str | None = None
    opacity: float = 1.0
    title: str | None = None  # a tooltip in HTML


@dataclass(frozen=True)
class Line:
    """A straight line."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 0.2
    dashed: bool = False


@dataclass(frozen=True)
class Text:
    """One line of text; `anchor` is start, middle or end; `y` is the baseline."""

    x: float
    y: float
    text: str
    size: float  # points
    colour: str = Palette.ink
    anchor: str = "start"
    bold: bool = False


@dataclass(frozen=True)
class Marker:
    """An incident mark: a small downward triangle (or a diamond) centred on x, tip at y."""

    x: float
    y: float
    colour: str
    shape: str = "triangle"
    size: float = 2.2
    title: str | None = None

    def points(self) -> list[tuple[float, float]]:
        """The mark's corners (a triangle pointing down at y, or a diamond centred on y)."""
        s, x, y = self.size, self.x, self.y
        if self.shape == "diamond":
            return [(x, y - s / 2), (x + s / 2, y), (x, y + s / 2), (x - s / 2, y)]
        return [(x - s / 2, y - s * 0.8), (x + s / 2, y - s * 0.8), (x, y)]


Shape = Rect | Line | Text | Marker


@dataclass(frozen=True)
class Chart:
    """A vector chart: primitives in a `width` x `height` mm box, with a bilingual caption."""

    width: float
    height: float
    shapes: tuple[Shape, ...]
    caption_en: str
    caption_zh: str
    note: str | None = None


# --- document blocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A line or two of prose; `tone` "alert" is drawn in red."""

    text: str
    tone: str = "normal"


@dataclass(frozen=True)
class Figure:
    """One key figure: bilingual label and value."""

    label_en: str
    label_zh: str
    value: str
    tone: str = "normal"


@dataclass(frozen=True)
class Figures:
    """A row of key figures."""

    items: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    """A table with bilingual column headings; `tones` colours whole rows ("alert", "muted")."""

    headers: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    tones: tuple[str, ...] = ()
    align_right: frozenset[int] = frozenset()


Block = Paragraph | Figures | Table | Chart


@dataclass(frozen=True)
class Section:
    """A titled part of the report."""

    heading_en: str
    heading_zh: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportLayout:
    """The whole document: title lines and sections in order."""

    title_en: str
    title_zh: str
    subtitle: str
    made: str
    sections: tuple[Section, ...] = field(default_factory=tuple)


# --- building the layout ------------------------------------------------------------------


def layout_report(report: ShowReport) -> ReportLayout:
    """The report as sections to draw (same for PDF, HTML and the console's figures)."""
    sections = (
        _summary_section(report),
        _timeline_section(report),
        _films_section(report),
        _incidents_section(report),
        _doors_section(report),
        _reveal_section(report),
    )
    subtitle = f"{report.programme_en} · {report.programme_zh} · " + report.local(
        report.planned_start, "%Y-%m-%d"
    )
    return ReportLayout(
        title_en=f"Show report — {report.event_name_en}",
        title_zh=f"放映報告 — {report.event_name_zh}",
        subtitle=subtitle,
        made=f"Made {report.local(report.made_at, '%Y-%m-%d %H:%M')} ({report.zone}) "
        "from the journal and the check-ins",
        sections=sections,
    )


def state_line(report: ShowReport) -> Paragraph:
    """What became of the show, in one sentence that never flatters it."""
    match report.state:
        case ShowState.NOT_STARTED:
            return Paragraph(
                "The show never ran: the journal has no show that left the holding slide. "
                "· 節目未曾開始放映。",
                "alert",
            )
        case ShowState.UNDER_WAY:
            return Paragraph(
                f"The show started at {report.local(report.started)} and has not ended "
                f"(last record {report.local(report.last_record)}): it is running, or it "
                "stopped without ending. · 節目已開始但未完結。",
                "alert",
            )
    return Paragraph(
        f"The show started at {report.local(report.started)} "
        f"(planned {report.local(report.planned_start, '%H:%M')}) and ended at "
        f"{report.local(report.ended)}. · 節目已完結。"
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _summary_section(report: ShowReport) -> Section:
    doors = report.checkins
    figures = Figures(
        (
            Figure("Films played", "已放映", f"{report.played} / {len(report.films)}"),
            Figure(
                "Skipped",
                "跳過",
                str(report.count(Outcome.SKIPPED)),
                "alert" if report.count(Outcome.SKIPPED) else "normal",
            ),
            Figure(
                "Failed",
                "失敗",
                str(report.count(Outcome.FAILED)),
                "alert" if report.count(Outcome.FAILED) else "normal",
            ),
            Figure("Incidents", "事故", str(len(report.incidents))),
            Figure(
                "Projector dark",
                "黑畫面",
                f"{report.dark_s:.0f} s",
                "alert" if report.dark_s >= 1 else "normal",
            ),
            Figure("Admitted", "入場", f"{doors.admitted}"),
        )
    )
    blocks: list[Block] = [state_line(report), figures]
    if report.earlier_runs:
        blocks.append(
            Paragraph(
                f"{report.earlier_runs} earlier run(s) of the show (rehearsals or a start-over) "
                "are in the journal before this one; this report covers the last run."
            )
        )
    return Section("Summary", "摘要", tuple(blocks))


# --- the timeline chart -------------------------------------------------------------------


@dataclass(frozen=True)
class _Axis:
    start: dt.datetime
    end: dt.datetime
    left: float
    width: float

    def x(self, moment: dt.datetime) -> float:
        span = max(1.0, (self.end - self.start).total_seconds())
        offset = (moment - self.start).total_seconds()
        return self.left + self.width * min(1.0, max(0.0, offset / span))


def _plan_shift(report: ShowReport) -> dt.timedelta:
    """How far the plan is moved to be drawn against the actual times (0 unless a rehearsal
    ran hours away from the planned start, e.g. on another day)."""
    if report.started is None:
        return dt.timedelta(0)
    delta = report.started - report.planned_start
    if abs(delta.total_seconds()) > SHIFT_PLANNED_AFTER_S:
        return delta
    return dt.timedelta(0)


DOORS_BEFORE = dt.timedelta(minutes=90)  # admissions this long before the show are drawn


def _chart_span(report: ShowReport, shift: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
    """The stretch of time the timeline shows: the plan, the show, its incidents, the doors
    (up to DOORS_BEFORE ahead of the show) and the reveal."""
    moments: list[dt.datetime] = []
    for film in report.films:
        moments += [film.planned_start + shift, film.planned_end + shift]
        moments += [m for m in (film.started, film.ended) if m is not None]
    moments += [i.at for i in report.incidents]
    moments += [i.until for i in report.incidents if i.until is not None]
    for moment in (report.started, report.ended, report.last_record):
        if moment is not None:
            moments.append(moment)
    show_start, show_end = min(moments), max(moments)
    moments += [s.at for s in report.reveal.steps if s.at >= show_start]
    earliest = _doors_from(show_start, show_end)
    moments += [t for t in report.checkins.admission_times if t >= earliest]
    return min(moments), max(moments)


def _doors_from(show_start: dt.datetime, show_end: dt.datetime) -> dt.datetime:
    """The earliest admission drawn: up to DOORS_BEFORE ahead of the show, but never more than
    a third of the show's own length (or 10 minutes), so the doors do not squash the films."""
    ahead = min(DOORS_BEFORE, max((show_end - show_start) / 3, dt.timedelta(minutes=10)))
    return show_start - ahead


def _doors_in_view(report: ShowReport, start: dt.datetime) -> list[dt.datetime]:
    return [t for t in report.checkins.admission_times if t >= start]


def timeline_chart(report: ShowReport) -> Chart:
    """Planned against actual, one row per film: plan as a grey outline, what played as a bar
    coloured by outcome, incidents as red marks, dark time shaded red, the intermission blue;
    above the films the doors (admissions per minute), below them the reveal's steps."""
    shift = _plan_shift(report)
    films = report.films
    row_h, label_w = ROW_MM, LABEL_COLUMN_MM
    labels = [
        wrap_label(f"{film.position:>2}. {film.id} {_both_titles(film)}", label_w - 2.0, 5.5)
        for film in films
    ]
    row_tops = [0.0]
    for lines in labels:  # a row grows by a line for each line of its label beyond the first
        row_tops.append(row_tops[-1] + row_h + (len(lines) - 1) * LABEL_LINE_MM)
    start, end = _chart_span(report, shift)
    axis = _Axis(start, end + dt.timedelta(seconds=1), label_w, CHART_WIDTH_MM - label_w - 2)
    doors = _doors_in_view(report, start)
    steps = [s for s in report.reveal.steps if s.at >= start]
    lane = bool(report.checkins.admission_times)
    axis_on_top = len(films) > TOP_AXIS_FROM_ROWS
    grid_top = 7.0 + (TOP_AXIS_MM if axis_on_top else 0.0)
    top = grid_top + 2.0 + (row_h * 1.5 if lane else 0.0)
    bottom = top + row_tops[-1]
    height = bottom + (row_h * 1.5 if steps else 0.0) + 12.0
    shapes: list[Shape] = []
    shapes += _time_grid(
        report,
        axis,
        grid_top,
        bottom + (row_h * 1.5 if steps else 0.0),
        labels_above=grid_top - 1.2 if axis_on_top else None,
    )
    if lane:
        shapes += _doors_lane(report, axis, doors, top - row_h * 1.5, row_h * 1.3)
    if steps:
        shapes += _reveal_lane(report, axis, steps, bottom + row_h * 0.2, row_h * 1.3)
    if report.intermission is not None:
        span_end = report.intermission.end or report.last_record or report.intermission.start
        x1, x2 = axis.x(report.intermission.start), axis.x(span_end)
        shapes.append(
            Rect(
                x1,
                top - 1,
                max(0.4, x2 - x1),
                bottom - top + 1,
                Palette.intermission,
                title="Intermission · 中場休息",
            )
        )
        shapes.append(
            Text((x1 + x2) / 2, top - 1.6, "Intermission · 中場", 5.5, Palette.muted, "middle")
        )
    for incident in report.incidents:
        if incident.dark_s >= 0.5:
            x1 = axis.x(incident.at)
            x2 = axis.x(incident.at + dt.timedelta(seconds=incident.dark_s))
            shapes.append(
                Rect(
                    x1,
                    top - 1,
                    max(0.5, x2 - x1),
                    bottom - top + 1,
                    Palette.dark,
                    None,
                    0.18,
                    title=f"Projector dark {incident.dark_s:.1f} s: {incident.describe(report.tz)}",
                )
            )
    for row, film in enumerate(films):
        y = top + row_tops[row]
        ink = Palette.ink if film.started else Palette.muted
        for line, text in enumerate(labels[row]):
            shapes.append(Text(1.0, y + row_h * 0.72 + line * LABEL_LINE_MM, text, 5.5, ink))
        px1 = axis.x(film.planned_start + shift)
        px2 = axis.x(film.planned_end + shift)
        shapes.append(
            Rect(
                px1,
                y + 0.35,
                max(0.4, px2 - px1),
                row_h - 0.7,
                None,
                Palette.planned,
                title=f"{film.id} planned {report.local(film.planned_start + shift)}",
            )
        )
        first = film.started or film.cued  # a film that failed before any picture: its cue
        if first is not None:
            colour = OUTCOME_COLOURS[film.outcome]
            finish = film.ended or film.left or report.last_record or first
            x1, x2 = axis.x(first), axis.x(finish)
            mid = y + row_h / 2
            thin = 0.35 if film.segments else 0.8  # no picture at all: a bolder line
            shapes.append(Line(x1, mid, max(x1 + 0.3, x2), mid, colour, thin))
            title = (
                f"{film.id} {OUTCOME_LABELS[film.outcome][0]} "
                f"{report.local(film.started)}–{report.local(film.ended)}, "
                f"played {film.played_s:.1f} s"
            )
            for span in film.segments:  # solid while it ran; the thin line is the held time
                s1, s2 = axis.x(span.start), axis.x(span.end or finish)
                shapes.append(
                    Rect(s1, y + 0.9, max(0.4, s2 - s1), row_h - 1.8, colour, title=title)
                )
        for incident in film.incidents:
            shapes.append(_incident_marker(incident, axis.x(incident.at), y, report))
    for incident in report.incidents:
        if incident.film is None:
            shapes.append(_incident_marker(incident, axis.x(incident.at), top - 4.2, report))
    shapes += _timeline_legend(height - 3.0)
    note = None
    if shift:
        note = (
            f"The plan ({report.local(report.planned_start, '%Y-%m-%d %H:%M')}) is drawn from "
            f"the actual start ({report.local(report.started, '%Y-%m-%d %H:%M')}), "
            "shifted by the difference: this run was not at the planned time."
        )
    if report.state is ShowState.NOT_STARTED:
        note = "The show never ran: only the plan is drawn. · 節目未曾開始：只顯示計劃。"
    return Chart(
        CHART_WIDTH_MM,
        height,
        tuple(shapes),
        "Planned and actual",
        "計劃與實際",
        note,
    )


def _doors_lane(
    report: ShowReport, axis: _Axis, times: Sequence[dt.datetime], y: float, h: float
) -> list[Shape]:
    """Admissions per minute (per 10 s on a chart shorter than half an hour) as small bars in
    a lane of height `h` at `y`."""
    width = 60 if (axis.end - axis.start) >= dt.timedelta(minutes=30) else 10
    per_minute: dict[int, int] = {}
    for moment in times:
        minute = int(moment.timestamp()) // width
        per_minute[minute] = per_minute.get(minute, 0) + 1
    peak = max(per_minute.values(), default=1)
    earlier = len(report.checkins.admission_times) - len(times)
    label = "Doors · 入場" + (f" (+{earlier} before)" if earlier else "")
    shapes: list[Shape] = [Text(1.0, y + h * 0.75, label, 5.5, Palette.ink, bold=True)]
    for minute, count in sorted(per_minute.items()):
        at = dt.datetime.fromtimestamp(minute * width, dt.UTC)
        x1 = axis.x(max(at, axis.start))
        x2 = axis.x(at + dt.timedelta(seconds=width))
        bar = h * count / peak
        local = report.local(at, "%H:%M")
        shapes.append(
            Rect(x1, y + h - bar, max(0.3, x2 - x1), bar, Palette.bar, title=f"{local}: {count} in")
        )
    return shapes


def _reveal_lane(
    report: ShowReport, axis: _Axis, steps: Sequence[RevealStepRecord], y: float, h: float
) -> list[Shape]:
    """The reveal's steps as ticks; a winner card as a gold diamond (award, never the film)."""
    shapes: list[Shape] = [Text(1.0, y + h * 0.75, "Awards · 頒獎", 5.5, Palette.ink, bold=True)]
    for step in steps:
        x = axis.x(step.at)
        title = f"{report.local(step.at)} step {step.step + 1}: {step.kind} {step.award or ''}"
        if step.kind == "winner":
            shapes.append(Marker(x, y + h / 2, Palette.peak, "diamond", 2.4, title))
        else:
            shapes.append(Line(x, y + 0.3, x, y + h - 0.3, Palette.muted, 0.3))
    return shapes


def _incident_marker(incident: Incident, x: float, y: float, report: ShowReport) -> Marker:
    """A mark inside the film's row (top `y`): a triangle pointing down at the moment, or a
    diamond for a crash."""
    colour = Palette.pause if incident.kind is IncidentKind.PAUSE else Palette.incident
    title = f"{report.local(incident.at)} {incident.describe(report.tz)}"
    if incident.kind in (IncidentKind.CRASH, IncidentKind.CLOSED):
        return Marker(x, y + ROW_MM / 2, colour, "diamond", 2.6, title)
    return Marker(x, y + 1.7, colour, "triangle", 2.0, title)


def _time_grid(
    report: ShowReport,
    axis: _Axis,
    top: float,
    bottom: float,
    *,
    labels_above: float | None = None,
) -> list[Shape]:
    """Time lines with their clock times under the chart, and above it too (baseline
    `labels_above`) when the chart is too long to read the times from the bottom alone."""
    span = (axis.end - axis.start).total_seconds()
    step = next((s for s in (10, 30, 60, 120, 300, 600, 900, 1800, 3600) if span / s <= 8), 7200)
    local_start = axis.start.astimezone(report.tz)
    first = local_start.replace(microsecond=0)
    seconds = first.hour * 3600 + first.minute * 60 + first.second
    tick = first + dt.timedelta(seconds=(-seconds) % step)
    shapes: list[Shape] = []
    fmt = "%H:%M:%S" if step < 60 else "%H:%M"
    while tick <= axis.end:
        x = axis.x(tick)
        shapes.append(Line(x, top, x, bottom, Palette.grid, 0.2))
        shapes.append(
            Text(
                x,
                bottom + 3.2,
                tick.astimezone(report.tz).strftime(fmt),
                5.5,
                Palette.muted,
                "middle",
            )
        )
        if labels_above is not None:
            shapes.append(
                Text(
                    x,
                    labels_above,
                    tick.astimezone(report.tz).strftime(fmt),
                    5.5,
                    Palette.muted,
                    "middle",
                )
            )
        tick += dt.timedelta(seconds=step)
    shapes.append(Line(axis.left, bottom, axis.left + axis.width, bottom, Palette.rule, 0.25))
    return shapes


def _timeline_legend(y: float) -> list[Shape]:
    shapes: list[Shape] = []
    x = 1.0
    items: list[tuple[str, Shape]] = [
        ("planned · 計劃", Rect(x, y - 2, 5, 2.4, None, Palette.planned)),
    ]
    for outcome in (Outcome.PLAYED, Outcome.SKIPPED, Outcome.FAILED):
        en, zh = OUTCOME_LABELS[outcome]
        items.append((f"{en} · {zh}", Rect(0, y - 2, 5, 2.4, OUTCOME_COLOURS[outcome])))
    items.append(("incident · 事故", Marker(0, y - 2.2, Palette.incident)))
    items.append(("crash · 當機", Marker(0, y - 2.4, Palette.incident, "diamond", 2.4)))
    items.append(("dark · 黑畫面", Rect(0, y - 2, 5, 2.4, Palette.dark, None, 0.18)))
    for label, shape in items:
        if isinstance(shape, Rect):
            shapes.append(
                Rect(x, shape.y, shape.w, shape.h, shape.fill, shape.stroke, shape.opacity)
            )
            text_x = x + 6
        else:
            assert isinstance(shape, Marker)
            shapes.append(Marker(x + 1.2, shape.y, shape.colour, shape.shape, shape.size))
            text_x = x + 3.4
        shapes.append(Text(text_x, y, label, 5.5, Palette.muted))
        x = text_x + 3.0 + len(label) * 1.25
    return shapes


# --- the arrivals chart -------------------------------------------------------------------


def arrivals_chart(report: ShowReport) -> Chart:
    """People admitted per 5 minutes, the peak slot in its own colour (as on the console),
    slot times under the bars."""
    slots = list(report.checkins.arrivals)
    height, top, left = 46.0, 5.0, 10.0
    bottom = height - 8.0
    width = CHART_WIDTH_MM - left - 2
    shapes: list[Shape] = []
    peak = max((c for _, c in slots), default=0)
    scale_top = max(1, peak)
    shapes.append(Line(left, bottom, left + width, bottom, Palette.rule, 0.25))
    for fraction in (0.5, 1.0):
        y = bottom - (bottom - top) * fraction
        shapes.append(Line(left, y, left + width, y, Palette.grid, 0.2, dashed=True))
        shapes.append(
            Text(left - 1.5, y + 1.0, f"{scale_top * fraction:g}", 5.5, Palette.muted, "end")
        )
    if not slots:
        shapes.append(
            Text(
                left + width / 2,
                (top + bottom) / 2,
                "No admissions recorded · 沒有入場紀錄",
                8,
                Palette.muted,
                "middle",
            )
        )
    count = max(1, len(slots))
    pitch = width / count
    every = max(1, round(count / 12))
    for index, (start, people) in enumerate(slots):
        bar_h = (bottom - top) * people / scale_top
        x = left + index * pitch
        colour = Palette.peak if people == peak and peak else Palette.bar
        local = start.astimezone(report.tz).strftime("%H:%M")
        shapes.append(
            Rect(
                x + pitch * 0.12,
                bottom - bar_h,
                pitch * 0.76,
                bar_h,
                colour,
                title=f"{local}: {people} admitted",
            )
        )
        if people == peak and peak:
            shapes.append(
                Text(
                    x + pitch / 2,
                    bottom - bar_h - 1.0,
                    str(people),
                    6,
                    Palette.peak,
                    "middle",
                    bold=True,
                )
            )
        if index % every == 0:
            shapes.append(Text(x + pitch / 2, bottom + 3.5, local, 5.5, Palette.muted, "middle"))
    return Chart(
        CHART_WIDTH_MM, height, tuple(shapes), "Arrivals per 5 minutes", "每 5 分鐘入場人數"
    )


# --- sections -----------------------------------------------------------------------------


def _timeline_section(report: ShowReport) -> Section:
    blocks: list[Block] = [timeline_chart(report)]
    doors = report.checkins
    if doors.first_admission is not None or report.doors_planned is not None:
        planned = (
            f"planned to open {report.local(report.doors_planned, '%H:%M')}; "
            if report.doors_planned
            else ""
        )
        half = (
            f"; half of them in {_minutes(doors.time_to_50_s)} after the first"
            if doors.time_to_50_s is not None
            else ""
        )
        blocks.append(
            Paragraph(
                f"Doors · 入場: {planned}first admission {report.local(doors.first_admission)}, "
                f"last {report.local(doors.last_admission)}, {doors.admitted} in{half}."
            )
        )
    if report.intermission is not None:
        planned = _duration(report.planned_intermission_s)
        actual_end = report.intermission.end
        actual = (
            _duration((actual_end - report.intermission.start).total_seconds())
            if actual_end
            else "not over"
        )
        blocks.append(
            Paragraph(
                f"Intermission · 中場休息: {report.local(report.intermission.start)}–"
                f"{report.local(actual_end)}, {actual} (planned {planned})."
            )
        )
    return Section("Timeline", "時間線", tuple(blocks))


def _films_section(report: ShowReport) -> Section:
    rows: list[tuple[str, ...]] = []
    tones: list[str] = []
    for film in report.films:
        en, zh = OUTCOME_LABELS[film.outcome]
        outcome = f"{en}" + (" (now)" if film.in_progress else "") + f"\n{zh}"
        late = (
            _signed((film.started - film.planned_start).total_seconds())
            if film.started and not _plan_shift(report)
            else "—"
        )
        gain = "—"
        sound = film.sound
        if sound is not None and sound.played_db is not None:
            gain = _decibels(sound.played_db)
        elif sound is not None and sound.gain_db is not None:
            gain = f"{_decibels(sound.gain_db + sound.trim_db)} planned"
        if sound is not None and gain != "—":
            if sound.trim_db:
                gain += f"\ntrim\u00a0{_decibels(sound.trim_db)}"
            if sound.limited:
                gain += "\nlimited"
        rows.append(
            (
                str(film.position),
                _film_title(film.id, film.title_en, film.title_zh),
                report.local(film.planned_start, "%H:%M:%S"),
                report.local(film.started),
                report.local(film.ended),
                late,
                f"{_duration(film.played_s)} / {_duration(film.planned_s)}",
                outcome,
                str(len(film.incidents)) if film.incidents else "",
                gain,
            )
        )
        tones.append(
            "alert"
            if film.outcome in (Outcome.FAILED, Outcome.SKIPPED)
            else "muted"
            if film.outcome is Outcome.NOT_REACHED
            else "normal"
        )
    table = Table(
        (
            ("#", "#"),
            ("Film", "影片"),
            ("Planned", "計劃"),
            ("Started", "開始"),
            ("Ended", "結束"),
            ("Late", "延誤"),
            ("Played / runtime", "放映 / 片長"),
            ("Outcome", "結果"),
            ("Inc.", "事故"),
            ("Gain played", "播放增益"),
        ),
        tuple(rows),
        (3, 28, 9, 9, 9, 7, 11, 13, 5, 14),
        tuple(tones),
        frozenset({0, 5, 6, 8}),
    )
    return Section("Films", "影片", (table, _films_note(report)))


def _both_titles(film: FilmReport) -> str:
    """`影片 N1 Film N1`: the Chinese title, then the English one if it differs."""
    titles = [film.title_zh, film.title_en]
    return " ".join(dict.fromkeys(title for title in titles if title))


def _decibels(value: float) -> str:
    """`−10.3 dB`, one unit that never wraps (a no-break space, a real minus)."""
    return f"{value:+.1f}\u00a0dB".replace("-", "−")


def _film_title(film_id: str, title_en: str, title_zh: str) -> str:
    """A film's code and both its titles in full (the table wraps them; nothing is cut)."""
    titles = [title for title in (title_zh, title_en) if title]
    if len(titles) == 2 and titles[0] == titles[1]:
        titles = titles[:1]
    return "\n".join([f"{film_id} {titles[0]}" if titles else film_id, *titles[1:]])


def _films_note(report: ShowReport) -> Paragraph:
    """What the Late and Gain columns say, and why Late may be blank."""
    if _plan_shift(report):
        late = (
            "Late: — for every film, because this run was not at the planned time (a rehearsal "
            "or another day): lateness against the plan would mean nothing. · 延誤：這次放映"
            "不在計劃時間（排練或另一日），故不計延誤。"
        )
    else:
        late = (
            "Late: how long after its planned time the film started; — : it did not start. "
            "· 延誤：比計劃遲了多久開始；「—」表示未有開始。"
        )
    gain = (
        "Gain played: the level the film played at (measured gain and the operator's trim); "
        "— : not measured. · 播放增益：影片播放時的音量調整；「—」表示未量度。"
    )
    return Paragraph(f"{late}\n{gain}", "muted")


def _minutes(seconds: float | None) -> str:
    """A length for a key figure, never mistakable for a clock time: `19m 33s`, `42s`."""
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _signed(seconds: float) -> str:
    sign = "+" if seconds >= 0 else "−"
    return sign + _duration(abs(seconds))


def _incidents_section(report: ShowReport) -> Section:
    if not report.incidents:
        text = (
            "No incidents: nothing paused, blacked out, failed or was skipped. · 沒有事故。"
            if report.state is not ShowState.NOT_STARTED
            else "No incidents recorded (the show did not run). · 沒有紀錄。"
        )
        return Section("Incidents", "事故", (Paragraph(text),))
    rows = tuple(
        (
            report.local(i.at),
            incident_kind_words(i).pair("\n"),
            i.film or (cue_words(i.cue).pair("\n") if i.cue else "—"),
            i.in_words(report.tz).pair("\n"),
            f"{i.dark_s:.1f}\u00a0s" if i.dark_s else "—",
        )
        for i in report.incidents
    )
    tones = tuple(
        "alert"
        if i.kind in (IncidentKind.CRASH, IncidentKind.FAILURE, IncidentKind.SOUND_LOST)
        else "normal"
        for i in report.incidents
    )
    table = Table(
        (
            ("Time", "時間"),
            ("Kind", "類別"),
            ("Film / cue", "影片"),
            ("What happened", "經過"),
            ("Dark", "黑畫面"),
        ),
        rows,
        (10, 16, 13, 52, 9),
        tones,
        frozenset({4}),
    )
    note = Paragraph(
        "Dark: how long the projector showed nothing of the show because of the incident; "
        "— : the picture stayed up. · 黑畫面：因事故而投影沒有節目畫面的時間；"
        "「—」表示畫面未受影響。",
        "muted",
    )
    return Section("Incidents", "事故", (table, note))


def incident_kind_words(incident: Incident) -> glossary.Term:
    """The incident's kind in words (a fade to black is not a cut)."""
    if incident.kind is IncidentKind.BLACK and incident.fade_s:
        return FADED_TO_BLACK
    return INCIDENT_WORDS[incident.kind.value]


def _figure(term: glossary.Term, value: str) -> Figure:
    return Figure(term.en, term.zh, value)


def _doors_section(report: ShowReport) -> Section:
    doors = report.checkins
    figures = Figures(
        (
            _figure(glossary.REGISTERED, str(doors.registered)),
            _figure(glossary.CHECKED_IN, str(doors.admitted)),
            _figure(glossary.NO_SHOWS, str(doors.no_shows)),
            _figure(glossary.WALK_INS, str(doors.walk_ins)),
            Figure(
                "Refused scans",
                "拒絕",
                str(sum(doors.refused.values())),
                "alert" if doors.refused else "normal",
            ),
            Figure("Peak / 5 min", "高峰 / 5 分鐘", str(doors.peak_per_5min)),
        )
    )
    more = Figures(
        (
            Figure("Peak / minute", "高峰 / 分鐘", str(doors.peak_per_min)),
            Figure("To admit 50 %", "一半入場", _minutes(doors.time_to_50_s)),
            Figure("To admit 90 %", "九成入場", _minutes(doors.time_to_90_s)),
            Figure("First admission", "首位入場", report.local(doors.first_admission, "%H:%M")),
            _figure(glossary.ADMITTED_BY_HAND, str(doors.by_hand)),
            _figure(glossary.UNDONE, str(doors.annulled)),
        )
    )
    blocks: list[Block] = [figures, more, arrivals_chart(report)]
    stations = tuple(
        (name, str(c.get("admitted", 0)), str(c.get("refused", 0)))
        for name, c in doors.per_station.items()
    )
    if stations:
        blocks.append(
            Table(
                (("Station", "入口"), ("Admitted", "入場"), ("Refused", "拒絕")),
                stations,
                (40, 15, 15),
                align_right=frozenset({1, 2}),
            )
        )
    if doors.refused:
        blocks.append(
            Table(
                (("Refused: reason", "拒絕原因"), ("Scans", "次數")),
                tuple((_REFUSAL_LABELS.get(r, r), str(n)) for r, n in doors.refused.items()),
                (55, 15),
                align_right=frozenset({1}),
            )
        )
    if report.vote is not None:
        vote = report.vote
        share = f" ({vote.share:.0%} of those in)" if vote.share is not None else ""
        state = "open" if vote.open else "closed"
        blocks.append(
            Paragraph(f"Viewer's Award vote · 觀眾票選 ({state}): {vote.ballots} ballots{share}.")
        )
    return Section("Doors and audience", "入場與觀眾", tuple(blocks))


_REFUSAL_TERMS = {  # the verdict the usher saw, in the same words
    "already_checked_in": glossary.ALREADY_IN,
    "unknown_ticket": glossary.TICKET_NOT_FOUND,
    "invalid_code": glossary.INVALID_TICKET,
    "revoked": glossary.TICKET_CANCELLED,
    "capacity_reached": glossary.FULL_HOUSE,
}
_REFUSAL_LABELS = {key: term.pair() for key, term in _REFUSAL_TERMS.items()}


def _reveal_section(report: ShowReport) -> Section:
    reveal = report.reveal
    if reveal.opened is None and not reveal.steps:
        return Section(
            "Award reveal",
            "頒獎",
            (Paragraph("The award reveal was not opened. · 頒獎環節未開始。"),),
        )
    total = f" of {reveal.total_steps}" if reveal.total_steps else ""
    reached = max((s.step for s in reveal.steps), default=-1) + 1
    blocks: list[Block] = [
        Paragraph(
            f"Opened at {report.local(reveal.opened)}; reached step {reached}{total}. "
            f"Winners announced for: {', '.join(reveal.announced) or 'none yet'}. "
            "The journal names awards and steps only, never a winning film."
        )
    ]
    if reveal.resets:
        blocks.append(Paragraph(f"The reveal was started over {reveal.resets} time(s)."))
    rows = tuple(
        (report.local(s.at), str(s.step + 1), s.award or "—", s.kind) for s in reveal.steps
    )
    if rows:
        blocks.append(
            Table(
                (("Time", "時間"), ("Step", "步驟"), ("Award", "獎項"), ("Kind", "類別")),
                rows,
                (12, 8, 30, 20),
                align_right=frozenset({1}),
            )
        )
    return Section("Award reveal", "頒獎", tuple(blocks))
