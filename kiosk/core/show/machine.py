"""The show's state machine: the cue list of the night and what GO, pause, black... do to it.

A functional core in the manner of QLab or Linux Show Player: plain Python, no Qt, no VLC, no
clock and no I/O. Every input -- an operator action, a clock tick or a fact reported by the
players -- is a method taking the monotonic time `now` in seconds and returning a list of
effects: frozen dataclasses the adapter carries out in order. Player and projector effects
always come before `Journal` entries, so a slow journal write never delays a cut.

How an adapter drives it:

* build `ShowMachine(programme, ShowOptions.from_event(event))` and carry out `open(now)`;
* call `tick(now)` often (every 20-50 ms): cards end, the intermission counts down and films
  are cut by the clock there;
* forward the operator's keys to `go`, `pause`, `resume`, `back`, `skip`, `seek`,
  `fade_to_black`, `cut_to_black`, `unblack`, `jump_to` and `retry`;
* report the players' facts: `film_started`, `film_duration`, `film_position` (every
  0.25-1 s), `film_ended` and `film_failed`;
* append every `Journal` to durable storage; after a crash, read the entries back with
  `resume_point` and build `ShowMachine(..., resume=point)`: it opens paused, GO continues.

Two film players, slots A and B, alternate: a film always goes into the slot other than the
one that played last (`Slot.other`), so the next film is preloaded while the current one plays
and the cut is a single frame. The cut is timed by the clock and the film's reported duration,
not by VLC's end-of-media event, which comes 0-300 ms late; that event still cuts if it comes
first (or if no duration was reported). The clock cut is ordered `cut_lead_s` before the end,
because the next player needs about that long to put its first picture up; `clock_cut_at`
tells the adapter when it falls due, and `countdown_ends_at` when a card's countdown runs
out, so it can fire a precise timer at either instead of waiting for its next tick.

Black is an overlay above whatever the stage shows, and it holds the show: the film pauses
under it and card and intermission countdowns stop; `unblack` resumes them (unless the operator
had paused). GO while black unblacks.
"""

from __future__ import annotations

from kiosk.core.music_plan import CLEAR_BEFORE_FILM_S, FADE_IN_AFTER_FILM_S, MusicMoment
from kiosk.core.programme import Programme
from kiosk.core.show.effects import (
    Black,
    Blank,
    CutToFilm,
    Effect,
    FadeMusic,
    Ignored,
    Journal,
    PauseFilm,
    PlayFilm,
    PreloadFilm,
    ResumeFilm,
    SeekFilm,
    ShowCard,
    ShowEnd,
    ShowHolding,
    ShowIntermission,
    StartMusic,
    StopFilm,
    Unblack,
)
from kiosk.core.show.model import (
    Alert,
    Cue,
    CueKind,
    FilmStatus,
    IgnoredGo,
    JsonValue,
    ResumePoint,
    ShowOptions,
    ShowPhase,
    Slot,
    Snapshot,
    build_cues,
)

_TIMED = frozenset({CueKind.CARD, CueKind.INTERMISSION})
_HOLDABLE = frozenset({CueKind.CARD, CueKind.FILM, CueKind.INTERMISSION})


def _settle(effects: list[Effect]) -> list[Effect]:
    """Player and projector effects first, journal entries last, each kept in order."""
    return [e for e in effects if not isinstance(e, Journal)] + [
        e for e in effects if isinstance(e, Journal)
    ]


class ShowMachine:
    """The running show: current cue, hold state (pause, black, failure) and the film clock."""

    def __init__(
        self,
        programme: Programme,
        options: ShowOptions | None = None,
        resume: ResumePoint | None = None,
    ) -> None:
        self.programme = programme
        self.options = options or ShowOptions()
        self.cues = build_cues(programme, self.options)
        self._keys = {cue.key: cue.index for cue in self.cues}
        self._resume = resume
        self._index = 0
        self._status = {film.id: FilmStatus.PENDING for film in programme.films}
        if resume is not None:
            if resume.cue_key not in self._keys:
                raise ValueError(f"cannot resume at '{resume.cue_key}': no such cue tonight")
            self._index = self._keys[resume.cue_key]
            for film_id, status in resume.statuses:
                if film_id in self._status:
                    self._status[film_id] = status
        # A restored show never runs by itself until the operator has pressed GO or resume.
        self._auto = self.options.auto and resume is None
        self._opened = False
        self._paused = False
        self._black = False
        self._alert: Alert | None = None
        self._durations: dict[str, float] = {}
        self._loaded: dict[Slot, tuple[str, float]] = {}  # slot -> (film id, loaded at)
        self._on_slot: Slot | None = None  # slot of the current film once told to play
        self._last_slot = Slot.B  # so the first film goes to A
        self._showing = False  # the current film has shown pictures
        self._pos = 0.0
        self._pos_at: float | None = None  # `now` of `_pos` while the film clock runs
        self._timer_left = 0.0
        self._timer_at: float | None = None  # `now` of `_timer_left` while counting down
        self._cue_at = 0.0
        self._pos_logged_at: float | None = None
        self._last_go: float | None = None
        self._ignored_go: IgnoredGo | None = None
        self._started_at: float | None = None
        self._ended_at: float | None = None

    @property
    def cue(self) -> Cue:
        """The current cue."""
        return self.cues[self._index]

    # Operator actions ------------------------------------------------------------------

    def open(self, now: float) -> list[Effect]:
        """Put the first (or restored) cue up; call once, before anything else."""
        if self._opened:
            raise RuntimeError("the show is already open")
        self._opened = True
        cue = self.cue
        self._cue_at = now
        self._timer_left = cue.seconds if cue.kind in _TIMED else 0.0
        point = self._resume
        if point is None:
            effects = self._enter(now) + self._preload_next()
            return _settle([*effects, Journal("cue_started", self._cue_data())])
        if cue.index > 0:  # the night began before the restart: its elapsed goes on from there
            self._started_at = now - max(0.0, point.show_elapsed_s)
        if cue.kind is CueKind.END:
            self._ended_at = now
        self._paused = cue.kind in _HOLDABLE
        if cue.kind is CueKind.FILM:
            self._pos = max(0.0, point.position_s)
        effects = self._enter(now) + self._preload_next()
        if cue.kind is CueKind.CARD:
            # the audience waited in the dark through the restart: black, not the card, until
            # GO (which goes on to the film)
            effects = [Blank() if isinstance(e, ShowCard) else e for e in effects]
        data: dict[str, JsonValue] = {"cue": cue.key, "position": self._pos}
        return _settle([*effects, Journal("restored", data)])

    def go(self, now: float) -> list[Effect]:
        """GO: start the show, end a card or the intermission, resume a paused film, unblack."""
        self._require_open()
        guard = self.options.go_guard_s
        if self._last_go is not None and now - self._last_go < guard:
            return self._ignore_go(now, f"GO again within {guard:g} s of the last one")
        cue = self.cue
        if cue.kind is CueKind.END:
            return self._ignore_go(now, "the show has ended")
        if self._alert is not None:
            return self._ignore_go(now, "the film failed: choose Retry or Skip")
        if self._black:
            self._accept_go(now)
            return self.unblack(now)
        if cue.kind is CueKind.FILM:
            if self._paused:
                self._accept_go(now)
                return self.resume(now)
            if not self.options.go_skips_film:
                return self._ignore_go(now, "a film is playing: Skip moves on")
            self._accept_go(now)
            return self.skip(now)
        self._accept_go(now)
        return self._go_to(cue.index + 1, now, None)

    def pause(self, now: float) -> list[Effect]:
        """Pause the film, or the card or intermission countdown."""
        self._require_open()
        cue = self.cue
        if cue.kind not in _HOLDABLE:
            return [Ignored("pause", f"nothing to pause on {cue.label}")]
        if self._paused:
            return [Ignored("pause", "already paused")]
        if self._alert is not None:
            return [Ignored("pause", "the film failed: choose Retry or Skip")]
        was_running = self._running()
        self._paused = True
        return _settle([*self._apply_hold(now, was_running), self._hold_journal("paused", now)])

    def resume(self, now: float) -> list[Effect]:
        """Resume what `pause` (or a crash restore) held; a film not yet loaded is played."""
        self._require_open()
        if not self._paused:
            return [Ignored("resume", "not paused")]
        was_running = self._running()
        self._paused = False
        self._auto = self.options.auto
        return _settle([*self._apply_hold(now, was_running), self._hold_journal("resumed", now)])

    def back(self, now: float) -> list[Effect]:
        """Restart the film if it is past `restart_after_s`, else go back to the previous cue."""
        self._require_open()
        cue = self.cue
        if cue.kind is CueKind.FILM and self._film_pos(now) > self.options.restart_after_s:
            return self._restart(now)
        if cue.index == 0:
            return [Ignored("back", "already at the first cue")]
        effects = self._go_to(cue.index - 1, now, FilmStatus.PENDING)
        return _settle([*effects, Journal("back", {"cue": cue.key})])

    def skip(self, now: float) -> list[Effect]:
        """Move on to the next cue (leaving a film marks it skipped, unless it failed)."""
        self._require_open()
        cue = self.cue
        if cue.kind is CueKind.END:
            return [Ignored("skip", "the show has ended")]
        effects = self._go_to(cue.index + 1, now, FilmStatus.SKIPPED)
        return _settle([*effects, Journal("skipped", {"cue": cue.key})])

    def seek(self, now: float, position_s: float) -> list[Effect]:
        """Move the current film to `position_s` (clamped to the film), playing or paused."""
        self._require_open()
        cue = self.cue
        if cue.kind is not CueKind.FILM or cue.film is None:
            return [Ignored("seek", f"no film to seek on {cue.label}")]
        position = max(0.0, position_s)
        duration = self._durations.get(cue.film.id)
        if duration is not None:
            position = min(position, duration)
        self._set_position(now, position)
        effects: list[Effect] = [] if self._on_slot is None else [SeekFilm(self._on_slot, position)]
        data: dict[str, JsonValue] = {"film": cue.film.id, "position": position}
        return [*effects, Journal("film_seeked", data)]

    def fade_to_black(self, now: float) -> list[Effect]:
        """The projectionist's Esc: fade to black over `fade_s` and hold the show."""
        return self._black_out(now, self.options.fade_s)

    def cut_to_black(self, now: float) -> list[Effect]:
        """Go to black at once and hold the show."""
        return self._black_out(now, 0.0)

    def unblack(self, now: float) -> list[Effect]:
        """Lift the black overlay and let the show run again (unless paused)."""
        self._require_open()
        if not self._black:
            return [Ignored("unblack", "not black")]
        was_running = self._running()
        self._black = False
        effects = self._apply_hold(now, was_running)
        effects += [Unblack(self.options.fade_s), Journal("unblack", {"cue": self.cue.key})]
        return _settle(effects)

    def jump_to(self, now: float, cue_key: str) -> list[Effect]:
        """Go straight to a cue by key (a film left on the way is marked skipped)."""
        self._require_open()
        index = self._keys.get(cue_key)
        if index is None:
            return [Ignored("jump", f"no cue '{cue_key}'")]
        origin = self.cue.key
        effects = self._go_to(index, now, FilmStatus.SKIPPED)
        return _settle([*effects, Journal("jumped", {"from": origin, "cue": cue_key})])

    def retry(self, now: float) -> list[Effect]:
        """Play the failed film again from where it failed."""
        self._require_open()
        alert = self._alert
        if alert is None:
            return [Ignored("retry", "no failed film")]
        was_running = self._running()
        self._alert = None
        effects = self._apply_hold(now, was_running)
        effects += self._set_status(alert.film_id, FilmStatus.PLAYING)
        data: dict[str, JsonValue] = {"film": alert.film_id, "position": self._pos}
        return _settle([*effects, Journal("film_retried", data)])

    # Time and player facts -------------------------------------------------------------

    def tick(self, now: float) -> list[Effect]:
        """Let time pass: end cards and the intermission, cut films at their duration."""
        self._require_open()
        cue = self.cue
        if cue.kind is CueKind.HOLDING:
            if self._auto and not self._black and now - self._cue_at >= self.options.auto_hold_s:
                return self._go_to(cue.index + 1, now, None)
            return []
        if not self._running():
            return []
        if cue.kind in _TIMED and self._timer_at is not None and self._timer(now) <= 0:
            self._timer_left, self._timer_at = 0.0, None
            if cue.kind is CueKind.CARD:
                return self._go_to(cue.index + 1, now, None)
            effects: list[Effect] = [self._intermission_effect(now)]
            effects.append(Journal("intermission_over", {"cue": cue.key}))
            if self._auto:
                effects += self._go_to(cue.index + 1, now, None)
            return _settle(effects)
        return self._check_clock(now)

    def clock_cut_at(self, now: float) -> float | None:
        """When (on the `now` clock) the current film's clock cut falls due; None if none is
        pending (no film running, or its duration not yet known). May be in the past."""
        cue = self.cue
        if cue.kind is not CueKind.FILM or cue.film is None or self._pos_at is None:
            return None
        duration = self._durations.get(cue.film.id)
        if duration is None:
            return None
        return now + (duration - self.options.cut_lead_s) - self._film_pos(now)

    def countdown_ends_at(self, now: float) -> float | None:
        """When (on the `now` clock) the running card's or intermission's countdown runs out
        (its cut, or the intermission's end); None while none counts down (another cue, held,
        black). May be in the past."""
        if self.cue.kind not in _TIMED or self._timer_at is None or not self._running():
            return None
        return now + self._timer(now)

    def film_started(self, now: float, film_id: str) -> list[Effect]:
        """Fact: the current film shows pictures (its clock starts)."""
        self._require_open()
        if not self._is_on(film_id) or self._showing:
            return []
        self._showing = True
        if self._running():
            self._pos_at = now
        return [Journal("film_started", {"film": film_id, "position": self._pos})]

    def film_duration(self, film_id: str, seconds: float) -> None:
        """Fact: a film's real duration, as the player measured it (enables clock cuts)."""
        if seconds > 0:
            self._durations[film_id] = float(seconds)

    def film_position(self, now: float, film_id: str, position_s: float) -> list[Effect]:
        """Fact: where the current film is; journalled at most every `position_every_s`."""
        self._require_open()
        if not self._is_on(film_id):
            return []
        self._showing = True
        self._set_position(now, max(0.0, position_s))
        effects: list[Effect] = []
        logged = self._pos_logged_at
        if logged is None or now - logged >= self.options.position_every_s:
            self._pos_logged_at = now
            data: dict[str, JsonValue] = {"film": film_id, "position": self._pos}
            effects.append(Journal("film_position", data))
        return _settle(effects + self._check_clock(now))

    def film_ended(self, now: float, film_id: str) -> list[Effect]:
        """Fact: the player reached the end of a film; cuts if the clock has not already."""
        self._require_open()
        if not self._is_on(film_id):
            return []
        return self._finish(now, "end_event")

    def film_failed(self, now: float, film_id: str, reason: str) -> list[Effect]:
        """Fact: a film cannot play. The current film: black stage, alert, wait for the operator."""
        self._require_open()
        cue = self.cue
        if cue.kind is CueKind.FILM and cue.film is not None and cue.film.id == film_id:
            if self._alert is not None:
                return []
            self._freeze(now)
            self._alert = Alert(film_id, reason)
            effects: list[Effect] = [Blank()]
            slot = self._on_slot or self._slot_of(film_id)
            if slot is not None:
                effects.append(StopFilm(slot))
                self._loaded.pop(slot, None)
            self._on_slot, self._showing = None, False
            effects += self._set_status(film_id, FilmStatus.FAILED)
            data: dict[str, JsonValue] = {"film": film_id, "reason": reason, "position": self._pos}
            return _settle([*effects, Journal("film_failed", data)])
        slot = self._slot_of(film_id)
        if slot is None:
            return []
        del self._loaded[slot]  # a failed preload: the film's own cue will load it again
        return [Journal("preload_failed", {"film": film_id, "reason": reason})]

    # The console's view ----------------------------------------------------------------

    def snapshot(self, now: float) -> Snapshot:
        """What the console shows: current and next cue, times, statuses, alert."""
        cue = self.cue
        film = cue.film if cue.kind is CueKind.FILM else None
        elapsed = remaining = countdown = None
        if film is not None:
            length = self._length(cue)
            elapsed = min(self._film_pos(now), length)
            remaining = length - elapsed
        if cue.kind in _TIMED:
            countdown = self._timer(now)
        left = remaining if remaining is not None else countdown or 0.0
        ahead = sum(self._length(c) for c in self.cues[cue.index + 1 :])
        if cue.kind is CueKind.HOLDING:
            waiting = not self._auto
        elif cue.kind is CueKind.INTERMISSION:
            waiting = countdown == 0 and not self._auto
        else:
            waiting = False
        started = self._started_at
        show_elapsed = 0.0 if started is None else (self._ended_at or now) - started
        return Snapshot(
            phase=self._phase(),
            cue=cue,
            next_cue=self.cues[cue.index + 1] if cue.index + 1 < len(self.cues) else None,
            film=film,
            film_elapsed_s=elapsed,
            film_remaining_s=remaining,
            countdown_s=countdown,
            waiting_for_go=waiting or self._paused or self._black,
            black=self._black,
            show_elapsed_s=show_elapsed,
            projected_end=now + left + ahead,
            films=tuple((f, self._status[f.id]) for f in self.programme.films),
            alert=self._alert,
            ignored_go=self._ignored_go,
            started_at=started,
            ended_at=self._ended_at,
        )

    # Inside ----------------------------------------------------------------------------

    def _require_open(self) -> None:
        if not self._opened:
            raise RuntimeError("call open(now) before driving the show")

    def _phase(self) -> ShowPhase:
        kind = self.cue.kind
        if kind is CueKind.END:
            return ShowPhase.ENDED
        if self._alert is not None:
            return ShowPhase.FAILED
        if self._black:
            return ShowPhase.BLACK
        if self._paused:
            return ShowPhase.PAUSED
        return ShowPhase(kind.value)

    def _running(self) -> bool:
        """Whether the current cue's clock runs (a timed or film cue, not held)."""
        held = self._paused or self._black or self._alert is not None
        return self.cue.kind in _HOLDABLE and not held

    def _is_on(self, film_id: str) -> bool:
        """Whether `film_id` is the current film and is playing or paused in a slot."""
        film = self.cue.film
        return (
            self.cue.kind is CueKind.FILM
            and film is not None
            and film.id == film_id
            and self._on_slot is not None
            and self._alert is None
        )

    def _length(self, cue: Cue) -> float:
        if cue.kind is CueKind.FILM and cue.film is not None:
            return self._durations.get(cue.film.id, cue.seconds)
        return cue.seconds

    def _film_pos(self, now: float) -> float:
        if self._pos_at is None:
            return self._pos
        return self._pos + (now - self._pos_at)

    def _set_position(self, now: float, position: float) -> None:
        self._pos = position
        film_clock = self._running() and self._showing and self._on_slot is not None
        self._pos_at = now if film_clock else None

    def _timer(self, now: float) -> float:
        left = self._timer_left
        if self._timer_at is not None:
            left -= now - self._timer_at
        return max(0.0, left)

    def _freeze(self, now: float) -> None:
        """Stop the film clock and the countdown where they are."""
        self._pos = self._film_pos(now)
        self._pos_at = None
        self._timer_left = self._timer(now)
        self._timer_at = None

    def _thaw(self, now: float) -> None:
        """Start the film clock (once pictures show) or the countdown, if the cue runs."""
        if not self._running():
            return
        if self.cue.kind is CueKind.FILM:
            if self._showing and self._on_slot is not None and self._pos_at is None:
                self._pos_at = now
        elif self._timer_left > 0 and self._timer_at is None:
            self._timer_at = now

    def _apply_hold(self, now: float, was_running: bool) -> list[Effect]:
        """Effects of the cue starting or stopping to run after pause/black/failure changed."""
        running = self._running()
        if running == was_running:
            return []
        cue = self.cue
        if not running:
            self._freeze(now)
            if cue.kind is CueKind.FILM and self._on_slot is not None:
                return [PauseFilm(self._on_slot)]
            if cue.kind is CueKind.INTERMISSION:
                return [self._intermission_effect(now)]
            return []
        if cue.kind is CueKind.FILM and self._on_slot is None:
            return self._start_film() + self._preload_next()
        self._thaw(now)
        if cue.kind is CueKind.FILM and self._on_slot is not None:
            return [ResumeFilm(self._on_slot)]
        if cue.kind is CueKind.INTERMISSION:
            return [self._intermission_effect(now)]
        return []

    def _hold_journal(self, verb: str, now: float) -> Journal:
        cue = self.cue
        if cue.kind is CueKind.FILM and cue.film is not None:
            data: dict[str, JsonValue] = {"film": cue.film.id, "position": self._film_pos(now)}
            return Journal(f"film_{verb}", data)
        return Journal(f"countdown_{verb}", {"cue": cue.key, "left": self._timer(now)})

    def _black_out(self, now: float, fade_s: float) -> list[Effect]:
        self._require_open()
        if self._black:
            return [Ignored("black", "already black")]
        was_running = self._running()
        self._black = True
        effects: list[Effect] = [Black(fade_s), *self._apply_hold(now, was_running)]
        effects.append(Journal("black", {"cue": self.cue.key, "fade": fade_s}))
        return _settle(effects)

    def _accept_go(self, now: float) -> None:
        self._last_go = now
        self._auto = self.options.auto

    def _ignore_go(self, now: float, reason: str) -> list[Effect]:
        self._ignored_go = IgnoredGo(now, reason)
        data: dict[str, JsonValue] = {"cue": self.cue.key, "reason": reason}
        return [Ignored("go", reason), Journal("go_ignored", data)]

    def _restart(self, now: float) -> list[Effect]:
        film = self.cue.film
        assert film is not None
        self._set_position(now, 0.0)
        effects: list[Effect] = [] if self._on_slot is None else [SeekFilm(self._on_slot, 0.0)]
        return [*effects, Journal("film_restarted", {"film": film.id, "position": 0.0})]

    def _check_clock(self, now: float) -> list[Effect]:
        """The clock-driven cut: the current film has played its known duration."""
        cue = self.cue
        if cue.kind is not CueKind.FILM or cue.film is None or self._pos_at is None:
            return []
        duration = self._durations.get(cue.film.id)
        if duration is None or self._film_pos(now) < duration - self.options.cut_lead_s:
            return []
        return self._finish(now, "clock")

    def _finish(self, now: float, how: str) -> list[Effect]:
        film = self.cue.film
        assert film is not None
        data: dict[str, JsonValue] = {"film": film.id, "position": self._film_pos(now), "how": how}
        effects = self._go_to(self._index + 1, now, FilmStatus.PLAYED)
        return _settle([Journal("film_ended", data), *effects])

    def _go_to(self, index: int, now: float, leaving: FilmStatus | None) -> list[Effect]:
        """Leave the current cue, giving its film the status `leaving`, and start cue `index`."""
        old = self.cue
        effects: list[Effect] = []
        film = old.film if old.kind is CueKind.FILM else None
        if (
            film is not None
            and leaving is not None
            and self._status[film.id] is not FilmStatus.FAILED
        ):
            effects += self._set_status(film.id, leaving)
        old_slot = self._on_slot
        if old_slot is not None:
            self._loaded.pop(old_slot, None)
        self._index = index
        cue = self.cue
        self._paused, self._alert = False, None
        self._on_slot, self._showing = None, False
        self._pos, self._pos_at, self._pos_logged_at = 0.0, None, None
        self._timer_left = cue.seconds if cue.kind in _TIMED else 0.0
        self._timer_at = None
        self._cue_at = now
        if self._started_at is None and index > 0:
            self._started_at = now
            effects.append(Journal("show_started", {}))
        effects += self._enter(now)
        if old_slot is not None:
            effects.append(StopFilm(old_slot))
        effects += self._preload_next()
        effects.append(Journal("cue_started", self._cue_data()))
        if cue.kind is CueKind.END:
            self._ended_at = now
            effects.append(Journal("show_ended", {}))
        else:
            self._ended_at = None
        return _settle(effects)

    def _enter(self, now: float) -> list[Effect]:
        """Put the current cue on the stage, running or held."""
        cue = self.cue
        match cue.kind:
            case CueKind.HOLDING:
                return [ShowHolding(), *self._music(MusicMoment.DOORS)]
            case CueKind.END:
                if self.options.straight_cut:
                    return [Blank()]
                return [ShowEnd(), *self._music(MusicMoment.END)]
            case CueKind.INTERMISSION:
                self._thaw(now)
                return [self._intermission_effect(now), *self._music(MusicMoment.INTERMISSION)]
        film = cue.film
        assert film is not None
        if cue.kind is CueKind.CARD:
            self._thaw(now)
            return [*self._music_fade(self._timer_left), ShowCard(film, self._timer_left)]
        status = self._set_status(film.id, FilmStatus.PLAYING)
        fade = self._music_fade(0.0)  # before the film's first sound, whatever still sounds
        if self._running():
            return fade + self._start_film() + status
        return [*fade, Blank(), *self._ready_film(), *status]

    def _music(self, moment: MusicMoment) -> list[Effect]:
        """The room's music for a still cue, when the programme has some for that moment; after
        a film (intermission, walk-out) it rises over `FADE_IN_AFTER_FILM_S`."""
        plan = self.programme.music
        if plan is None or plan.list_for(moment) is None:
            return []
        rise = 0.0 if moment is MusicMoment.DOORS else FADE_IN_AFTER_FILM_S
        return [StartMusic(moment, rise)]

    def _music_fade(self, before_film_s: float) -> list[Effect]:
        """Fade the music at GO so that it is silent `CLEAR_BEFORE_FILM_S` before a film's
        first sound `before_film_s` from now (a film cue itself: at once). Always asked when
        the programme has music: the booth may have started some by hand."""
        plan = self.programme.music
        if plan is None:
            return []
        room = max(0.0, before_film_s - CLEAR_BEFORE_FILM_S)
        return [FadeMusic(round(min(plan.fade_s, room), 3))]

    def _start_film(self) -> list[Effect]:
        """Play the current film from `_pos`: a cut if it is preloaded there, else load it."""
        film = self.cue.film
        assert film is not None
        slot = self._slot_of(film.id)
        effect: Effect
        if slot is not None and self._pos == 0 and self._loaded[slot][1] == 0:
            effect = CutToFilm(film, slot)
        else:
            slot = slot or self._last_slot.other
            effect = PlayFilm(film, slot, self._pos)
        self._loaded[slot] = (film.id, self._pos)
        self._on_slot = self._last_slot = slot
        self._showing, self._pos_at = False, None
        return [effect]

    def _ready_film(self) -> list[Effect]:
        """Preload the held current film at its position so GO starts it at once."""
        film = self.cue.film
        assert film is not None
        slot = self._slot_of(film.id)
        if slot is not None and self._loaded[slot][1] == self._pos:
            return []
        slot = slot or self._last_slot.other
        self._loaded[slot] = (film.id, self._pos)
        return [PreloadFilm(film, slot, self._pos)]

    def _preload_next(self) -> list[Effect]:
        """Load the next film cue's film into the slot the current film does not use."""
        after = self.cues[self._index + 1 :]
        upcoming = next((c.film for c in after if c.kind is CueKind.FILM), None)
        if upcoming is None or self._slot_of(upcoming.id) is not None:
            return []
        reserved = self._on_slot
        current = self.cue.film
        if reserved is None and self.cue.kind is CueKind.FILM and current is not None:
            reserved = self._slot_of(current.id)
        slot = reserved.other if reserved is not None else self._last_slot.other
        self._loaded[slot] = (upcoming.id, 0.0)
        return [PreloadFilm(upcoming, slot)]

    def _slot_of(self, film_id: str) -> Slot | None:
        return next((s for s, (f, _) in self._loaded.items() if f == film_id), None)

    def _set_status(self, film_id: str, status: FilmStatus) -> list[Effect]:
        if self._status[film_id] is status:
            return []
        self._status[film_id] = status
        return [Journal("film_status", {"film": film_id, "status": status.value})]

    def _intermission_effect(self, now: float) -> ShowIntermission:
        intermission = self.programme.intermission
        assert intermission is not None
        return ShowIntermission(intermission, self._timer(now), self._timer_at is not None)

    def _cue_data(self) -> dict[str, JsonValue]:
        cue = self.cue
        return {"cue": cue.key, "index": cue.index, "kind": cue.kind.value, "position": 0.0}
