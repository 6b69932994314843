"""The printable run sheet: the night in run order, laid out as a report the PDF writer draws.

Plain Python (no Qt). `layout_run_sheet` turns the event, the programme and what preflight
found into the same `ReportLayout` blocks the show report uses (`report_layout`), so
`report_pdf.write_layout_pdf` prints it with the report's fonts, pages and table code: one PDF
path for both. Times are planned: the event's start plus each cue before it (title cards, films
at their measured length where preflight measured them, the intermission), the same plan the
preflight's projected end adds up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.core.event import EventConfig
from kiosk.core.preflight import FilmCheck
from kiosk.core.programme import Film, Programme, format_duration
from kiosk.core.show.model import CueKind, ShowOptions, build_cues
from kiosk.render.report_layout import Figure, Figures, Paragraph, ReportLayout, Section, Table

HEADERS: tuple[tuple[str, str], ...] = (
    ("Time", "時間"),
    ("Length", "長度"),
    ("#", "序"),
    ("Item / title", "項目 / 片名"),
    ("Director", "導演"),
    ("Country · language", "國家 · 語言"),
    ("Subs", "字幕"),
    ("Gain dB", "增益"),
    ("Preflight", "檢查"),
    ("Projectionist's notes", "放映員備註"),
)
WIDTHS = (10.0, 11.0, 5.0, 36.0, 24.0, 25.0, 9.0, 10.0, 18.0, 32.0)  # mm of A4's 180


@dataclass(frozen=True)
class FilmFacts:
    """What preflight found for one film: its check (None: never checked) and whether the file
    on disk is still the one it measured (`media_reason` None: it is)."""

    check: FilmCheck | None
    media_reason: str | None = None


def plan_times(
    config: EventConfig, programme: Programme, lengths: Mapping[str, float]
) -> list[tuple[CueKind, Film | None, dt.datetime, float]]:
    """Each cue's planned start and length from the event's start (films at `lengths`, their
    measured length, where known; else the declared runtime)."""
    at = dt.datetime.combine(config.date, config.start, config.zone)
    planned = []
    for cue in build_cues(programme, ShowOptions.from_event(config)):
        seconds = cue.seconds
        if cue.kind is CueKind.FILM and cue.film is not None:
            seconds = lengths.get(cue.film.id) or seconds
        planned.append((cue.kind, cue.film, at, seconds))
        at += dt.timedelta(seconds=seconds)
    return planned


def _preflight_cell(facts: FilmFacts) -> tuple[str, bool]:
    """(what the preflight column says, whether the row needs attention)."""
    if facts.check is None:
        return "not checked · 未檢查", True
    if facts.media_reason is not None:  # the reason is in the console and `check`
        return "file changed since preflight · 檔案已變更", True
    if not facts.check.ok:
        first = facts.check.problems[0] if facts.check.problems else ""
        more = len(facts.check.problems) - 1
        return "BLOCKED · 未能放映: " + first[:60] + (f" (+{more})" if more > 0 else ""), True
    if facts.check.warnings:
        return f"ready · 就緒 ({len(facts.check.warnings)} note(s))", False
    return "ready · 就緒", False


def _film_row(
    film: Film, at: dt.datetime, seconds: float, facts: FilmFacts
) -> tuple[tuple[str, ...], bool]:
    check = facts.check
    gain = "—"
    if film.silent:
        gain = "silent 無聲"
    elif check is not None and check.gain_db is not None:
        gain = f"{check.gain_db:+.1f}"
    preflight, alert = _preflight_cell(facts)
    language = film.language_bilingual or "—"
    row = (
        f"{at:%H:%M}",
        format_duration(seconds),
        str(film.position),
        f"{film.title_en}\n{film.title_zh}",
        film.director,
        f"{film.country_bilingual}\n{language}",
        "yes 有" if film.subtitles else "—",
        gain,
        preflight,
        "",
    )
    return row, alert


def _event_row(at: dt.datetime | None, seconds: float | None, en: str, zh: str) -> tuple[str, ...]:
    return (
        f"{at:%H:%M}" if at else "",
        format_duration(seconds) if seconds else "",
        "",
        f"{en}\n{zh}",
        "",
        "",
        "",
        "",
        "",
        "",
    )


def layout_run_sheet(
    config: EventConfig,
    programme: Programme,
    films: Mapping[str, FilmFacts],
    made_at: dt.datetime,
) -> ReportLayout:
    """The run sheet: key figures, then every item of the night in run order."""
    zone = config.zone
    lengths = {
        film_id: facts.check.duration_s
        for film_id, facts in films.items()
        if facts.check is not None
        and facts.check.duration_s
        and facts.media_reason is None
        and facts.check.ok
    }
    planned = plan_times(config, programme, lengths)
    rows: list[tuple[str, ...]] = []
    tones: list[str] = []
    start = dt.datetime.combine(config.date, config.start, zone)
    if config.doors_open is not None:
        doors = dt.datetime.combine(config.date, config.doors_open, zone)
        rows.append(
            _event_row(
                doors,
                (start - doors).total_seconds(),
                "Doors open (holding slide)",
                "開門（等候畫面）",
            )
        )
        tones.append("muted")
    block = None
    end = start
    for kind, film, at, seconds in planned:
        if kind is CueKind.FILM and film is not None:
            if film.block != block:
                block = film.block
                part = next(b for b in programme.blocks if b.id == block)
                if len(programme.blocks) > 1:
                    rows.append(_event_row(None, None, part.title_en, part.title_zh))
                    tones.append("muted")
            row, alert = _film_row(film, at, seconds, films.get(film.id, FilmFacts(None)))
            rows.append(row)
            tones.append("alert" if alert else "normal")
        elif kind is CueKind.INTERMISSION and programme.intermission is not None:
            pause = programme.intermission
            rows.append(_event_row(at, seconds, pause.title_en, pause.title_zh))
            tones.append("muted")
        elif kind is CueKind.END:
            end = at
    after = end
    audience = [a for a in config.awards if a.kind == "audience"]
    if audience:
        minutes = config.vote.minutes * 60
        rows.append(
            _event_row(
                after,
                minutes,
                f"Vote: {audience[0].name_en}",
                f"投票：{audience[0].name_zh}",
            )
        )
        tones.append("muted")
        after += dt.timedelta(seconds=minutes)
    if config.awards:
        rows.append(_event_row(after, None, "Award reveal (F8)", "頒獎（F8）"))
        tones.append("muted")
    blocked = sum(1 for tone in tones if tone == "alert")
    scheduled_end = start + dt.timedelta(minutes=config.scheduled_minutes)
    figures = Figures(
        (
            Figure("Films", "影片", str(len(programme))),
            Figure("Show starts", "開始", f"{start:%H:%M}"),
            Figure(
                "Films end (planned)",
                "影片完結（預計）",
                f"{end:%H:%M}",
                "alert" if end > scheduled_end else "normal",
            ),
            Figure("Scheduled end", "預定完結", f"{scheduled_end:%H:%M}"),
            Figure("Need attention", "需要處理", str(blocked), "alert" if blocked else "normal"),
        )
    )
    blocks: list[Figures | Paragraph | Table] = [figures]
    if blocked:
        blocks.append(
            Paragraph(
                f"{blocked} film(s) in red need attention before the doors open: run preflight "
                f"(F5) · 紅色影片須在開門前處理：執行檢查（F5）",
                "alert",
            )
        )
    blocks.append(Table(HEADERS, tuple(rows), WIDTHS, tuple(tones)))
    doors_text = f"doors {config.doors_open:%H:%M} · " if config.doors_open else ""
    return ReportLayout(
        title_en=f"Run sheet — {config.name_en}",
        title_zh=f"放映流程表 — {config.name_zh}",
        subtitle=(
            f"{config.venue_en} · {config.venue_zh} · {config.date:%Y-%m-%d} · {doors_text}"
            f"{config.start:%H:%M}–{config.end:%H:%M} · {programme.name_en} · "
            f"{programme.name_zh}"
        ),
        made=f"Run sheet made {made_at.astimezone(zone):%Y-%m-%d %H:%M} ({config.timezone}) "
        "from the programme and the last preflight",
        sections=(Section("Run order", "放映次序", tuple(blocks)),),
    )
