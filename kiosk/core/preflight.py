"""Preflight rules: given what the probe measured of each film, is the show safe to run?

The media adapter measures (`MediaFacts`); this module judges. A *problem* blocks the show
(the film would not play, or would play without sound); a *warning* is worth a look but the
show can go on. Both are sentences an operator can act on.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, Programme, format_duration

MAX_BOOST_DB = 12.0  # more would lift the noise floor of a quiet film into the hall
MAX_CUT_DB = -20.0
PEAK_CEILING_DBFS = -1.0  # never boost a film's peaks above this
DURATION_TOLERANCE_S = 0.5  # container vs decoded length: more means the file is cut short
RUNTIME_WARN_FRACTION = 0.10  # declared vs measured runtime
SILENCE_LUFS = -70.0


@dataclass(frozen=True)
class MediaFacts:
    """What the probe measured of one media file (None where it could not tell)."""

    exists: bool
    readable: bool = False
    error: str | None = None
    file_size: int | None = None
    file_mtime: float | None = None
    container_duration_s: float | None = None
    decoded_duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    display_aspect: float | None = None
    fps: float | None = None
    video_codec: str | None = None
    video_streams: int = 0
    audio_streams: int = 0
    audio_channels: int | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    loudness_lufs: float | None = None
    peak_dbfs: float | None = None
    decode_errors: tuple[str, ...] = ()
    player_error: str | None = None  # the show's player (libvlc) could not open it


@dataclass(frozen=True)
class FilmCheck:
    """The verdict on one film: measurements, gain to play at, problems and warnings."""

    film_id: str
    file: Path
    ok: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    display_aspect: float | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_channels: int | None = None
    audio_codec: str | None = None
    loudness_lufs: float | None = None
    peak_dbfs: float | None = None
    gain_db: float | None = None
    file_size: int | None = None
    file_mtime: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The `preflight --json` shape for one film."""
        return {
            "id": self.film_id,
            "ok": self.ok,
            "file": str(self.file),
            "duration_s": _round(self.duration_s, 3),
            "width": self.width,
            "height": self.height,
            "aspect": _round(self.display_aspect, 3),
            "fps": _round(self.fps, 3),
            "video_codec": self.video_codec,
            "audio_channels": self.audio_channels,
            "audio_codec": self.audio_codec,
            "loudness_lufs": _round(self.loudness_lufs, 1),
            "peak_dbfs": _round(self.peak_dbfs, 1),
            "gain_db": _round(self.gain_db, 1),
            "problems": list(self.problems),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> FilmCheck:
        """Rebuild a check from its stored row."""
        return cls(
            film_id=row["film_id"],
            file=Path(row["file"]),
            ok=bool(row["ok"]),
            problems=json.loads(row["problems"]),
            warnings=json.loads(row["warnings"]),
            duration_s=row["duration_s"],
            width=row["width"],
            height=row["height"],
            display_aspect=row["display_aspect"],
            fps=row["fps"],
            video_codec=row["video_codec"],
            audio_channels=row["audio_channels"],
            audio_codec=row["audio_codec"],
            loudness_lufs=row["loudness_lufs"],
            peak_dbfs=row["peak_dbfs"],
            gain_db=row["gain_db"],
            file_size=row["file_size"],
            file_mtime=row["file_mtime"],
        )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def playback_gain_db(
    loudness_lufs: float | None, target_lufs: float, peak_dbfs: float | None
) -> float:
    """Gain that brings a film to the target loudness, limited so peaks stay below -1 dBFS.

    Silent or unmeasured films get 0 dB: boosting silence only amplifies noise.
    """
    if loudness_lufs is None or not math.isfinite(loudness_lufs) or loudness_lufs <= SILENCE_LUFS:
        return 0.0
    gain = min(MAX_BOOST_DB, max(MAX_CUT_DB, target_lufs - loudness_lufs))
    if gain > 0 and peak_dbfs is not None and math.isfinite(peak_dbfs):
        gain = max(0.0, min(gain, PEAK_CEILING_DBFS - peak_dbfs))
    return round(gain, 1)


def assess_film(
    film: Film,
    facts: MediaFacts,
    *,
    target_lufs: float,
    min_film_seconds: int = 0,
    subtitle_error: str | None = None,
    still_error: str | None = None,
) -> FilmCheck:
    """Judge one film's measurements against what the night needs."""
    problems: list[str] = []
    warnings: list[str] = []
    if not facts.exists:
        problems.append(f"file not found: {film.file}")
    elif not facts.readable:
        problems.append(f"cannot be read as a video file: {facts.error or 'unknown error'}")
    else:
        _judge_streams(facts, problems, warnings, min_film_seconds, film.declared_runtime_s)
    if facts.player_error:
        problems.append(f"the show's player (VLC) cannot open it: {facts.player_error}")
    if subtitle_error:
        problems.append(
            f"subtitles {film.subtitles.name if film.subtitles else ''}: {subtitle_error}"
        )
    if still_error:
        warnings.append(f"still image: {still_error}")
    gain = playback_gain_db(facts.loudness_lufs, target_lufs, facts.peak_dbfs)
    if facts.loudness_lufs is not None and abs(target_lufs - facts.loudness_lufs) > MAX_BOOST_DB:
        warnings.append(
            f"loudness {facts.loudness_lufs:.1f} LUFS is far from the target {target_lufs:g}; "
            f"gain limited to {gain:+.1f} dB"
        )
    duration = facts.decoded_duration_s or facts.container_duration_s
    return FilmCheck(
        film_id=film.id,
        file=film.file,
        ok=not problems,
        problems=problems,
        warnings=warnings,
        duration_s=duration,
        width=facts.width,
        height=facts.height,
        display_aspect=facts.display_aspect,
        fps=facts.fps,
        video_codec=facts.video_codec,
        audio_channels=facts.audio_channels,
        audio_codec=facts.audio_codec,
        loudness_lufs=facts.loudness_lufs,
        peak_dbfs=facts.peak_dbfs,
        gain_db=gain,
        file_size=facts.file_size,
        file_mtime=facts.file_mtime,
    )


def _judge_streams(
    facts: MediaFacts,
    problems: list[str],
    warnings: list[str],
    min_film_seconds: int,
    declared_s: int,
) -> None:
    if facts.video_streams == 0:
        problems.append("has no video stream")
    if facts.audio_streams == 0:
        problems.append("has no audio track: the film would play in silence")
    elif facts.loudness_lufs is not None and facts.loudness_lufs <= SILENCE_LUFS:
        warnings.append("the audio track is silent")
    if facts.decode_errors:
        shown = "; ".join(facts.decode_errors[:3])
        more = f" (+{len(facts.decode_errors) - 3} more)" if len(facts.decode_errors) > 3 else ""
        problems.append(f"does not decode cleanly: {shown}{more}")
    container, decoded = facts.container_duration_s, facts.decoded_duration_s
    if decoded is not None and decoded <= 0:
        problems.append("no picture could be decoded")
    elif (
        container is not None
        and decoded is not None
        and container - decoded > max(DURATION_TOLERANCE_S, 0.02 * container)
    ):
        problems.append(
            f"is cut short: the file says {format_duration(container)} but only "
            f"{format_duration(decoded)} decodes (truncated or damaged file)"
        )
    duration = decoded or container
    if duration is not None and duration > 0:
        if min_film_seconds and duration < min_film_seconds:
            warnings.append(
                f"runs {format_duration(duration)}, shorter than the "
                f"{format_duration(min_film_seconds)} minimum for finalists"
            )
        if abs(duration - declared_s) > max(5.0, RUNTIME_WARN_FRACTION * declared_s):
            warnings.append(
                f"runs {format_duration(duration)} but the programme declares "
                f"{format_duration(declared_s)}"
            )
    if facts.width and facts.height and (facts.width < 320 or facts.height < 240):
        warnings.append(f"very small picture ({facts.width}x{facts.height})")
    if facts.fps is not None and not 10 <= facts.fps <= 121:
        warnings.append(f"unusual frame rate {facts.fps:g} fps")


@dataclass(frozen=True)
class ScheduleCheck:
    """The night's total running time against the scheduled start and end."""

    films_s: float
    cards_s: float
    intermission_s: float
    scheduled_s: float
    projected_end: dt.datetime
    scheduled_end: dt.datetime

    @property
    def total_s(self) -> float:
        """Films + title cards + intermission."""
        return self.films_s + self.cards_s + self.intermission_s

    @property
    def overrun_s(self) -> float:
        """Seconds past the scheduled end (negative: time to spare)."""
        return self.total_s - self.scheduled_s

    def describe(self) -> str:
        """One line for the operator."""
        spare = -self.overrun_s
        verdict = (
            f"{format_duration(spare)} to spare"
            if spare >= 0
            else f"OVER by {format_duration(-spare)}"
        )
        return (
            f"Running time {format_duration(self.total_s)} (films {format_duration(self.films_s)}, "
            f"cards {format_duration(self.cards_s)}, intermission "
            f"{format_duration(self.intermission_s)}); ends {self.projected_end:%H:%M} against "
            f"{self.scheduled_end:%H:%M} scheduled: {verdict}"
        )


def check_schedule(
    programme: Programme, config: EventConfig, durations: Mapping[str, float | None]
) -> ScheduleCheck:
    """Add up the night with measured durations (declared runtime where unmeasured)."""
    films_s = 0.0
    for film in programme:
        measured = durations.get(film.id)
        films_s += measured if measured else film.declared_runtime_s
    cards_s = config.title_card_seconds * len(programme)
    intermission_s = programme.intermission.minutes * 60 if programme.intermission else 0.0
    start = dt.datetime.combine(config.date, config.start)
    scheduled_s = config.scheduled_minutes * 60
    total = films_s + cards_s + intermission_s
    return ScheduleCheck(
        films_s=films_s,
        cards_s=cards_s,
        intermission_s=intermission_s,
        scheduled_s=scheduled_s,
        projected_end=start + dt.timedelta(seconds=total),
        scheduled_end=start + dt.timedelta(seconds=scheduled_s),
    )


def blocking_films(checks: Sequence[FilmCheck]) -> list[FilmCheck]:
    """Checks that would stop the show."""
    return [c for c in checks if not c.ok]
