"""Preflight of the room's music (plain Python): does each file decode, is it long enough, how
loud is it, and the gain that brings it to the music's loudness -- the films' target minus the
plan's offset -- through the same rule as the films (`kiosk.core.preflight.judge_gain`).

A music check is stored beside the films' (a `FilmCheck` whose id is `music:` + the file's
path), so the night reads both the same way. A bad music file never blocks the show: the deck
leaves it out, and the booth is told why.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.core.music_plan import MIN_TRACK_S
from kiosk.core.preflight import SILENCE_LUFS, FilmCheck, MediaFacts, judge_gain

MUSIC_CHECK_PREFIX = "music:"


def music_check_id(path: Path) -> str:
    """The stored check's id of a music file."""
    return f"{MUSIC_CHECK_PREFIX}{path}"


def is_music_check(check_id: str) -> bool:
    """Whether a stored check is of a music file (not a film)."""
    return check_id.startswith(MUSIC_CHECK_PREFIX)


def assess_music(path: Path, facts: MediaFacts, *, target_lufs: float) -> FilmCheck:
    """Judge one music file: `ok` means the deck may play it, at `gain_db`."""
    problems: list[str] = []
    duration = facts.decoded_duration_s or facts.container_duration_s
    if not facts.exists:
        problems.append(f"music file not found: {path}")
    elif not facts.readable:
        problems.append(f"cannot be read as an audio file: {facts.error or 'unknown error'}")
    elif facts.audio_streams == 0:
        problems.append("has no sound (no audio stream)")
    else:
        if facts.decode_errors:
            problems.append(f"does not decode cleanly: {facts.decode_errors[0]}")
        if duration is None or duration < MIN_TRACK_S:
            length = "unknown" if duration is None else f"{duration:.1f} s"
            problems.append(f"too short for room music ({length}; at least {MIN_TRACK_S:g} s)")
        if facts.loudness_lufs is None or facts.loudness_lufs <= SILENCE_LUFS:
            problems.append("is silent (no loudness could be measured)")
    decision, warnings = judge_gain(facts, target_lufs)
    return FilmCheck(
        film_id=music_check_id(path),
        file=path,
        ok=not problems,
        problems=problems,
        warnings=warnings,
        duration_s=duration,
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
    )
