"""Measure a media file with ffprobe and one full ffmpeg decode pass.

One ffmpeg pass decodes every video and audio frame (so a damaged file shows up as decode
errors or a short decoded length, not only a bad header) and measures integrated loudness
(EBU R128 / ITU-R BS.1770, ffmpeg's `ebur128` filter) and the sample peak on the way.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

from kiosk.core.preflight import MediaFacts

log = logging.getLogger(__name__)

_SUMMARY_I = re.compile(r"^\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.MULTILINE)
_SUMMARY_PEAK = re.compile(r"^\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.MULTILINE)
_OUT_TIME = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)
_NOISE = ("deprecated pixel format", "Last message repeated")
DECODE_TIMEOUT_S = 1800


class ProbeToolMissingError(RuntimeError):
    """ffmpeg/ffprobe are not installed."""


def require_tools() -> tuple[str, str]:
    """Paths of ffprobe and ffmpeg, or ProbeToolMissingError with the fix."""
    ffprobe, ffmpeg = shutil.which("ffprobe"), shutil.which("ffmpeg")
    if not ffprobe or not ffmpeg:
        raise ProbeToolMissingError(
            "ffmpeg and ffprobe are needed: run `make run` or `apt-get install ffmpeg`"
        )
    return ffprobe, ffmpeg


def _ratio(text: str | None) -> float | None:
    if not text or text in ("0/0", "N/A"):
        return None
    try:
        value = Fraction(text.replace(":", "/"))
    except (ValueError, ZeroDivisionError):
        return None
    return float(value) if value > 0 else None


def _float(text: object) -> float | None:
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _ffprobe(ffprobe: str, path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            ffprobe,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise ValueError(message[-1] if message else f"ffprobe exit {result.returncode}")
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _decode_pass(
    ffmpeg: str, path: Path, has_audio: bool
) -> tuple[float | None, float | None, float | None, list[str]]:
    """Decode everything; returns (decoded seconds, integrated LUFS, sample peak, errors)."""
    command = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "repeat+level+info",
        "-i",
        str(path),
        "-map",
        "0:v:0?",
        "-map",
        "0:a:0?",
    ]
    if has_audio:
        command += ["-filter:a", "ebur128=peak=sample:framelog=verbose"]
    command += ["-f", "null", "-", "-progress", "pipe:1"]
    result = subprocess.run(command, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
    out = result.stdout.decode(errors="replace")
    err = result.stderr.decode(errors="replace")
    times = [int(t) for t in _OUT_TIME.findall(out)]
    decoded = times[-1] / 1e6 if times else None
    errors = []
    for line in err.splitlines():
        if ("[error]" in line or "[fatal]" in line) and not any(n in line for n in _NOISE):
            errors.append(
                re.sub(r"\[[^\]]*@ 0x[0-9a-f]+\]\s*", "", line)
                .replace("[error]", "")
                .replace("[fatal]", "")
                .strip()
            )
    if result.returncode != 0 and not errors:
        errors.append(f"ffmpeg stopped with exit status {result.returncode}")
    loudness = peak = None
    summary = err[err.rfind("Summary:") :] if "Summary:" in err else ""
    if match := _SUMMARY_I.search(summary):
        loudness = float(match.group(1)) if match.group(1) != "-inf" else float("-inf")
    if match := _SUMMARY_PEAK.search(summary):
        peak = float(match.group(1)) if match.group(1) != "-inf" else float("-inf")
    return decoded, loudness, peak, list(dict.fromkeys(errors))  # de-duplicated, in order


def probe_media(path: Path) -> MediaFacts:
    """Measure one file; never raises for a bad file, it reports it in the facts."""
    ffprobe, ffmpeg = require_tools()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return MediaFacts(exists=False)
    except OSError as exc:
        return MediaFacts(exists=True, error=f"cannot access: {exc.strerror}")
    if not path.is_file():
        return MediaFacts(exists=True, error="is not a regular file")
    if stat.st_size == 0:
        return MediaFacts(
            exists=True, error="file is empty (0 bytes)", file_size=0, file_mtime=stat.st_mtime
        )
    try:
        info = _ffprobe(ffprobe, path)
    except (ValueError, subprocess.TimeoutExpired) as exc:
        return MediaFacts(
            exists=True, error=str(exc), file_size=stat.st_size, file_mtime=stat.st_mtime
        )
    streams = info.get("streams", [])
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    v = video[0] if video else {}
    a = audio[0] if audio else {}
    width, height = v.get("width"), v.get("height")
    sar = _ratio(v.get("sample_aspect_ratio")) or 1.0
    aspect = (width * sar / height) if width and height else None
    try:
        decoded, loudness, peak, errors = _decode_pass(ffmpeg, path, bool(audio))
    except subprocess.TimeoutExpired:
        decoded, loudness, peak, errors = None, None, None, ["decoding took too long"]
    return MediaFacts(
        exists=True,
        readable=True,
        file_size=stat.st_size,
        file_mtime=stat.st_mtime,
        container_duration_s=_float(info.get("format", {}).get("duration")),
        decoded_duration_s=decoded,
        width=width,
        height=height,
        display_aspect=aspect,
        fps=_ratio(v.get("avg_frame_rate")) or _ratio(v.get("r_frame_rate")),
        video_codec=v.get("codec_name"),
        video_streams=len(video),
        audio_streams=len(audio),
        audio_channels=a.get("channels"),
        audio_codec=a.get("codec_name"),
        sample_rate=int(a["sample_rate"]) if a.get("sample_rate") else None,
        loudness_lufs=loudness,
        peak_dbfs=peak,
        decode_errors=tuple(errors),
    )
