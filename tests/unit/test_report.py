"""The show report, built from journal records written by the real show machine on a fake clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.core.report import (
    AttendeeCounts,
    CheckinRow,
    FilmSound,
    IncidentKind,
    Outcome,
    Record,
    ShowReport,
    ShowState,
    VoteTurnout,
    build_report,
    peak_in_window,
    time_to_share,
)
from kiosk.core.show import (
    SHOW_CLOSED,
    SHOW_RESET,
    Effect,
    Journal,
    ShowMachine,
    ShowOptions,
    resume_point,
)
from kiosk.core.stalls import JOURNAL_KIND as STALL_JOURNAL_KIND
from kiosk.core.stalls import Stall
from kiosk.render.report_html import html_of
from kiosk.render.report_layout import layout_report
from tests.conftest import FOUR_FILM_RUNTIMES, night_config

HK = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 12, 5, 19, 30, tzinfo=HK)  # the planned start
RUNTIMES = FOUR_FILM_RUNTIMES


@pytest.fixture
def event_config(tmp_path: Path) -> EventConfig:
    return night_config(tmp_path)


class Night:
    """Drives the real ShowMachine on a fake clock and keeps its journal as report records."""

    def __init__(self, programme: Programme, start: dt.datetime = T0) -> None:
        self.programme = programme
        self.start = start
        self.now = 0.0
        self.records: list[Record] = []
        self.showing: str | None = None  # the film the fake player shows pictures of
        self.machine = ShowMachine(programme, ShowOptions(title_card_seconds=5.0))
        self.record(SHOW_RESET, {"by": "test"})
        self.take(self.machine.open(self.now))

    def record(self, kind: str, data: dict[str, Any]) -> None:
        at = self.start + dt.timedelta(seconds=self.now)
        subject = data.get("film") or data.get("cue")
        self.records.append(Record(len(self.records) + 1, at, kind, subject, data))

    def take(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Journal):
                self.record(effect.kind, dict(effect.data))

    def wait(self, seconds: float) -> None:
        """Let time pass in 1 s steps: ticks and, while a film shows, positions."""
        end = self.now + seconds
        while self.now < end - 1e-9:
            self.now = min(end, self.now + 1.0)
            self.take(self.machine.tick(self.now))
            film = self.machine.cue.film
            snap = self.machine.snapshot(self.now)
            if film is None or film.id != self.showing:
                continue
            if snap.film_elapsed_s is not None and snap.phase.value == "film":
                self.take(self.machine.film_position(self.now, film.id, snap.film_elapsed_s))

    def act(self, name: str, *args: Any) -> None:
        self.take(getattr(self.machine, name)(self.now, *args))

    def show(self, film_id: str) -> None:
        """The player reports the film's first picture."""
        self.showing = film_id
        self.act("film_started", film_id)

    def play_film(self, film_id: str, seconds: float | None = None) -> None:
        """The current film shows pictures, plays `seconds` (default: all of it) and ends."""
        assert self.machine.cue.key == f"film:{film_id}", self.machine.cue.key
        self.machine.film_duration(film_id, RUNTIMES[film_id])
        self.show(film_id)
        self.wait(RUNTIMES[film_id] if seconds is None else seconds)

    def crash_and_restore(self, dark_s: float) -> None:
        """The process dies; `dark_s` later a new machine restores from the journal."""
        self.now += dark_s
        self.showing = None
        point = resume_point((r.kind, r.data) for r in self.records)
        self.machine = ShowMachine(self.programme, ShowOptions(title_card_seconds=5.0), point)
        self.take(self.machine.open(self.now))

    def report(self, **extra: Any) -> ShowReport:
        return build_report(
            extra.pop("event"),
            self.programme,
            self.records,
            extra.pop("checkins", []),
            extra.pop("attendees", AttendeeCounts(0, 0)),
            made_at=self.start + dt.timedelta(seconds=self.now + 60),
            **extra,
        )


def test_a_show_that_never_ran_says_so(programme: Programme, event_config: EventConfig) -> None:
    report = build_report(event_config, programme, [], [], AttendeeCounts(10, 0), made_at=T0)
    assert report.state is ShowState.NOT_STARTED
    assert all(f.outcome is Outcome.NOT_REACHED for f in report.films)
    assert report.dark_s == 0 and not report.incidents
    data = report.to_json()
    assert data["films"][0]["planned_start"] == "2026-12-05T19:30:05.000+08:00"  # after a card
    assert data["checkins"]["no_shows"] == 10
    assert data["show"]["state"] == "not_started"


def test_a_clean_night_plays_every_film_with_planned_and_actual(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme, T0 + dt.timedelta(minutes=2))  # the operator started 2 min late
    night.wait(3)
    night.act("go")  # holding -> card F01
    for film_id in ("F01", "F02"):
        night.wait(5)  # the title card
        night.play_film(film_id)
    night.wait(60)  # the intermission's minute
    night.act("go")
    for film_id in ("F03", "F04"):
        night.wait(5)
        night.play_film(film_id)
    report = night.report(event=event_config)
    assert report.state is ShowState.ENDED
    assert [f.outcome for f in report.films] == [Outcome.PLAYED] * 4
    for film in report.films:
        assert film.played_s == pytest.approx(RUNTIMES[film.id], abs=1.0)
        assert film.started is not None and film.ended is not None
    first = report.films[0]
    assert first.planned_start == T0 + dt.timedelta(seconds=5)
    assert first.started is not None
    assert (first.started - first.planned_start).total_seconds() == pytest.approx(123, abs=1)
    assert report.intermission is not None and report.intermission.end is not None
    gap = (report.intermission.end - report.intermission.start).total_seconds()
    assert gap == pytest.approx(60, abs=1.5)
    assert report.incidents == () and report.dark_s == 0


def test_failure_skip_pause_black_are_incidents_with_dark_time(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 20)
    night.act("pause")
    night.wait(10)
    night.act("resume")
    night.wait(10)
    night.act("fade_to_black")
    night.wait(4)
    night.act("unblack")
    night.wait(40)  # the rest of F01 (60 s: 20 + 10 + 30)
    night.wait(5)  # card F02
    night.machine.film_duration("F02", 90)
    night.show("F02")
    night.wait(12)
    night.act("film_failed", "F02", "VLC: cannot decode the file")
    night.wait(8)
    night.act("skip")  # the operator gives up on F02: the intermission
    report = night.report(event=event_config)
    f01, f02, f03, f04 = report.films
    assert f01.outcome is Outcome.PLAYED
    assert f01.played_s == pytest.approx(60, abs=1.5)  # pauses and black do not count
    kinds = [i.kind for i in f01.incidents]
    assert kinds == [IncidentKind.PAUSE, IncidentKind.BLACK]
    pause, black = f01.incidents
    assert pause.duration_s == pytest.approx(10) and pause.dark_s == 0
    assert black.dark_s == pytest.approx(4) and black.fade_s == 2.0
    assert f02.outcome is Outcome.FAILED  # failed, then skipped: it stays failed
    failure = next(i for i in f02.incidents if i.kind is IncidentKind.FAILURE)
    assert failure.reason == "VLC: cannot decode the file"
    assert failure.position_s == pytest.approx(12, abs=1)
    assert failure.dark_s == pytest.approx(8)  # until the intermission slide came up
    assert f02.played_s == pytest.approx(12, abs=1)
    assert any(i.kind is IncidentKind.SKIP for i in f02.incidents)
    assert f03.outcome is Outcome.NOT_REACHED and f04.outcome is Outcome.NOT_REACHED
    assert report.state is ShowState.UNDER_WAY
    assert report.dark_s == pytest.approx(12)
    data = report.to_json()
    assert data["films"][1]["outcome"] == "failed"
    assert {i["kind"] for i in data["incidents"]} >= {"pause", "black", "failure", "skip"}


def test_a_crash_mid_film_is_dark_until_the_film_is_back(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 30)
    night.crash_and_restore(dark_s=25)  # the console comes back 25 s later, paused
    night.wait(5)  # the operator reads the banner
    night.act("go")  # resume
    night.wait(1)
    night.show("F01")  # pictures 1 s after GO
    night.wait(30)
    report = night.report(event=event_config)
    f01 = report.films[0]
    crash = next(i for i in report.incidents if i.kind is IncidentKind.CRASH)
    assert crash.film == "F01" and crash.position_s == pytest.approx(30, abs=1.5)
    # dark from the last record of the dead process (the 30 s position) to the pictures
    assert crash.dark_s == pytest.approx(25 + 5 + 1, abs=1.5)
    assert report.dark_s == pytest.approx(crash.dark_s)
    assert f01.outcome is Outcome.PLAYED
    assert f01.played_s == pytest.approx(60, abs=2.5)
    assert crash in f01.incidents


def test_earlier_runs_are_counted_and_only_the_last_run_is_reported(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 10)
    first_run = list(night.records)
    night = Night(programme, T0 + dt.timedelta(hours=1))
    night.records = [*first_run, *night.records]
    report = night.report(event=event_config)
    assert report.earlier_runs == 1
    assert report.state is ShowState.NOT_STARTED
    assert report.films[0].outcome is Outcome.NOT_REACHED


def test_checkins_refusals_stations_and_arrival_figures(
    programme: Programme, event_config: EventConfig
) -> None:
    doors = T0 - dt.timedelta(minutes=30)
    rows = [
        CheckinRow(doors + dt.timedelta(seconds=20 * i), "Door 1" if i % 3 else "Door 2", "scan")
        for i in range(30)
    ] + [CheckinRow(doors + dt.timedelta(minutes=25), "Door 1", "walk-in", voted=True)]
    refusals = [
        Record(i, doors + dt.timedelta(minutes=i), "checkin_refused", "X", data)
        for i, data in enumerate(
            [
                {"verdict": "already_checked_in", "station": "Door 1"},
                {"verdict": "already_checked_in", "station": "Door 2"},
                {"verdict": "invalid_code", "station": "Door 2"},
                {"verdict": "revoked", "station": "Door 1"},
            ]
        )
    ]
    report = build_report(
        event_config,
        programme,
        refusals,
        rows,
        AttendeeCounts(registered=40, registered_admitted=30, annulled=1),
        made_at=T0,
        vote=VoteTurnout(open=True, ballots=12, checked_in=31),
    )
    doors_report = report.checkins
    assert doors_report.admitted == 31 and doors_report.walk_ins == 1
    assert doors_report.no_shows == 10
    assert doors_report.refused == {"already_checked_in": 2, "invalid_code": 1, "revoked": 1}
    assert doors_report.per_station == {
        "Door 1": {"admitted": 21, "refused": 2, "walk_ins": 1, "walk_ins_voted": 1},
        "Door 2": {"admitted": 10, "refused": 2},
    }
    assert sum(c for _, c in doors_report.arrivals) == 31
    assert doors_report.peak_per_5min == 15  # one every 20 s
    assert doors_report.peak_per_min == 3
    assert doors_report.time_to_50_s == pytest.approx(15 * 20)  # the 16th of 31
    data = report.to_json()
    assert data["checkins"]["refused"]["already_checked_in"] == 2
    assert data["vote"] == {"open": True, "ballots": 12, "checked_in": 31}


def test_time_to_share_and_peak_window() -> None:
    times = [T0 + dt.timedelta(seconds=s) for s in (0, 10, 20, 100, 400)]
    assert time_to_share(times, 0.5) == 20  # 3 of 5
    assert time_to_share(times, 0.9) == 400
    assert time_to_share([], 0.5) is None
    assert peak_in_window(times, dt.timedelta(minutes=1)) == 3


def test_the_reveal_reports_awards_and_steps_never_a_film(
    programme: Programme, event_config: EventConfig
) -> None:
    def step(i: int, kind: str, award: str | None) -> Record:
        data = {"step": i, "kind": kind, "award": award}
        return Record(10 + i, T0 + dt.timedelta(minutes=i), "reveal_step", None, data)

    records = [
        Record(1, T0, "reveal_opened", None, {"plan": "x", "steps": 9, "resume_at": -1}),
        step(0, "opening", None),
        step(1, "category", "best-film"),
        step(2, "nominees", "best-film"),
        step(3, "envelope", "best-film"),
        step(4, "winner", "best-film"),
        step(5, "category", "viewers"),
    ]
    report = build_report(event_config, programme, records, [], AttendeeCounts(0, 0), made_at=T0)
    assert report.reveal.announced == ("best-film",)
    assert [s.kind for s in report.reveal.steps][-1] == "category"
    assert report.reveal.total_steps == 9
    assert "F0" not in str(report.reveal.to_json())


def test_gain_is_preflight_plus_the_operators_trim(
    programme: Programme, event_config: EventConfig
) -> None:
    sound = {"F01": FilmSound(-3.5, -19.5, 1.0), "F02": FilmSound(None, None)}
    report = build_report(
        event_config, programme, [], [], AttendeeCounts(0, 0), made_at=T0, sound=sound
    )
    data = report.to_json()["films"]
    assert data[0]["gain_db"] == -2.5 and data[0]["trim_db"] == 1.0
    assert data[1]["gain_db"] is None and data[2]["gain_db"] is None


def test_the_gain_the_players_journalled_wins_over_the_plan(
    programme: Programme, event_config: EventConfig
) -> None:
    from kiosk.services.report import with_played_gains

    sound = {"F01": FilmSound(-3.5, -19.5, 1.0)}
    played = {"film": "F01", "gain_db": -2.5, "volume": 100, "limited": True, "preamp_db": 9.54}
    records = [Record(1, T0, "film_gain", None, played)]
    merged = with_played_gains(sound, records)
    report = build_report(
        event_config, programme, [], [], AttendeeCounts(0, 0), made_at=T0, sound=merged
    )
    first = report.to_json()["films"][0]
    assert first["gain_db"] == -2.5 and first["preflight_gain_db"] == -3.5
    assert first["volume_percent"] == 100 and first["gain_limited"] is True


def test_the_vote_turnout_comes_from_the_journal(
    programme: Programme, event_config: EventConfig
) -> None:
    closes = (T0 + dt.timedelta(minutes=5)).isoformat()
    records = [
        Record(1, T0, "vote_opened", None, {"at": T0.isoformat(), "closes_at": closes}),
        Record(2, T0 + dt.timedelta(seconds=30), "vote_cast", None, {"channel": "phone"}),
        Record(3, T0 + dt.timedelta(seconds=40), "vote_cast", None, {"channel": "station"}),
    ]
    counts = AttendeeCounts(0, 0)
    during = build_report(event_config, programme, records, [], counts, made_at=T0)
    after = build_report(
        event_config, programme, records, [], counts, made_at=T0 + dt.timedelta(hours=1)
    )
    never = build_report(event_config, programme, [], [], counts, made_at=T0)
    assert during.vote is not None and during.vote.open and during.vote.ballots == 2
    assert after.vote is not None and not after.vote.open and after.vote.ballots == 2
    assert never.vote is None and never.to_json()["vote"] is None


def test_a_quit_mid_show_is_not_called_a_crash(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 10)
    night.record(SHOW_CLOSED, {"cue": "film:F01", "position": 10.0})  # ShowController.close
    night.crash_and_restore(dark_s=8)
    night.act("go")
    night.show("F01")
    night.wait(5)
    report = night.report(event=event_config)
    (incident,) = report.incidents
    assert incident.kind is IncidentKind.CLOSED
    assert incident.dark_s == pytest.approx(8, abs=0.1)
    assert incident.to_json()["kind"] == "closed"


def test_user_text_is_escaped_in_the_html(programme: Programme, event_config: EventConfig) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 3)
    night.act("film_failed", "F01", "<script>alert(1)</script> & 壞檔")
    report = night.report(event=event_config)
    html = html_of(layout_report(report))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 壞檔" in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")


def test_a_second_run_without_a_reset_is_reported_alone(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 10)
    night.act("jump_to", "end")  # the rehearsal is over
    rehearsal = list(night.records)
    night = Night(programme, T0 + dt.timedelta(hours=1))  # the console reopened, no reset
    night.records = [*rehearsal, *night.records[1:]]
    night.act("go")
    night.wait(5)
    night.play_film("F01")
    report = night.report(event=event_config)
    assert report.earlier_runs == 1
    f01 = report.films[0]
    assert f01.played_s == pytest.approx(60, abs=1) and f01.outcome is Outcome.PLAYED
    assert f01.started is not None and f01.started > T0 + dt.timedelta(hours=1)
    assert not any(i.kind is IncidentKind.JUMP for i in report.incidents)


def test_a_film_that_failed_then_crashed_is_not_dark_twice(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 10)
    night.act("film_failed", "F01", "decoder error")
    night.wait(4)
    night.crash_and_restore(dark_s=6)
    night.act("go")
    night.show("F01")
    night.wait(3)
    report = night.report(event=event_config)
    kinds = {i.kind for i in report.incidents}
    assert {IncidentKind.FAILURE, IncidentKind.CRASH} <= kinds
    # the dead process wrote nothing after the failure, so when it died is unknown: the dark
    # time is told once (10 s in all), never the failure's and the crash's on top of each other
    assert report.dark_s == pytest.approx(10)


def test_a_crash_on_a_title_card_is_dark_until_go(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(2)  # on the title card of F01
    night.crash_and_restore(dark_s=7)  # the restored card stays black until GO
    night.wait(4)
    night.act("go")
    night.show("F01")  # the film's first picture
    (crash,) = night.report(event=event_config).incidents
    assert crash.kind is IncidentKind.CRASH and crash.cue == "card:F01" and crash.film is None
    # from the last record (card start) until GO puts the film's first picture up
    assert crash.dark_s == pytest.approx(7 + 2 + 4, abs=0.5)


def test_lost_sound_is_an_incident_that_lasts_across_films(
    programme: Programme, event_config: EventConfig
) -> None:
    """The sound alarm's journal lines (night/audio_alarm.py) become one incident, from the
    loss in F01 to the sound coming back during F02, shown as serious in the report."""
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 20)
    night.record("audio_lost", {"device": "HDMI 1", "reason": "Connection terminated"})
    night.wait(40)  # the rest of F01, silent
    night.wait(5)  # card F02
    night.play_film("F02", 6)
    night.record("audio_back", {"device": "HDMI 1", "after_s": 51.0})
    report = night.report(event=event_config)
    (lost,) = [i for i in report.incidents if i.kind is IncidentKind.SOUND_LOST]
    assert lost.film == "F01" and lost.reason == "HDMI 1: Connection terminated"
    assert lost.duration_s == pytest.approx(51, abs=1)
    assert lost.dark_s == 0  # the picture played on
    assert lost.describe().startswith(
        "Sound lost in F01: the sound stopped reaching the speakers; the film played on (0:51)"
    )
    assert lost.in_words().zh.startswith("F01 聲音中斷：聲音未能傳到揚聲器")
    assert report.films[0].played_s == pytest.approx(60, abs=1.5)  # silent, but it played
    data = report.to_json()
    assert any(i["kind"] == "sound_lost" for i in data["incidents"])
    html = html_of(layout_report(report))
    # the reader sees words, in both languages, with the technical text beside them
    assert "sound_lost" not in html.split("<body")[1] and "聲音中斷" in html
    assert "Sound lost" in html and "HDMI 1: Connection terminated" in html


def test_sound_never_back_is_open_when_the_journal_ends(
    programme: Programme, event_config: EventConfig
) -> None:
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 10)
    night.record("audio_lost", {"device": "default", "reason": "Entity killed"})
    night.record("audio_lost", {"device": "default", "reason": "Entity killed"})  # repeated
    night.wait(5)
    report = night.report(event=event_config)
    lost = [i for i in report.incidents if i.kind is IncidentKind.SOUND_LOST]
    assert len(lost) == 1 and lost[0].until is None
    assert "(not over when the journal ends)" in lost[0].describe()


def test_a_console_stall_over_100_ms_is_an_incident_naming_its_handler(
    programme: Programme, event_config: EventConfig
) -> None:
    """The stall probe journals stalls over 100 ms (kiosk.core.stalls); the report lists them
    as incidents of the film they fell in, with the handler that held the GUI thread."""
    night = Night(programme)
    night.act("go")
    night.wait(5)
    night.play_film("F01", 10)
    stall = Stall(231.6, "report_view.py:301 export → report_pdf.py:88 write")
    night.record(STALL_JOURNAL_KIND, stall.journal_data())
    night.wait(5)
    report = night.report(event=event_config)
    (incident,) = [i for i in report.incidents if i.kind is IncidentKind.STALL]
    assert incident.film == "F01"
    assert incident.describe().startswith(
        "Console slow to respond in F01: the console's screen froze for a moment. "
        "Technical: GUI thread held 232 ms by report_view.py:301 export"
    )
    assert any(i["kind"] == "stall" for i in report.to_json()["incidents"])
