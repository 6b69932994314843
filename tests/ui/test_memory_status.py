"""The console's memory status line: samples at each new film, colours, one warning in the log.

The show is a real `ShowMachine` (jumped from film to film); the memory readings are given, so
the rule's levels can be reached on purpose. A film's sample is taken when the next film comes
up. The real reading of this process is checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal
from pytestqt.qtbot import QtBot

from kiosk.core.memory_trend import MemoryLevel, MemoryRule, MemoryTrend
from kiosk.core.programme import Programme, programme_from_dict
from kiosk.core.show import ShowMachine, ShowOptions, Snapshot
from kiosk.process_stats import ProcessStats, read_process_stats
from kiosk.ui.common.messages import Level, MessageBus
from kiosk.ui.common.theme import Colours
from kiosk.ui.console.memory_status import READ_EVERY_MS, MemoryStatus

FILMS = 20


@pytest.fixture
def many_films(tmp_path: Path) -> Programme:
    films = [
        {
            "id": f"F{number:02d}",
            "title_en": f"Film {number}",
            "title_zh": f"電影 {number}",
            "director": "Someone",
            "country": "Hong Kong",
            "year": 2026,
            "runtime": 60,
            "file": f"films/F{number:02d}.mp4",
        }
        for number in range(1, FILMS + 1)
    ]
    data = {"programme": {"name_en": "Test night", "name_zh": "測試"}, "films": films}
    return programme_from_dict(data, tmp_path / "programme.toml")


class FakeShow(QObject):
    """A real show machine, moved by `jump`; `changed` as the show controller emits it."""

    changed = Signal()

    def __init__(self, programme: Programme) -> None:
        super().__init__()
        self.machine = ShowMachine(programme, ShowOptions(title_card_seconds=0))
        self.now = 0.0
        self.machine.open(self.now)

    def snapshot(self) -> Snapshot:
        return self.machine.snapshot(self.now)

    def jump(self, key: str) -> None:
        self.now += 1.0
        self.machine.jump_to(self.now, key)
        self.changed.emit()
        # the status line samples once the cut's paints are delivered (AfterPaints): here, at
        # once, as the event loop would within the turn
        QCoreApplication.sendPostedEvents()


class Readings:
    """Memory readings handed out one at a time (the last one repeats)."""

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.taken = 0

    def __call__(self) -> ProcessStats:
        value = self.values[min(self.taken, len(self.values) - 1)]
        self.taken += 1
        return ProcessStats(value, 40, 30)


RULE = MemoryRule(window=4, settle=1, growth_mb_per_film=3.0, budget_mb=1500.0)


def _status(qtbot: QtBot, show: FakeShow, readings: Readings) -> tuple[MemoryStatus, MessageBus]:
    messages = MessageBus()
    status = MemoryStatus(messages, MemoryTrend(RULE), read=readings)
    qtbot.addWidget(status.label)
    status.watch(show)
    return status, messages


def test_a_steady_night_stays_grey_and_quiet(qtbot: QtBot, many_films: Programme) -> None:
    show = FakeShow(many_films)
    readings = Readings([300.0] + [380.0 + (n % 2) for n in range(FILMS)])
    status, messages = _status(qtbot, show, readings)
    posted: list[str] = []
    messages.subscribe(lambda _level, _at, text: posted.append(text))
    for number in range(1, 9):
        show.jump(f"film:F{number:02d}")
    assert status.verdict.level is MemoryLevel.STEADY
    assert status.label.text().startswith("Memory · 記憶體 ")
    assert "steady" in status.label.text()
    assert status.label.isHidden()  # steady is not news: the header stays quiet
    assert Colours.muted.name() in status.label.styleSheet()
    assert posted == []
    assert "Open files: 40 · threads: 30" in status.label.toolTip()


def test_growth_turns_amber_then_red_with_one_warning(qtbot: QtBot, many_films: Programme) -> None:
    show = FakeShow(many_films)
    growing = [300.0 + 90 * n for n in range(FILMS + 2)]
    status, messages = _status(qtbot, show, Readings(growing))
    posted: list[tuple[Level, str]] = []
    messages.subscribe(lambda level, _at, text: posted.append((level, text)))
    show.jump("film:F01")
    show.jump("card:F02")  # not a film: no sample
    assert status.samples_mb == ()  # the first film is judged once it is over
    for number in range(2, 10):
        show.jump(f"film:F{number:02d}")
    assert status.verdict.level is MemoryLevel.WARN
    assert "growing +90.0 MB/film" in status.label.text()
    assert not status.label.isHidden()
    assert Colours.bad.name() in status.label.styleSheet()
    warnings = [text for level, text in posted if level is Level.WARNING]
    assert len(warnings) == 1
    assert "restart the app between films" in warnings[0]
    status.refresh()  # a reading between films shows the newest figure, keeps the verdict
    assert status.verdict.level is MemoryLevel.WARN


def test_the_same_film_twice_is_one_sample(qtbot: QtBot, many_films: Programme) -> None:
    show = FakeShow(many_films)
    status, _ = _status(qtbot, show, Readings([300.0]))
    show.jump("film:F03")
    show.changed.emit()  # e.g. a pause redraws the console: still film F03
    show.jump("film:F04")
    show.changed.emit()
    assert len(status.samples_mb) == 1  # film F03's


def test_a_sample_is_the_highest_reading_while_the_film_was_up(
    qtbot: QtBot, many_films: Programme
) -> None:
    show = FakeShow(many_films)
    # at start, the cut to F01, two readings during F01 (one high), the cut to F02
    status, _ = _status(qtbot, show, Readings([250.0, 300.0, 310.0, 420.0, 305.0]))
    show.jump("film:F01")
    status.refresh()
    status.refresh()
    show.jump("film:F02")
    assert status.samples_mb == (420.0,)


def test_the_real_reading_of_this_process(qtbot: QtBot) -> None:
    stats = read_process_stats()
    assert stats is not None
    assert 10 < stats.rss_mb < 4000
    assert stats.open_fds > 2 and stats.threads >= 1
    status = MemoryStatus(MessageBus(), MemoryTrend())
    qtbot.addWidget(status.label)
    assert status.label.text().startswith("Memory · 記憶體 ")
    assert status.label.text().endswith(" MB · measuring")
    assert read_process_stats(pid=2**22 + 1) is None  # no such process
    status.stop()


def test_the_status_line_stops_reading_once_its_label_is_gone(qtbot: QtBot) -> None:
    """A status line that outlives its label (its window closed, the object still referenced)
    neither reads nor draws again: it drew into the deleted label every second before."""
    reads: list[float] = []

    def read() -> None:
        reads.append(1.0)

    status = MemoryStatus(MessageBus(), MemoryTrend(), read=read)
    assert reads == [1.0]  # the first reading, at once
    status.label.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(status.label))
    qtbot.wait(READ_EVERY_MS + 300)  # a tick of the reading timer, had it kept running
    assert reads == [1.0]
