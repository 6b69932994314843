"""The show report: what the audience actually saw and who came, rebuilt from the records.

Plain Python, no Qt, no database: `build_report` takes the journal records, the check-in rows,
the attendee counts and the programme, and returns a `ShowReport`. Every figure comes from what
was recorded (the journal, the check-ins), never from the plan; the plan is only the reference
the actual times are compared with. Nothing is left out: a show that never ran says so, every
incident (pause, black, failure, skip, crash) is listed with its time, and the award reveal is
reported as award and step only -- the journal never names a winner.

How the journal is read (the show machine's record kinds, see `kiosk.core.show`):

* the report covers the show since the last `show_reset` (a rehearsal or "start over" begins a
  new run; earlier runs are counted, not hidden);
* a film's `started` is its first `film_started` (pictures on the screen), `ended` its
  `film_ended`; `played_s` adds up the wall-clock spans in which it ran (pauses, black, a
  failure and a crash stop the span);
* a `restored` record in the middle of a show means the show process stopped without ending
  the show (a crash, a kill or a quit mid-show): the projector was dark from the last record of
  the old process until the next picture (`film_started`, or a card, intermission or end cue).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from kiosk.core.event import EventConfig
from kiosk.core.programme import Programme
from kiosk.core.report.doors import checkin_report
from kiosk.core.report.model import (
    AttendeeCounts,
    CheckinRow,
    FilmSound,
    Record,
    ShowReport,
    ShowState,
    Span,
    VoteTurnout,
)
from kiosk.core.report.reveal import reveal_report
from kiosk.core.report.walk import SHOW_KINDS, earlier_runs, film_report, last_run, walk_show
from kiosk.core.show import SHOW_RESET, CueKind, ShowOptions, build_cues


def build_report(
    event: EventConfig,
    programme: Programme,
    records: Sequence[Record],
    checkins: Sequence[CheckinRow],
    attendees: AttendeeCounts,
    *,
    made_at: dt.datetime,
    sound: Mapping[str, FilmSound] | None = None,
    vote: VoteTurnout | None = None,
) -> ShowReport:
    """The report of the night from its records (journal in id order, active check-ins)."""
    zone = ZoneInfo(event.timezone)
    # every time in the report is in the event's zone (the store keeps UTC)
    records = tuple(dataclasses.replace(r, at=r.at.astimezone(zone)) for r in records)
    checkins = tuple(dataclasses.replace(c, at=c.at.astimezone(zone)) for c in checkins)
    resets = [i for i, r in enumerate(records) if r.kind == SHOW_RESET]
    run, again = last_run(records[resets[-1] + 1 :] if resets else records)
    earlier = earlier_runs(records, resets) + again
    walk = walk_show(programme, [r for r in run if r.kind in SHOW_KINDS])
    planned = _planned(event, programme, zone)
    films = tuple(
        film_report(film.id, programme, walk, planned, (sound or {}).get(film.id))
        for film in programme.films
    )
    incidents = tuple(sorted(walk.incidents, key=lambda i: i.at))
    state = (
        ShowState.ENDED
        if walk.ended
        else ShowState.UNDER_WAY
        if walk.started
        else ShowState.NOT_STARTED
    )
    intermission = (
        Span(walk.intermission_start, walk.intermission_end) if walk.intermission_start else None
    )
    pause = programme.intermission
    show_start = dt.datetime.combine(event.date, event.start, zone)
    return ShowReport(
        event_name_en=event.name_en,
        event_name_zh=event.name_zh,
        programme_en=programme.name_en,
        programme_zh=programme.name_zh,
        zone=event.timezone,
        made_at=made_at,
        state=state,
        planned_start=show_start,
        doors_planned=(
            dt.datetime.combine(event.date, event.doors_open, zone) if event.doors_open else None
        ),
        started=walk.started,
        ended=walk.ended,
        last_record=walk.last_show_at,
        earlier_runs=earlier,
        films=films,
        incidents=incidents,
        intermission=intermission,
        planned_intermission_s=pause.minutes * 60 if pause else None,
        checkins=checkin_report(records, checkins, attendees, event.capacity or None),
        reveal=reveal_report(records),
        vote=vote,
        dark_s=sum(i.dark_s for i in incidents),
    )


def _planned(
    event: EventConfig, programme: Programme, zone: ZoneInfo
) -> dict[str, tuple[dt.datetime, float]]:
    """Each film's planned start and length: the event's start plus the cues before it."""
    cues = build_cues(programme, ShowOptions.from_event(event))
    at = dt.datetime.combine(event.date, event.start, zone)
    planned: dict[str, tuple[dt.datetime, float]] = {}
    for cue in cues:
        if cue.kind is CueKind.FILM and cue.film is not None:
            planned[cue.film.id] = (at, cue.seconds)
        at += dt.timedelta(seconds=cue.seconds)
    return planned
