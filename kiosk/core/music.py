"""Music for the room (plain Python): the order tracks play in, and the music deck's
decisions -- which track, when to crossfade, what skip, pause and fade-now do.

The show machine (`kiosk.core.show.machine`) decides *when* music belongs to the night: it
asks for the doors music on the holding slide, the intermission music on the intermission
slide, the end music on the End card, and for a fade at GO that is over before the first
film's sound (`StartMusic`, `FadeMusic`). `MusicDeck` decides *what* plays: two players
("decks" 0 and 1) so one track can crossfade into the next, driven like the show machine --
every input takes the monotonic time `now` and returns effects the adapter carries out in
order (`kiosk.night.music`), journal entries last.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.music_plan import (
    CROSSFADE_LEAD_S,
    CROSSFADE_WINDOW_S,
    DEFAULT_CROSSFADE_S,
    LEVEL_MAX_DB,
    LEVEL_MIN_DB,
    SKIP_FADE_S,
    MusicMoment,
    MusicPlan,
)
from kiosk.core.show.effects import Journal
from kiosk.core.show.model import JsonValue
from kiosk.core.show.resume import SHOW_RESET


def play_order(count: int, shuffle: bool, seed: str) -> tuple[int, ...]:
    """The order a list's tracks play in: as listed, or shuffled the same way every time for
    the same `seed` (so a restored night carries on with the same order)."""
    order = list(range(count))
    if shuffle:
        random.Random(seed).shuffle(order)
    return tuple(order)


@dataclass(frozen=True)
class MusicTrack:
    """One playable music file and the gain that brings it to the music's loudness."""

    path: Path
    gain_db: float
    measured: bool = True  # False: preflight has not measured it (played at -offset)

    @property
    def name(self) -> str:
        """What the console shows."""
        return self.path.stem


# Effects the deck asks of its players -----------------------------------------------------


@dataclass(frozen=True)
class PlayTrack:
    """Start `track` on `deck`, fading up from silence over `fade_in_s` (0: at full level)."""

    deck: int
    track: MusicTrack
    fade_in_s: float = 0.0


@dataclass(frozen=True)
class FadeOutTrack:
    """Fade `deck` down to silence over `seconds` (0: at once), then stop it."""

    deck: int
    seconds: float


@dataclass(frozen=True)
class PauseTracks:
    """Pause every deck that sounds."""


@dataclass(frozen=True)
class ResumeTracks:
    """Resume the paused decks."""


@dataclass(frozen=True)
class MusicLevel:
    """The booth's music level changed: every deck's volume follows."""

    level_db: float


@dataclass(frozen=True)
class MusicRefused:
    """A booth action that did nothing, and why (for the log panel)."""

    action: str
    reason: str


DeckEffect = PlayTrack | FadeOutTrack | PauseTracks | ResumeTracks | MusicLevel | MusicRefused
MusicEffect = DeckEffect | Journal


class DeckState(enum.Enum):
    """What the room hears of the music."""

    OFF = "off"
    PLAYING = "playing"
    PAUSED = "paused"
    FADING = "fading"  # fading out, to silence


@dataclass(frozen=True)
class MusicView:
    """The console's line: what plays, what is next, the level."""

    state: DeckState
    moment: MusicMoment | None
    track: str | None
    next_track: str | None
    number: int  # 1-based place of the current track in its list (0: none)
    count: int
    level_db: float
    unmeasured: bool  # the current track was not measured by preflight


@dataclass
class _Deck:
    track: MusicTrack | None = None
    fading_until: float | None = None  # fading out until then (None: not fading out)


def _settle(effects: list[MusicEffect]) -> list[MusicEffect]:
    return [e for e in effects if not isinstance(e, Journal)] + [
        e for e in effects if isinstance(e, Journal)
    ]


class MusicDeck:
    """Two music players and lists of tracks: start, crossfade, skip, pause, fade, level.

    `tracks` holds each moment's playable tracks, `shuffled` the moments played in shuffled
    order (the same order for the same `seed`). Report the players' facts
    (`track_position`, `track_ended`, `track_failed`) and call `tick(now)` every 50-200 ms
    (a deck fading out becomes free there)."""

    def __init__(
        self,
        tracks: Mapping[MusicMoment, Sequence[MusicTrack]],
        *,
        crossfade_s: float = DEFAULT_CROSSFADE_S,
        shuffled: frozenset[MusicMoment] = frozenset(),
        seed: str = "",
        level_db: float = 0.0,
        resume_at: Mapping[MusicMoment, int] | None = None,
    ) -> None:
        self.tracks = {moment: tuple(found) for moment, found in tracks.items() if found}
        # after a restart, a moment's first start goes on with the track that was playing
        self._resume_at = dict(resume_at or {})
        self.crossfade_s = crossfade_s
        self.level_db = level_db
        self._shuffled = shuffled
        self._seed = seed
        self._moment: MusicMoment | None = None
        self._order: tuple[int, ...] = ()
        self._at = 0  # place in `_order` of the current track
        self._current: int | None = None  # the deck the current track plays on
        self._decks = [_Deck(), _Deck()]
        self._paused = False
        self._crossfading = False  # the next track already started under the current one
        self._failures = 0  # tracks in a row that would not play

    # Inputs --------------------------------------------------------------------------------

    def start(self, now: float, moment: MusicMoment, fade_in_s: float = 0.0) -> list[MusicEffect]:
        """The moment's music (from its first track in play order, or the one a restored night
        was playing), rising over `fade_in_s`; nothing if it already plays, a refusal if the
        moment has no tracks."""
        if self._moment is moment and self._current is not None:
            if self._paused:
                return self.resume(now)
            return []
        tracks = self.tracks.get(moment, ())
        if not tracks:
            return [MusicRefused("start", f"no {moment.value} music in the programme")]
        effects = self._silence_all(now, 0.0)
        self._moment, self._paused, self._failures = moment, False, 0
        shuffle = moment in self._shuffled
        self._order = play_order(len(tracks), shuffle, f"{self._seed}:{moment.value}")
        self._at = max(0, self._resume_at.pop(moment, 1) - 1) % len(self._order)
        effects += self._play_current(now, fade_in_s=fade_in_s)
        effects.append(Journal("music_started", self._data(moment=moment.value)))
        return _settle(effects)

    def fade_out(self, now: float, seconds: float, *, by: str = "show") -> list[MusicEffect]:
        """Fade everything that sounds to silence over `seconds` (0: stop at once)."""
        if self._current is None and not any(d.track for d in self._decks):
            return [MusicRefused("fade", "no music is playing")]
        moment = self._moment
        effects = self._silence_all(now, seconds)
        self._current, self._paused, self._crossfading = None, False, False
        data: dict[str, JsonValue] = {"moment": moment.value if moment else None}
        data.update(seconds=round(seconds, 2), by=by)
        return _settle([*effects, Journal("music_faded", data)])

    def skip(self, now: float) -> list[MusicEffect]:
        """The next track now: the current one fades out over `SKIP_FADE_S`."""
        if self._current is None or self._moment is None:
            return [MusicRefused("skip", "no music is playing")]
        skipped = self._current_track()
        effects = self._next(now, fade_out_s=SKIP_FADE_S, fade_in_s=0.0)
        data: dict[str, JsonValue] = {"skipped": skipped.name if skipped else None}
        return _settle([*effects, Journal("music_skipped", self._data(**data))])

    def pause(self, now: float) -> list[MusicEffect]:
        """Pause the music (a fade in progress goes on when resumed)."""
        if self._current is None:
            return [MusicRefused("pause", "no music is playing")]
        if self._paused:
            return [MusicRefused("pause", "the music is already paused")]
        self._paused = True
        return [PauseTracks(), Journal("music_paused", self._data())]

    def resume(self, now: float) -> list[MusicEffect]:
        """Resume paused music."""
        if not self._paused:
            return [MusicRefused("resume", "the music is not paused")]
        self._paused = False
        return [ResumeTracks(), Journal("music_resumed", self._data())]

    def set_level(self, now: float, level_db: float) -> list[MusicEffect]:
        """The booth's music level in dB around the planned level (clamped)."""
        level = round(max(LEVEL_MIN_DB, min(LEVEL_MAX_DB, level_db)), 1)
        if level == self.level_db:
            return [MusicRefused("level", f"the music level is already {level:+.1f} dB")]
        self.level_db = level
        return [MusicLevel(level), Journal("music_level", {"level_db": level})]

    def tick(self, now: float) -> list[MusicEffect]:
        """Let time pass: decks whose fade-out is over are free again."""
        for deck in self._decks:
            if deck.fading_until is not None and now >= deck.fading_until:
                deck.track, deck.fading_until = None, None
        return []

    def set_tracks(self, tracks: Mapping[MusicMoment, Sequence[MusicTrack]]) -> None:
        """New lists (preflight measured them again): the current track plays on, the next
        one comes from the new list of its moment."""
        self.tracks = {moment: tuple(found) for moment, found in tracks.items() if found}
        moment = self._moment
        count = len(self.tracks.get(moment, ())) if moment is not None else 0
        if moment is not None and count != len(self._order):
            shuffle = moment in self._shuffled
            self._order = play_order(count, shuffle, f"{self._seed}:{moment.value}")
            self._at = min(self._at, max(0, count - 1))

    # Facts from the players ------------------------------------------------------------------

    def track_position(
        self, now: float, deck: int, position_s: float, length_s: float
    ) -> list[MusicEffect]:
        """Where a deck's track is: the crossfade into the next track is over
        `CROSSFADE_LEAD_S` before its end (see there); it starts at the first report within
        `CROSSFADE_WINDOW_S` of its latest start."""
        if deck != self._current or self._paused or self._crossfading or length_s <= 0:
            return []
        if self.crossfade_s <= 0:
            return []  # no crossfade: the next track when this one has ended
        left = length_s - position_s
        if left > self.crossfade_s + CROSSFADE_LEAD_S + CROSSFADE_WINDOW_S:
            return []
        fade = round(max(0.0, min(self.crossfade_s, left - CROSSFADE_LEAD_S)), 3)
        self._crossfading = True
        return _settle(self._next(now, fade_out_s=fade, fade_in_s=fade))

    def track_ended(self, now: float, deck: int) -> list[MusicEffect]:
        """A deck's track reached its end: the next one, unless the crossfade already began."""
        self._decks[deck].track, self._decks[deck].fading_until = None, None
        if deck != self._current:
            return []
        self._current = None
        return _settle(self._next(now, fade_out_s=0.0, fade_in_s=0.0))

    def track_failed(self, now: float, deck: int, reason: str) -> list[MusicEffect]:
        """A track would not play: the next one (after every track failed in a row: off)."""
        track = self._decks[deck].track
        self._decks[deck].track, self._decks[deck].fading_until = None, None
        data: dict[str, JsonValue] = {"track": track.name if track else None, "reason": reason}
        effects: list[MusicEffect] = [Journal("music_failed", data)]
        if deck != self._current:
            return effects
        self._current = None
        self._failures += 1
        if self._failures >= len(self._order):
            self._moment = None
            return [
                MusicRefused("play", f"no {data['track']} nor any other track would play"),
                *effects,
            ]
        return _settle([*self._next(now, fade_out_s=0.0, fade_in_s=0.0), *effects])

    # The console's view ----------------------------------------------------------------------

    def view(self, now: float) -> MusicView:
        """What the booth sees of the music."""
        current = self._current_track() if self._current is not None else None
        moment = self._moment
        tracks = self.tracks.get(moment, ()) if moment else ()
        if current is not None:
            state = DeckState.PAUSED if self._paused else DeckState.PLAYING
        elif any(d.track is not None for d in self._decks):
            state = DeckState.FADING
        else:
            state = DeckState.OFF
        upcoming = None
        if current is not None and self._order:
            upcoming = tracks[self._order[(self._at + 1) % len(self._order)]].name
        return MusicView(
            state=state,
            moment=moment if state is not DeckState.OFF else None,
            track=current.name if current else None,
            next_track=upcoming,
            number=self._at + 1 if current else 0,
            count=len(tracks),
            level_db=self.level_db,
            unmeasured=current is not None and not current.measured,
        )

    @property
    def moment(self) -> MusicMoment | None:
        """The moment whose music plays or is paused (None: off or fading out)."""
        return self._moment if self._current is not None else None

    # Inside ----------------------------------------------------------------------------------

    def _current_track(self) -> MusicTrack | None:
        return None if self._current is None else self._decks[self._current].track

    def _data(self, **extra: JsonValue) -> dict[str, JsonValue]:
        track = self._current_track()
        data: dict[str, JsonValue] = {
            "moment": self._moment.value if self._moment else None,
            "track": track.name if track else None,
            "number": self._at + 1,
        }
        data.update(extra)
        return data

    def _silence_all(self, now: float, seconds: float) -> list[MusicEffect]:
        effects: list[MusicEffect] = []
        for index, deck in enumerate(self._decks):
            if deck.track is None:
                continue
            if seconds <= 0:
                deck.track, deck.fading_until = None, None
            elif deck.fading_until is None or deck.fading_until > now + seconds:
                deck.fading_until = now + seconds
            else:
                continue  # already fading out sooner
            effects.append(FadeOutTrack(index, seconds))
        if self._paused:
            effects.append(ResumeTracks())  # a paused deck cannot fade: it fades as it plays
        self._current = None
        return effects

    def _free_deck(self) -> int:
        """A deck other than the current one; a deck still fading out is cut off."""
        candidates = [i for i in (0, 1) if i != self._current]
        free = next((i for i in candidates if self._decks[i].track is None), None)
        return free if free is not None else candidates[0]

    def _play_current(self, now: float, fade_in_s: float) -> list[MusicEffect]:
        assert self._moment is not None
        tracks = self.tracks[self._moment]
        track = tracks[self._order[self._at]]
        deck = self._free_deck()
        effects: list[MusicEffect] = []
        if self._decks[deck].track is not None:
            effects.append(FadeOutTrack(deck, 0.0))
        self._decks[deck] = _Deck(track)
        self._current, self._crossfading = deck, False
        effects.append(PlayTrack(deck, track, fade_in_s))
        return effects

    def _next(self, now: float, *, fade_out_s: float, fade_in_s: float) -> list[MusicEffect]:
        """Move to the next track in play order (round and round)."""
        effects: list[MusicEffect] = []
        if self._current is not None:
            old = self._decks[self._current]
            if fade_out_s <= 0:
                old.track, old.fading_until = None, None
            else:
                old.fading_until = now + fade_out_s
            effects.append(FadeOutTrack(self._current, fade_out_s))
            self._current = None
        if self._paused:
            self._paused = False
            effects.append(ResumeTracks())
        self._at = (self._at + 1) % max(1, len(self._order))
        effects += self._play_current(now, fade_in_s)
        effects.append(Journal("music_track", self._data()))
        return effects


def music_deck(
    plan: MusicPlan,
    tracks: Mapping[MusicMoment, Sequence[MusicTrack]],
    seed: str,
    journal: Iterable[tuple[str, Mapping[str, object]]] = (),
) -> MusicDeck:
    """A deck for the plan's lists (shuffled or in order as each list says), with the booth's
    level and each moment's track as the journal (kind, data in order) last had them."""
    level, resume_at = music_resume(journal)
    return MusicDeck(
        tracks,
        crossfade_s=plan.crossfade_s,
        shuffled=frozenset(m.moment for m in plan.lists if m.shuffle),
        seed=seed,
        level_db=level,
        resume_at=resume_at,
    )


def music_resume(
    entries: Iterable[tuple[str, Mapping[str, object]]],
) -> tuple[float, dict[MusicMoment, int]]:
    """From the journal (kind, data in order): the booth's last music level, and for each
    moment the place in its play order of the track last started since the night was last
    started over (`show_reset`), so a restored night brings that track back."""
    level = 0.0
    places: dict[MusicMoment, int] = {}
    moments = {m.value: m for m in MusicMoment}
    for kind, data in entries:
        if kind == SHOW_RESET:
            places = {}
        elif kind == "music_level":
            value = data.get("level_db")
            if isinstance(value, int | float) and not isinstance(value, bool):
                level = float(value)
        elif kind in ("music_started", "music_track"):
            moment, number = moments.get(str(data.get("moment"))), data.get("number")
            if moment is not None and isinstance(number, int) and not isinstance(number, bool):
                places[moment] = number
    return level, places
