"""Preflight rules: given what the probe measured of each film, is the show safe to run?

The media adapter measures (`MediaFacts`); this module judges. A *problem* blocks the show
(the film would not play, or would play without sound); a *warning* is worth a look but the
show can go on. Both are sentences an operator can act on.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.event import EventConfig
from kiosk.core.programme import Film, Programme, format_duration
from kiosk.core.subtitles import SubtitleCue

# Films measured from -48 to -5 LUFS reach a -23 LUFS target; a film quieter than -48 LUFS is
# mostly its noise floor, and boosting it further would bring that noise into the hall.
MAX_BOOST_DB = 25.0
MAX_CUT_DB = -30.0
TRUE_PEAK_CEILING_DBTP = -1.0  # EBU R128: never let the gain push a true peak above this
DURATION_TOLERANCE_S = 0.5  # container vs decoded length: more means the file is cut short
RUNTIME_WARN_FRACTION = 0.10  # declared vs measured runtime
SILENCE_LUFS = -70.0
EDGE_S = 0.1  # a black or silent stretch starting this close to the start/end is "at" it
STRETCH_S = 2.0  # black or silence at the start or end longer than this is reported
VFR_FRACTION = 0.01  # more than this share of frames with another duration: variable rate
INTERLACED_ORDERS = {"tt": "top field first", "bb": "bottom field first", "tb": "tb", "bt": "bt"}
HDR_TRANSFERS = {"smpte2084": "HDR10/PQ (SMPTE ST 2084)", "arib-std-b67": "HLG (ARIB STD-B67)"}
WIDE_PRIMARIES = {"bt2020": "BT.2020"}
MIN_DECODE_SPEED = 1.0  # times real time, with preflight's other decodes running alongside


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
    incomplete: bool = False  # the container says the file was cut off (e.g. no moov atom)
    true_peak_dbtp: float | None = None  # of the sound as played (stereo downmix)
    black_stretches: tuple[tuple[float, float], ...] = ()  # (start, end) seconds
    silent_stretches: tuple[tuple[float, float | None], ...] = ()  # end None: to the end
    vfr_fraction: float | None = None  # share of frames whose duration differs from the rest
    decode_speed: float | None = None  # times real time
    field_order: str | None = None  # ffprobe's: progressive, tt, bb, tb, bt
    color_transfer: str | None = None
    color_primaries: str | None = None
    fingerprint: str | None = None  # of the file's content (kiosk.media.identity)


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
    true_peak_dbtp: float | None = None
    gain_wanted_db: float | None = None  # what would bring it to the target, before limits
    gain_limited_by: str | None = None  # "true_peak", "max_boost", "max_cut" or None
    fingerprint: str | None = None

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
            "true_peak_dbtp": _round(self.true_peak_dbtp, 1),
            "gain_db": _round(self.gain_db, 1),
            "gain_wanted_db": _round(self.gain_wanted_db, 1),
            "gain_limited_by": self.gain_limited_by,
            "file_size": self.file_size,
            "fingerprint": self.fingerprint,
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
            true_peak_dbtp=row.get("true_peak_dbtp"),
            gain_wanted_db=row.get("gain_wanted_db"),
            gain_limited_by=row.get("gain_limited_by"),
            fingerprint=row.get("fingerprint"),
        )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class GainDecision:
    """The gain a film plays at, what it would need, and what held it back."""

    gain_db: float
    wanted_db: float
    limited_by: str | None = None  # "true_peak", "max_boost", "max_cut"

    def describe(self, target_lufs: float, true_peak_dbtp: float | None) -> str | None:
        """The operator's sentence when the gain was limited (None when it was not)."""
        if self.limited_by is None:
            return None
        short = self.wanted_db - self.gain_db
        where = f"it will play {abs(short):.1f} LU {'under' if short > 0 else 'over'} the target"
        head = (
            f"gain limited to {self.gain_db:+.1f} dB (reaching {target_lufs:g} LUFS needs "
            f"{self.wanted_db:+.1f} dB)"
        )
        if self.limited_by == "true_peak" and true_peak_dbtp is not None:
            why = (
                f"more would push its true peak ({true_peak_dbtp:+.1f} dBTP) over "
                f"{TRUE_PEAK_CEILING_DBTP:g} dBTP"
            )
        elif self.limited_by == "max_boost":
            why = f"boosting more than {MAX_BOOST_DB:+g} dB would bring its noise into the hall"
        else:
            why = f"the show cuts at most {MAX_CUT_DB:g} dB"
        return f"{head}: {why}; {where}"


def playback_gain(
    loudness_lufs: float | None, target_lufs: float, true_peak_dbtp: float | None
) -> GainDecision:
    """Gain that brings a film to the target loudness, limited so that the true peak at the
    output stays at or under -1 dBTP (EBU R128), and to +25/-30 dB.

    Silent or unmeasured films get 0 dB: boosting silence only amplifies noise.
    """
    if loudness_lufs is None or not math.isfinite(loudness_lufs) or loudness_lufs <= SILENCE_LUFS:
        return GainDecision(0.0, 0.0)
    wanted = round(target_lufs - loudness_lufs, 1)
    gain, limited_by = wanted, None
    if gain > MAX_BOOST_DB:
        gain, limited_by = MAX_BOOST_DB, "max_boost"
    elif gain < MAX_CUT_DB:
        gain, limited_by = MAX_CUT_DB, "max_cut"
    if true_peak_dbtp is not None and math.isfinite(true_peak_dbtp):
        ceiling = math.floor((TRUE_PEAK_CEILING_DBTP - true_peak_dbtp) * 10) / 10
        if gain > ceiling:
            gain, limited_by = ceiling, "true_peak"
    return GainDecision(round(gain, 1), wanted, limited_by)


def playback_gain_db(
    loudness_lufs: float | None, target_lufs: float, true_peak_dbtp: float | None
) -> float:
    """The gain alone (see `playback_gain`)."""
    return playback_gain(loudness_lufs, target_lufs, true_peak_dbtp).gain_db


def judge_subtitles(cues: Sequence[SubtitleCue], duration_s: float | None) -> list[str]:
    """Warnings about subtitle timing: cues after the film's end, cues that overlap."""
    warnings: list[str] = []
    if duration_s:
        late = [c for c in cues if c.start_s >= duration_s]
        if late:
            first = late[0]
            warnings.append(
                f"{len(late)} subtitle cue(s) start after the film ends (cue {first.index} at "
                f"{format_duration(first.start_s)}, the film ends at "
                f"{format_duration(duration_s)}): the wrong file, or timed for another cut"
            )
    overlaps = [(a, b) for a, b in itertools.pairwise(cues) if b.start_s < a.end_s - 1e-3]
    if overlaps:
        a, b = overlaps[0]
        warnings.append(
            f"{len(overlaps)} subtitle cue(s) overlap the one before (cue {b.index} at "
            f"{b.start_s:.2f} s starts before cue {a.index} ends at {a.end_s:.2f} s): "
            "only one is on screen at a time"
        )
    return warnings


def judge_gain(facts: MediaFacts, target_lufs: float) -> tuple[GainDecision, list[str]]:
    """The gain a file plays at (to `target_lufs`) and the operator's warnings about it: a
    true peak already over the ceiling in the file, a gain held back. Films and the room's
    music (`kiosk.core.music_check`) are judged by this one rule."""
    warnings: list[str] = []
    decision = playback_gain(facts.loudness_lufs, target_lufs, facts.true_peak_dbtp)
    if facts.true_peak_dbtp is not None and facts.true_peak_dbtp > TRUE_PEAK_CEILING_DBTP:
        at_output = facts.true_peak_dbtp + decision.gain_db
        warnings.append(
            f"true peak {facts.true_peak_dbtp:+.1f} dBTP in the file, over "
            f"{TRUE_PEAK_CEILING_DBTP:g} dBTP: it may already be distorted"
            + (
                f" (its {decision.gain_db:+.1f} dB gain brings it to {at_output:+.1f} dBTP)"
                if decision.gain_db < 0
                else ""
            )
        )
    if (limit := decision.describe(target_lufs, facts.true_peak_dbtp)) is not None:
        warnings.append(limit)
    return decision, warnings


def assess_film(
    film: Film,
    facts: MediaFacts,
    *,
    target_lufs: float,
    min_film_seconds: int = 0,
    subtitle_error: str | None = None,
    still_error: str | None = None,
    subtitle_cues: Sequence[SubtitleCue] = (),
) -> FilmCheck:
    """Judge one film's measurements against what the night needs."""
    problems: list[str] = []
    warnings: list[str] = []
    if not facts.exists:
        problems.append(f"file not found: {film.file}")
    elif facts.incomplete:
        problems.append(
            "the file is incomplete: it was cut off while being copied or written, and its "
            f"index is missing ({facts.error or 'moov atom not found'}); copy it again"
        )
    elif not facts.readable:
        problems.append(f"cannot be read as a video file: {facts.error or 'unknown error'}")
    else:
        _judge_streams(facts, problems, warnings, min_film_seconds, film.declared_runtime_s)
        _judge_sound(film, facts, problems, warnings)
        _judge_picture(facts, warnings)
    if facts.player_error:
        problems.append(f"the show's player (VLC) cannot open it: {facts.player_error}")
    if subtitle_error:
        problems.append(
            f"subtitles {film.subtitles.name if film.subtitles else ''}: {subtitle_error}"
        )
    duration = facts.decoded_duration_s or facts.container_duration_s
    warnings += judge_subtitles(subtitle_cues, duration)
    if still_error:
        warnings.append(f"still image: {still_error}")
    decision, gain_warnings = judge_gain(facts, target_lufs)
    warnings += gain_warnings
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
        gain_db=decision.gain_db,
        file_size=facts.file_size,
        file_mtime=facts.file_mtime,
        true_peak_dbtp=facts.true_peak_dbtp,
        gain_wanted_db=decision.wanted_db,
        gain_limited_by=decision.limited_by,
        fingerprint=facts.fingerprint,
    )


def _judge_sound(film: Film, facts: MediaFacts, problems: list[str], warnings: list[str]) -> None:
    if facts.audio_streams == 0:
        if not film.silent:
            problems.append(
                "has no audio track: the film would play in silence "
                '(if it is meant to be silent, set audio = "none" for it in the programme)'
            )
        return
    if film.silent:
        warnings.append('the programme says audio = "none", but the file has a sound track')
        return
    if facts.loudness_lufs is not None and facts.loudness_lufs <= SILENCE_LUFS:
        warnings.append("the audio track is silent")
        return
    duration = facts.decoded_duration_s or facts.container_duration_s
    for start, end in facts.silent_stretches:
        stop = end if end is not None else duration
        if stop is None or stop - start <= STRETCH_S:
            continue
        if start <= EDGE_S:
            warnings.append(f"opens with {stop - start:.1f} s of silence")
        elif duration is not None and stop >= duration - EDGE_S:
            warnings.append(f"ends with {stop - start:.1f} s of silence (from {start:.1f} s)")


def _judge_picture(facts: MediaFacts, warnings: list[str]) -> None:
    duration = facts.decoded_duration_s or facts.container_duration_s
    for start, end in facts.black_stretches:
        if end - start <= STRETCH_S:
            continue
        if start <= EDGE_S:
            warnings.append(f"opens on {end - start:.1f} s of black picture")
        elif duration is not None and end >= duration - EDGE_S - 1 / max(1.0, facts.fps or 25):
            warnings.append(f"ends on {end - start:.1f} s of black picture (from {start:.1f} s)")
    if facts.vfr_fraction is not None and facts.vfr_fraction > VFR_FRACTION:
        warnings.append(
            f"variable frame rate ({facts.vfr_fraction:.0%} of frames last longer or shorter "
            "than the rest): it may judder on the projector and drift from its subtitles; "
            "ask for a constant-frame-rate file"
        )
    if facts.field_order in INTERLACED_ORDERS:
        warnings.append(
            f"interlaced picture ({INTERLACED_ORDERS[facts.field_order]}): moving edges will "
            "comb on the projector; ask for a progressive file"
        )
    if facts.color_transfer in HDR_TRANSFERS:
        warnings.append(
            f"HDR picture ({HDR_TRANSFERS[facts.color_transfer]}): the projector shows it "
            "washed out and dim; ask for an SDR (BT.709) version"
        )
    elif facts.color_primaries in WIDE_PRIMARIES:
        warnings.append(
            f"{WIDE_PRIMARIES[facts.color_primaries]} colour: it looks washed out on a BT.709 "
            "projector; ask for a BT.709 version"
        )
    if facts.decode_speed is not None and facts.decode_speed < MIN_DECODE_SPEED:
        warnings.append(
            f"decodes slower than real time on this machine ({facts.decode_speed:.2f}x): "
            "it may stutter on the night; ask for a lighter file (e.g. H.264 at 1080p)"
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
