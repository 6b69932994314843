"""The show state machine, driven through a fake two-player adapter on a fake clock."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.core.show import (
    Black,
    Blank,
    CutToFilm,
    Effect,
    FilmStatus,
    Ignored,
    Journal,
    PauseFilm,
    PlayFilm,
    PreloadFilm,
    ResumeFilm,
    ResumePoint,
    SeekFilm,
    ShowCard,
    ShowEnd,
    ShowHolding,
    ShowIntermission,
    ShowMachine,
    ShowOptions,
    ShowPhase,
    Slot,
    StopFilm,
    Unblack,
    build_cues,
    resume_point,
)
from tests.conftest import FOUR_FILM_RUNTIMES

RUNTIMES = FOUR_FILM_RUNTIMES
STEP = 0.05


@dataclass
class Player:
    """One fake VLC player."""

    film: str | None = None
    pos: float = 0.0
    playing: bool = False
    started: bool = False
    next_report: float = 0.0


class Rig:
    """A fake adapter: carries out effects on two fake players and reports their facts."""

    def __init__(
        self,
        programme: Programme,
        options: ShowOptions | None = None,
        resume: ResumePoint | None = None,
        *,
        media: dict[str, float] | None = None,
        end_lag: float = 0.3,
        report_every: float = 0.25,
    ) -> None:
        self.show = ShowMachine(programme, options or ShowOptions(), resume)
        self.now = 100.0
        self.log: list[tuple[float, Effect]] = []
        self.journal: list[tuple[str, dict[str, object]]] = []
        self.players = {Slot.A: Player(), Slot.B: Player()}
        self.media = media or {k: float(v) for k, v in RUNTIMES.items()}  # real lengths
        self.reported = dict(self.media)  # durations the players report
        self.end_lag = end_lag
        self.report_every = report_every
        self.broken: set[str] = set()
        self.run(self.show.open(self.now))

    def run(self, effects: list[Effect]) -> list[Effect]:
        for effect in effects:
            self.log.append((self.now, effect))
            match effect:
                case Journal(kind, data):
                    self.journal.append((kind, dict(data)))
                case PreloadFilm(film, slot, at):
                    self.players[slot] = Player(film.id, at)
                case PlayFilm(film, slot, at):
                    self.players[slot] = Player(film.id, at, playing=True)
                case CutToFilm(film, slot):
                    player = self.players[slot]
                    assert player.film == film.id and player.pos == 0, "cut to an unloaded slot"
                    player.playing = True
                case PauseFilm(slot):
                    self.players[slot].playing = False
                case ResumeFilm(slot):
                    self.players[slot].playing = True
                case SeekFilm(slot, position):
                    self.players[slot].pos = position
                case StopFilm(slot):
                    self.players[slot] = Player()
        return effects

    def do(self, action: str, *args: object) -> list[Effect]:
        """An operator action at the current time."""
        return self.run(getattr(self.show, action)(self.now, *args))

    def wait(self, seconds: float) -> None:
        """Let time pass: the players play, report their facts, and the machine ticks."""
        end = round(self.now + seconds, 6)
        while self.now < end - 1e-9:
            self.now = round(self.now + STEP, 6)
            for player in list(self.players.values()):
                self._play(player)
            self.run(self.show.tick(self.now))

    def _play(self, player: Player) -> None:
        film = player.film
        if film is None or not player.playing:
            return
        if film in self.broken:
            player.playing = False
            self.run(self.show.film_failed(self.now, film, "cannot decode"))
            return
        if not player.started:
            player.started = True
            player.next_report = self.now + self.report_every
            self.show.film_duration(film, self.reported[film])
            self.run(self.show.film_started(self.now, film))
            return
        player.pos += STEP
        if player.pos >= self.media[film] + self.end_lag:
            player.playing = False
            self.run(self.show.film_ended(self.now, film))
        elif self.now >= player.next_report - 1e-9:
            player.next_report += self.report_every
            self.run(self.show.film_position(self.now, film, player.pos))

    def first(self, match: Callable[[Effect], bool]) -> tuple[float, Effect]:
        return next((t, e) for t, e in self.log if match(e))

    def effects_since(self, mark: int) -> list[Effect]:
        return [e for _, e in self.log[mark:]]

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.journal]

    def phase(self) -> ShowPhase:
        return self.show.snapshot(self.now).phase

    @property
    def key(self) -> str:
        return self.show.cue.key


def stage(effects: list[Effect]) -> list[str]:
    """What reached the stage, as short labels."""
    out = []
    for e in effects:
        match e:
            case ShowHolding():
                out.append("holding")
            case ShowCard(film, _):
                out.append(f"card:{film.id}")
            case CutToFilm(film, slot) | PlayFilm(film, slot, _):
                out.append(f"film:{film.id}@{slot.value}")
            case ShowIntermission(_, _, True):
                out.append("intermission")
            case ShowEnd():
                out.append("end")
            case Blank():
                out.append("blank")
    return out


# The cue list ----------------------------------------------------------------------------


def test_cue_list_with_cards_and_intermission(programme: Programme) -> None:
    cues = build_cues(programme, ShowOptions(title_card_seconds=8))
    assert [c.key for c in cues] == [
        "holding",
        "card:F01",
        "film:F01",
        "card:F02",
        "film:F02",
        "intermission",
        "card:F03",
        "film:F03",
        "card:F04",
        "film:F04",
        "end",
    ]
    assert [c.index for c in cues] == list(range(len(cues)))
    assert cues[5].seconds == 60 and cues[1].seconds == 8 and cues[2].seconds == 60
    assert cues[1].label == "Card · F01 · Film F01" and cues[-1].label == "End"


def test_options_from_event(tmp_path: Path) -> None:
    event = EventConfig(
        source=tmp_path / "event.toml",
        name_en="AIFF",
        name_zh="AIFF",
        date=dt.date(2026, 12, 5),
        start=dt.time(19, 30),
        end=dt.time(22, 30),
        venue_en="Hall",
        venue_zh="禮堂",
        capacity=100,
        programme_file=tmp_path / "programme.toml",
        title_card_seconds=5.0,
    )
    options = ShowOptions.from_event(event, straight_cut=True)
    assert options.title_card_seconds == 5.0 and options.straight_cut and not options.auto
    with pytest.raises(ValueError, match="go_guard_s"):
        ShowOptions(go_guard_s=-1)


def test_cue_list_without_cards_and_straight_cut(programme: Programme) -> None:
    no_cards = [c.key for c in build_cues(programme, ShowOptions(title_card_seconds=0))]
    assert no_cards[:4] == ["holding", "film:F01", "film:F02", "intermission"]
    straight = [c.key for c in build_cues(programme, ShowOptions(straight_cut=True))]
    assert straight == ["holding", "film:F01", "film:F02", "film:F03", "film:F04", "end"]


# Full runs -------------------------------------------------------------------------------


def test_full_run_with_cards(programme: Programme) -> None:
    rig = Rig(programme)
    assert stage(rig.effects_since(0)) == ["holding"]
    assert rig.phase() is ShowPhase.HOLDING and rig.show.snapshot(rig.now).waiting_for_go
    rig.wait(30)  # holding waits for a human
    assert rig.key == "holding"
    rig.do("go")
    assert rig.key == "card:F01" and rig.phase() is ShowPhase.CARD
    rig.wait(8 + 60 + 1 + 8 + 90 + 1)
    assert rig.key == "intermission"
    rig.wait(60 + 30)  # the countdown ends, then the intermission waits for GO
    snap = rig.show.snapshot(rig.now)
    assert rig.key == "intermission" and snap.countdown_s == 0 and snap.waiting_for_go
    rig.do("go")
    rig.wait(8 + 45 + 1 + 8 + 30 + 1)
    assert rig.phase() is ShowPhase.ENDED
    assert stage(rig.effects_since(0)) == [
        "holding",
        "card:F01",
        "film:F01@A",
        "card:F02",
        "film:F02@B",
        "intermission",
        "card:F03",
        "film:F03@A",
        "card:F04",
        "film:F04@B",
        "end",
    ]
    snap = rig.show.snapshot(rig.now)
    assert all(status is FilmStatus.PLAYED for _, status in snap.films)
    assert rig.kinds()[0] == "cue_started" and rig.kinds()[-1] == "show_ended"
    assert rig.kinds().count("film_started") == 4 and "show_started" in rig.kinds()
    # Every card is up for title_card_seconds, then its film cuts in.
    card_at, _ = rig.first(lambda e: isinstance(e, ShowCard) and e.film.id == "F03")
    cut_at, _ = rig.first(lambda e: isinstance(e, CutToFilm) and e.film.id == "F03")
    assert cut_at - card_at == pytest.approx(8, abs=STEP)
    assert not any(isinstance(e, PlayFilm) for _, e in rig.log)  # every film was preloaded


def test_straight_cut_runs_films_back_to_back(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(straight_cut=True))
    rig.do("go")
    rig.wait(sum(RUNTIMES.values()) + 5)
    assert rig.phase() is ShowPhase.ENDED
    assert stage(rig.effects_since(0)) == [
        "holding",
        "film:F01@A",
        "film:F02@B",
        "film:F03@A",
        "film:F04@B",
        "blank",
    ]
    assert not any(isinstance(e, ShowCard | ShowIntermission | ShowEnd) for _, e in rig.log)


# GO and its guard ------------------------------------------------------------------------


def test_double_go_is_ignored_and_reported(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    rig.now += 0.4
    effects = rig.do("go")
    assert isinstance(effects[0], Ignored) and effects[0].action == "go"
    assert rig.key == "card:F01"  # the card was not skipped by the bounce
    ignored = rig.show.snapshot(rig.now).ignored_go
    assert ignored is not None and ignored.at == rig.now and "within 1 s" in ignored.reason
    rig.now += 1.0
    effects = rig.do("go")  # a deliberate GO on a card ends it
    assert rig.key == "film:F01" and stage(effects) == ["film:F01@A"]


def test_go_during_a_film_is_ignored_unless_allowed(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0))
    rig.do("go")
    rig.wait(5)
    assert isinstance(rig.do("go")[0], Ignored) and rig.key == "film:F01"
    allowed = Rig(programme, ShowOptions(title_card_seconds=0, go_skips_film=True))
    allowed.do("go")
    allowed.wait(5)
    allowed.do("go")
    assert allowed.key == "film:F02"
    assert allowed.show.snapshot(allowed.now).status_of("F01") is FilmStatus.SKIPPED


# Pause, black, back, skip, seek, jump ----------------------------------------------------


def test_pause_and_resume_a_film(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0))
    rig.do("go")
    rig.wait(10)
    assert rig.do("pause")[0] == PauseFilm(Slot.A)
    held = rig.show.snapshot(rig.now)
    assert held.phase is ShowPhase.PAUSED and held.waiting_for_go
    rig.wait(120)  # paused: nothing moves on
    assert rig.key == "film:F01"
    assert rig.show.snapshot(rig.now).film_elapsed_s == pytest.approx(held.film_elapsed_s)
    assert rig.do("resume")[0] == ResumeFilm(Slot.A)
    rig.wait(60 - 10 + 1)
    assert rig.key == "film:F02"
    assert {"film_paused", "film_resumed"} <= set(rig.kinds())


def test_pause_holds_card_and_intermission_countdowns(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    rig.wait(3)
    rig.do("pause")
    rig.wait(30)
    assert rig.key == "card:F01"
    assert rig.show.snapshot(rig.now).countdown_s == pytest.approx(5, abs=STEP)
    rig.do("resume")
    rig.wait(5 + STEP)
    assert rig.key == "film:F01"
    rig.do("jump_to", "intermission")
    rig.wait(20)
    effects = rig.do("pause")
    assert isinstance(effects[0], ShowIntermission) and not effects[0].running
    assert effects[0].seconds_left == pytest.approx(40, abs=STEP)
    rig.wait(100)
    assert rig.show.snapshot(rig.now).countdown_s == pytest.approx(40, abs=STEP)


def test_fade_to_black_pauses_and_unblack_resumes(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0, fade_s=2.0))
    rig.do("go")
    rig.wait(10)
    assert rig.do("fade_to_black")[:2] == [Black(2.0), PauseFilm(Slot.A)]
    assert rig.phase() is ShowPhase.BLACK and rig.show.snapshot(rig.now).black
    position = rig.show.snapshot(rig.now).film_elapsed_s
    rig.wait(100)
    assert rig.key == "film:F01"
    assert rig.show.snapshot(rig.now).film_elapsed_s == position
    assert isinstance(rig.do("cut_to_black")[0], Ignored)  # already black
    assert rig.do("unblack")[:2] == [ResumeFilm(Slot.A), Unblack(2.0)]
    assert rig.phase() is ShowPhase.FILM
    assert rig.do("cut_to_black")[:2] == [Black(0.0), PauseFilm(Slot.A)]
    rig.now += 2
    assert rig.do("go")[:2] == [ResumeFilm(Slot.A), Unblack(2.0)]  # GO lifts the black
    assert isinstance(rig.do("unblack")[0], Ignored)


def test_skip_under_black_starts_the_next_film_only_on_unblack(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0))
    rig.do("go")
    rig.wait(10)
    rig.do("cut_to_black")
    effects = rig.do("skip")
    assert rig.key == "film:F02" and not any(isinstance(e, CutToFilm) for e in effects)
    assert StopFilm(Slot.A) in effects
    assert rig.do("unblack")[0] == CutToFilm(programme.film("F02"), Slot.B)


def test_back_restarts_a_film_after_five_seconds(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    rig.wait(8 + 20)
    effects = rig.do("back")
    assert effects[0] == SeekFilm(Slot.A, 0.0) and rig.key == "film:F01"
    assert rig.show.snapshot(rig.now).film_elapsed_s == pytest.approx(0, abs=STEP)
    rig.wait(3)
    rig.do("back")  # 3 s in: back to the card
    assert rig.key == "card:F01"
    assert rig.show.snapshot(rig.now).status_of("F01") is FilmStatus.PENDING
    rig.do("back")
    assert rig.key == "holding"
    assert isinstance(rig.do("back")[0], Ignored)


def test_back_from_a_card_replays_the_previous_film(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    rig.wait(8 + 60 + 2)
    assert rig.key == "card:F02"
    mark = len(rig.log)
    rig.do("back")
    assert rig.key == "film:F01"
    # F01's player was stopped at the cut: F01 is loaded again into the slot other than the
    # last one used (B, replacing F02's preload), and F02 is preloaded into A.
    assert stage(rig.effects_since(mark)) == ["film:F01@B"]
    assert PreloadFilm(programme.film("F02"), Slot.A) in rig.effects_since(mark)


def test_skip_moves_on_and_marks_the_film_skipped(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    rig.wait(8 + 10)
    effects = rig.do("skip")
    assert rig.key == "card:F02" and StopFilm(Slot.A) in effects
    snap = rig.show.snapshot(rig.now)
    assert snap.status_of("F01") is FilmStatus.SKIPPED
    assert snap.status_of("F02") is FilmStatus.PENDING
    rig.do("skip")  # skipping a card goes to its film
    assert rig.key == "film:F02"
    assert ("skipped", {"cue": "card:F02"}) in rig.journal


def test_seek_moves_the_film_and_its_clock(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0))
    rig.do("go")
    rig.wait(5)
    assert rig.do("seek", 50.0)[0] == SeekFilm(Slot.A, 50.0)
    rig.wait(9)
    assert rig.key == "film:F01"
    rig.wait(1 + 2 * STEP)
    assert rig.key == "film:F02"  # the clock went on from 50 s
    assert rig.do("seek", 999.0)[0] == SeekFilm(Slot.B, 90.0)  # clamped to the duration
    assert isinstance(Rig(programme).do("seek", 3.0)[0], Ignored)


def test_jump_to_a_cue(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    effects = rig.do("jump_to", "film:F03")
    assert rig.key == "film:F03"
    assert stage(effects) == ["film:F03@A"]  # not preloaded: loaded into the slot after B
    assert isinstance(rig.do("jump_to", "film:F99")[0], Ignored)


# Seamless cuts ---------------------------------------------------------------------------


def test_clock_cuts_at_the_duration_not_at_the_late_end_event(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(straight_cut=True), end_lag=0.3)
    rig.do("go")
    rig.wait(62)
    started_at, _ = rig.first(lambda e: isinstance(e, Journal) and e.kind == "film_started")
    cut_at, _ = rig.first(lambda e: isinstance(e, CutToFilm) and e.film.id == "F02")
    assert cut_at - started_at == pytest.approx(60, abs=STEP + 1e-6)
    ended = [d for k, d in rig.journal if k == "film_ended"]
    assert ended[0]["how"] == "clock"
    # VLC's end event for F01 arrives late: the machine has moved on and ignores it.
    assert rig.show.film_ended(rig.now, "F01") == []


def test_clock_cut_is_ordered_its_lead_before_the_end(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(straight_cut=True, cut_lead_s=0.025), end_lag=0.3)
    rig.do("go")
    rig.wait(59.9)
    started_at, _ = rig.first(lambda e: isinstance(e, Journal) and e.kind == "film_started")
    # when the cut falls due, on the machine's clock: 60 s after the film started, less the lead
    due = rig.show.clock_cut_at(rig.now)
    assert due is not None
    assert due == pytest.approx(started_at + 60 - 0.025, abs=1e-6)
    rig.wait(0.1)
    assert rig.key == "film:F01"  # 59.95 s into the film: the cut is not due yet
    rig.run(rig.show.tick(due - 0.001))
    assert rig.key == "film:F01"
    rig.run(rig.show.tick(due + 1e-6))
    assert rig.key == "film:F02"
    assert [d["how"] for k, d in rig.journal if k == "film_ended"] == ["clock"]


def test_no_clock_cut_is_due_without_a_running_film_and_its_duration(
    programme: Programme,
) -> None:
    rig = Rig(programme, ShowOptions(straight_cut=True))
    assert rig.show.clock_cut_at(rig.now) is None  # holding
    rig.do("go")
    assert rig.show.clock_cut_at(rig.now) is None  # no picture (and no duration) yet
    rig.wait(1)
    elapsed = rig.show.snapshot(rig.now).film_elapsed_s
    assert elapsed is not None
    assert rig.show.clock_cut_at(rig.now) == pytest.approx(rig.now + 60 - elapsed, abs=1e-6)
    rig.do("pause")
    assert rig.show.clock_cut_at(rig.now) is None  # the film clock stands still
    with pytest.raises(ValueError, match="cut_lead_s"):
        ShowOptions(cut_lead_s=-0.01)


def test_a_cards_countdown_says_when_it_runs_out(programme: Programme) -> None:
    rig = Rig(programme)
    assert rig.show.countdown_ends_at(rig.now) is None  # holding: no countdown
    rig.do("go")
    assert rig.key == "card:F01"
    went = rig.now
    assert rig.show.countdown_ends_at(rig.now) == pytest.approx(went + 8, abs=1e-6)
    rig.wait(3)
    assert rig.show.countdown_ends_at(rig.now) == pytest.approx(went + 8, abs=1e-6)
    rig.do("pause")
    assert rig.show.countdown_ends_at(rig.now) is None  # held: the countdown stands still
    rig.wait(2)
    rig.do("resume")
    due = rig.show.countdown_ends_at(rig.now)
    assert due == pytest.approx(went + 10, abs=1e-6)  # 5 s left from now
    assert due is not None
    rig.run(rig.show.tick(due - 0.001))
    assert rig.key == "card:F01"
    rig.run(rig.show.tick(due + 1e-6))  # a timer aimed at it cuts at once, not at a tick
    assert rig.key == "film:F01"
    assert rig.show.countdown_ends_at(rig.now) is None  # a film: its clock cut instead


def test_end_event_before_the_clock_still_cuts(programme: Programme) -> None:
    media = {k: float(v) for k, v in RUNTIMES.items()}
    media["F01"] = 58.5  # the player reports 60 s but the media ends earlier
    rig = Rig(programme, ShowOptions(straight_cut=True), media=media, end_lag=0.0)
    rig.do("go")
    rig.wait(59.5)
    assert rig.key == "film:F02"
    ended = [d for k, d in rig.journal if k == "film_ended"]
    assert ended[0]["how"] == "end_event"
    assert ended[0]["position"] == pytest.approx(58.5, abs=0.2)


def test_next_film_is_preloaded_into_the_other_slot(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(straight_cut=True))
    f = programme.film
    assert PreloadFilm(f("F01"), Slot.A) in rig.effects_since(0)  # from holding
    effects = rig.do("go")
    assert effects[:2] == [CutToFilm(f("F01"), Slot.A), PreloadFilm(f("F02"), Slot.B)]
    rig.wait(61)
    at = next(i for i, (_, e) in enumerate(rig.log) if e == CutToFilm(f("F02"), Slot.B))
    cut = [e for _, e in rig.log[at:]]
    assert cut[:3] == [CutToFilm(f("F02"), Slot.B), StopFilm(Slot.A), PreloadFilm(f("F03"), Slot.A)]
    assert all(not isinstance(e, Journal) for e in cut[:3])  # journal after the cut


# Failures --------------------------------------------------------------------------------


def test_failed_film_alerts_and_retry_plays_it_again(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0))
    rig.do("go")
    rig.wait(10)
    rig.broken.add("F01")
    mark = len(rig.log)
    rig.wait(STEP)
    assert rig.effects_since(mark)[:2] == [Blank(), StopFilm(Slot.A)]
    snap = rig.show.snapshot(rig.now)
    assert snap.phase is ShowPhase.FAILED
    assert snap.alert is not None and snap.alert.film_id == "F01"
    assert snap.status_of("F01") is FilmStatus.FAILED
    rig.wait(30)  # the show waits
    assert rig.key == "film:F01" and isinstance(rig.do("go")[0], Ignored)
    rig.broken.clear()
    effects = rig.do("retry")
    assert isinstance(effects[0], PlayFilm) and effects[0].start_at_s == pytest.approx(10, abs=0.3)
    assert effects[0].slot is Slot.B  # a fresh player: the other slot...
    assert effects[1] == PreloadFilm(programme.film("F02"), Slot.A)  # ...so F02 moves to A
    assert rig.show.snapshot(rig.now).alert is None
    rig.wait(51)
    assert rig.key == "film:F02"
    assert rig.show.snapshot(rig.now).status_of("F01") is FilmStatus.PLAYED
    assert CutToFilm(programme.film("F02"), Slot.A) in rig.effects_since(0)
    assert isinstance(rig.do("retry")[0], Ignored)


def test_failed_film_can_be_skipped(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0))
    rig.broken.add("F02")
    rig.do("jump_to", "film:F02")
    rig.wait(1)
    assert rig.phase() is ShowPhase.FAILED
    rig.do("skip")
    assert rig.key == "intermission" and rig.show.snapshot(rig.now).alert is None
    assert rig.show.snapshot(rig.now).status_of("F02") is FilmStatus.FAILED


def test_failed_preload_is_reloaded_when_its_cue_comes(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(straight_cut=True))
    rig.do("go")
    effects = rig.run(rig.show.film_failed(rig.now, "F02", "file missing"))
    assert effects == [Journal("preload_failed", {"film": "F02", "reason": "file missing"})]
    assert rig.phase() is ShowPhase.FILM  # the show goes on
    rig.wait(61)
    assert stage(rig.effects_since(0))[-1] == "film:F02@B"
    assert isinstance(rig.first(lambda e: isinstance(e, PlayFilm))[1], PlayFilm)


# Intermission and auto mode --------------------------------------------------------------


def test_intermission_waits_for_go(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("jump_to", "intermission")
    rig.wait(200)
    assert rig.key == "intermission" and "intermission_over" in rig.kinds()
    rig.do("go")
    assert rig.key == "card:F03"


def test_auto_mode_runs_unattended(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(auto=True, auto_hold_s=5))
    assert not rig.show.snapshot(rig.now).waiting_for_go
    total = 5 + 4 * 8 + sum(RUNTIMES.values()) + 60 + 10
    rig.wait(total)
    assert rig.phase() is ShowPhase.ENDED
    assert "intermission" in stage(rig.effects_since(0))


# Journal and crash recovery --------------------------------------------------------------


def test_position_journal_is_throttled_to_once_a_second(programme: Programme) -> None:
    rig = Rig(programme, ShowOptions(title_card_seconds=0), report_every=0.25)
    rig.do("go")
    rig.wait(20)
    times = [t for t, e in rig.log if isinstance(e, Journal) and e.kind == "film_position"]
    assert 18 <= len(times) <= 20
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times))


def crash_and_restore(rig: Rig, programme: Programme) -> Rig:
    point = resume_point(rig.journal)
    assert point is not None
    return Rig(programme, ShowOptions(auto=True), point)


def test_resume_after_a_crash_mid_film(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    rig.wait(8 + 60 + 8 + 30.4)  # 30.4 s into F02
    point = resume_point(rig.journal)
    assert point is not None and point.cue_key == "film:F02"
    assert point.position_s == pytest.approx(30, abs=1.0)
    assert dict(point.statuses)["F01"] is FilmStatus.PLAYED

    again = crash_and_restore(rig, programme)
    opened = again.effects_since(0)
    assert PreloadFilm(programme.film("F02"), Slot.A, point.position_s) in opened
    assert not any(isinstance(e, PlayFilm | CutToFilm) for e in opened)
    snap = again.show.snapshot(again.now)
    assert snap.phase is ShowPhase.PAUSED and snap.film_elapsed_s == point.position_s
    assert snap.status_of("F01") is FilmStatus.PLAYED
    again.wait(30)  # never plays by itself, even in auto mode
    assert again.phase() is ShowPhase.PAUSED
    effects = again.do("go")
    assert effects[0] == PlayFilm(programme.film("F02"), Slot.A, point.position_s)
    again.wait(90 - point.position_s + 1)
    assert again.key == "intermission"


def test_resume_after_a_crash_during_a_card(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("go")
    rig.wait(3)
    again = crash_and_restore(rig, programme)
    assert again.key == "card:F01" and again.phase() is ShowPhase.PAUSED
    assert stage(again.effects_since(0)) == ["blank"]  # black, not the card, until GO
    again.wait(30)
    assert again.key == "card:F01"
    assert again.do("go")[0] == CutToFilm(programme.film("F01"), Slot.A)


def test_resume_after_a_crash_during_the_intermission(programme: Programme) -> None:
    rig = Rig(programme)
    rig.do("jump_to", "intermission")
    rig.wait(20)
    again = crash_and_restore(rig, programme)
    assert again.key == "intermission" and again.phase() is ShowPhase.PAUSED
    assert PreloadFilm(programme.film("F03"), Slot.A) in again.effects_since(0)
    again.wait(200)
    assert again.key == "intermission"
    again.do("go")
    assert again.key == "card:F03"


def test_resume_after_a_crash_in_holding_and_after_the_end(programme: Programme) -> None:
    rig = Rig(programme)
    assert resume_point([]) is None
    point = resume_point(rig.journal)
    assert point == ResumePoint("holding", 0.0, ())
    again = Rig(programme, ShowOptions(auto=True), point)
    again.wait(60)  # auto mode stays off until the operator acts
    assert again.key == "holding"
    again.do("go")
    assert again.key == "card:F01"

    rig.do("jump_to", "end")
    ended = crash_and_restore(rig, programme)
    assert ended.phase() is ShowPhase.ENDED
    assert isinstance(ended.do("go")[0], Ignored)


def test_resume_at_an_unknown_cue_is_refused(programme: Programme) -> None:
    with pytest.raises(ValueError, match="card:F01"):
        ShowMachine(programme, ShowOptions(straight_cut=True), ResumePoint("card:F01"))


# The console's view ----------------------------------------------------------------------


def test_snapshot_times_and_projected_end(programme: Programme) -> None:
    rig = Rig(programme)
    snap = rig.show.snapshot(rig.now)
    assert snap.projected_end == rig.now + 4 * 8 + sum(RUNTIMES.values()) + 60
    assert snap.next_cue is not None and snap.next_cue.key == "card:F01"
    rig.do("go")
    rig.wait(8 + 20)
    snap = rig.show.snapshot(rig.now)
    assert snap.film is not None and snap.film.id == "F01"
    assert snap.film_elapsed_s == pytest.approx(20, abs=0.2)
    assert snap.film_remaining_s == pytest.approx(40, abs=0.2)
    assert snap.show_elapsed_s == pytest.approx(28, abs=STEP)
    rest = 3 * 8 + 90 + 45 + 30 + 60
    assert snap.projected_end == pytest.approx(rig.now + 40 + rest, abs=0.2)
    assert snap.status_of("F01") is FilmStatus.PLAYING


def test_actions_need_open(programme: Programme) -> None:
    show = ShowMachine(programme)
    with pytest.raises(RuntimeError):
        show.go(0.0)
    show.open(0.0)
    with pytest.raises(RuntimeError):
        show.open(0.0)
