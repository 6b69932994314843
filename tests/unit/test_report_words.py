"""The report speaks in words, fits its cells and reads at any length (issue #23 item 9): kinds
and cues in both languages, libvlc's text behind a plain explanation, Dark and Late never left
blank without a word, gains that cannot wrap, both film titles in full, a time axis above a
long timeline. The PDF and the HTML of a real night are looked at in
tests/ui/test_report_rehearsal.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from kiosk.core.programme import Programme, programme_from_dict
from kiosk.core.report import AttendeeCounts, FilmSound, Incident, IncidentKind, build_report
from kiosk.core.report.words import INCIDENT_WORDS, cue_words, explain
from kiosk.render.report_layout import (
    LABEL_COLUMN_MM,
    Paragraph,
    Table,
    Text,
    layout_report,
    timeline_chart,
    wrap_label,
)
from tests.conftest import night_config

T0 = dt.datetime(2026, 12, 5, 11, 30, tzinfo=dt.UTC)
LONG_ZH = "在那遙遠的小島上我們一起看過的最後一場煙花與海浪"
LONG_EN = "The Last Fireworks Over the Waves We Watched Together on That Faraway Little Island"


def long_programme(tmp_path: Path, count: int) -> Programme:
    films = [
        {
            "id": f"F{n:02d}",
            "title_en": LONG_EN if n == 1 else f"Film {n}",
            "title_zh": LONG_ZH if n == 1 else f"電影 {n}",
            "director": "Someone",
            "country": "Hong Kong",
            "year": 2026,
            "runtime": "0:05",
            "file": f"films/F{n:02d}.mp4",
        }
        for n in range(1, count + 1)
    ]
    data = {"programme": {"name_en": "Long night", "name_zh": "長夜"}, "films": films}
    return programme_from_dict(data, tmp_path / "programme.toml")


def test_every_incident_kind_and_cue_has_words_in_both_languages() -> None:
    assert set(INCIDENT_WORDS) == {kind.value for kind in IncidentKind}
    assert all(words.en and words.zh for words in INCIDENT_WORDS.values())
    assert cue_words("holding").pair() == "the holding slide · 等候畫面"
    assert cue_words("card:F03").zh == "F03 片頭卡"
    plain = explain("failure", "libvlc could not decode the film")
    assert plain is not None and "could not be played" in plain.en and plain.zh


def test_an_incident_reads_as_words_with_the_technical_text_beside_them() -> None:
    failed = Incident(
        IncidentKind.FAILURE, T0, film="F02", position_s=3.0, dark_s=1.1,
        reason="libvlc could not decode the film",
    )  # fmt: skip
    words = failed.in_words(dt.UTC)
    assert words.en.startswith("Film failed in F02 at 0:03: the file could not be played")
    assert words.en.endswith("projector dark 1.1 s. Technical: libvlc could not decode the film")
    assert words.zh.startswith("F02 影片播放失敗（於 0:03）：檔案無法播放")
    assert "libvlc" not in words.zh and "投影黑畫面 1.1 秒" in words.zh
    held = Incident(IncidentKind.PAUSE, T0, cue="holding")
    assert held.in_words().en.startswith("Paused on the holding slide")


def test_the_tables_leave_no_cell_unexplained(tmp_path: Path) -> None:
    programme = long_programme(tmp_path, 3)
    config = night_config(tmp_path)
    report = build_report(config, programme, [], [], AttendeeCounts(0, 0), made_at=T0)
    film = dataclasses.replace(report.films[0], sound=FilmSound(-10.3, played_db=-10.3))
    report = dataclasses.replace(
        report,
        films=(film, *report.films[1:]),
        incidents=(
            Incident(IncidentKind.PAUSE, T0, film="F01"),
            Incident(IncidentKind.SOUND_LOST, T0, film="F01", reason="HDMI: Entity killed"),
        ),
    )
    sections = {section.heading_en: section for section in layout_report(report).sections}
    films = next(b for b in sections["Films"].blocks if isinstance(b, Table))
    gain = films.rows[0][-1]
    assert gain == "−10.3\u00a0dB"  # one unit: a no-break space, a real minus
    assert films.headers[-1] == ("Gain played", "播放增益")
    assert films.rows[0][1] == f"F01 {LONG_ZH}\n{LONG_EN}"  # both titles, whole
    notes = [b.text for b in sections["Films"].blocks if isinstance(b, Paragraph)]
    assert any("Late: " in note and "延誤" in note for note in notes)
    incidents = next(b for b in sections["Incidents"].blocks if isinstance(b, Table))
    assert [row[1] for row in incidents.rows] == ["Paused\n暫停", "Sound lost\n聲音中斷"]
    assert [row[4] for row in incidents.rows] == ["—", "—"]  # filled, and explained below
    notes = [b.text for b in sections["Incidents"].blocks if isinstance(b, Paragraph)]
    assert any(note.startswith("Dark: ") and "黑畫面" in note for note in notes)
    every_cell = " ".join(cell for row in incidents.rows for cell in row)
    assert "sound_lost" not in every_cell and "pause" not in every_cell


def test_a_long_timeline_has_whole_titles_and_times_above_and_below(tmp_path: Path) -> None:
    programme = long_programme(tmp_path, 40)
    config = night_config(tmp_path)
    report = build_report(config, programme, [], [], AttendeeCounts(0, 0), made_at=T0)
    chart = timeline_chart(report)
    texts = [s for s in chart.shapes if isinstance(s, Text)]
    labels = [s for s in texts if s.x == 1.0 and s.y < chart.height - 5]
    joined = "".join(s.text for s in labels)
    assert "…" not in joined
    assert LONG_ZH in joined.replace(" ", "") and "Little Island" in " ".join(
        s.text for s in labels
    )
    assert all(f"F{n:02d}" in joined for n in range(1, 41))
    label_ys = [s.y for s in labels]
    assert label_ys == sorted(label_ys) and len(set(label_ys)) == len(label_ys)  # no overlap
    clock = [s for s in texts if s.anchor == "middle" and s.text[:2].isdigit() and ":" in s.text]
    first_row = min(label_ys)
    assert any(s.y < first_row for s in clock), "clock times above the first film"
    assert any(s.y > max(label_ys) for s in clock), "and under the last"
    short = timeline_chart(
        build_report(config, long_programme(tmp_path, 3), [], [], AttendeeCounts(0, 0), made_at=T0)
    )
    short_labels = [s.y for s in short.shapes if isinstance(s, Text) and s.x == 1.0]
    short_clock = [s for s in short.shapes if isinstance(s, Text) and s.anchor == "middle"]
    assert all(s.y > min(short_labels) for s in short_clock if ":" in s.text)


def test_labels_wrap_without_losing_a_character() -> None:
    lines = wrap_label(f" 1. F01 {LONG_ZH} {LONG_EN}", LABEL_COLUMN_MM - 2, 5.5)
    assert len(lines) > 2
    assert "".join(lines).replace(" ", "") == f"1.F01{LONG_ZH}{LONG_EN}".replace(" ", "")
    assert wrap_label("1. F02 Short", 36, 5.5) == ["1. F02 Short"]
