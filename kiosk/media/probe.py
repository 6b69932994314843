"""Measure a media file with ffprobe and one full ffmpeg decode pass.

One ffmpeg pass decodes every video and audio frame (so a damaged file shows up as decode
errors or a short decoded length, not only a bad header) and measures on the way:

* integrated loudness (EBU R128 / ITU-R BS.1770, ffmpeg's `ebur128`), sample and true peak
  (`peak=true`), of the sound *as the show plays it*: a film that is not stereo goes through
  the same stereo matrix first as libvlc's downmix (`--stereo-mode=1`: L = FL + 0.707·C +
  0.707·(BL|SL), LFE dropped; mono on both sides), so its gain is right at the output;
* black (`blackdetect`) and silent (`silencedetect`) stretches, to find them at the start or
  the end; variable frame rate (`vfrdet`); how fast it decodes against real time.

ffprobe gives the rest: size, frame rate, field order (interlaced), colour transfer and
primaries (HDR).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from kiosk.core.preflight import MediaFacts

log = logging.getLogger(__name__)

_SUMMARY_I = re.compile(r"^\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.MULTILINE)
_SUMMARY_PEAK = re.compile(r"^\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.MULTILINE)
_OUT_TIME = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)
_BLACK = re.compile(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)")
_SILENCE_START = re.compile(r"silence_start:\s*(-?[\d.]+)")
_SILENCE_END = re.compile(r"silence_end:\s*([\d.]+)")
_VFR = re.compile(r"VFR:\s*([\d.]+)\s*\((\d+)/(\d+)\)")
_NOISE = ("deprecated pixel format", "Last message repeated")
_FFMPEG_PREFIX = re.compile(r"\[[^\]]*@ 0x[0-9a-f]+\]\s*")
DECODE_TIMEOUT_S = 1800
SILENCE_DB = -60.0  # quieter than this counts as silence (room tone sits around -50 dBFS)
BLACK_PIXEL = 0.10  # luma below 10 % of its range counts as black (blackdetect's pix_th)
STRETCH_S = 2.0  # black or silence this long is reported
BLACK_STEP = 5  # blackdetect looks at one frame in this many (0.2 s at 25 fps)
# libvlc's stereo downmix (--stereo-mode=1), measured at its output: C and surrounds at
# -3 dB, LFE dropped; ffmpeg's `pan` ignores the names a layout does not have.
STEREO_DOWNMIX = (
    "pan=stereo|FL=FL+0.7071*FC+0.7071*BL+0.7071*SL|FR=FR+0.7071*FC+0.7071*BR+0.7071*SR"
)
MONO_TO_STEREO = "pan=stereo|FL=c0|FR=c0"
INCOMPLETE_MARKERS = (
    "moov atom not found",
    "partial file",
    "End of file",
    "File ended prematurely",
)


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


def _clean(line: str) -> str:
    return _FFMPEG_PREFIX.sub("", line).replace("[error]", "").replace("[fatal]", "").strip()


class ProbeError(ValueError):
    """ffprobe could not read the file; `lines` are all it said, the telling one included."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("; ".join(lines) if lines else "ffprobe could not read the file")


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
        lines = [_clean(line) for line in result.stderr.decode(errors="replace").splitlines()]
        # the path ffprobe puts before its last line says nothing the operator does not know
        lines = [line.replace(f"{path}: ", "") for line in lines if line]
        raise ProbeError(list(dict.fromkeys(lines)) or [f"ffprobe exit {result.returncode}"])
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@dataclass(frozen=True)
class DecodeFindings:
    """What the full decode pass found."""

    decoded_s: float | None = None
    loudness_lufs: float | None = None
    peak_dbfs: float | None = None
    true_peak_dbtp: float | None = None
    errors: tuple[str, ...] = ()
    black: tuple[tuple[float, float], ...] = ()  # (start, end) of black stretches
    silence: tuple[tuple[float, float | None], ...] = ()  # end None: silent to the end
    vfr_fraction: float | None = None  # share of frames whose duration differs (vfrdet)
    speed: float | None = None  # decoding speed, times real time


def _summary_value(summary: str, section: str, pattern: re.Pattern[str]) -> float | None:
    at = summary.find(section)
    if at < 0:
        return None
    match = pattern.search(summary, at)
    if match is None:
        return None
    return float(match.group(1)) if match.group(1) != "-inf" else float("-inf")


def audio_filter(channels: int | None) -> str:
    """The decode pass's audio filters: the show's stereo downmix when needed, then meters."""
    meters = (
        f"silencedetect=n={SILENCE_DB:g}dB:d={STRETCH_S:g},"
        "ebur128=peak=sample+true:framelog=verbose"
    )
    if channels == 1:
        return f"{MONO_TO_STEREO},{meters}"
    if channels is not None and channels > 2:
        return f"{STEREO_DOWNMIX},{meters}"
    return meters


def _decode_pass(
    ffmpeg: str, path: Path, audio_channels: int | None, has_audio: bool, has_video: bool
) -> DecodeFindings:
    """Decode everything once and measure on the way (see the module docstring)."""
    command = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "repeat+level+info",
        "-i",
        str(path),
    ]
    graph = []
    if has_video:
        # every frame through vfrdet and on to the output (its time is the decoded length);
        # one frame in BLACK_STEP to blackdetect, plenty for stretches over 2 s, and most of
        # blackdetect's cost (about a sixth of the pass's CPU) saved
        graph.append(
            f"[0:v:0]vfrdet,split[v][probe];[probe]framestep={BLACK_STEP},"
            f"blackdetect=d={STRETCH_S:g}:pix_th={BLACK_PIXEL:g},nullsink"
        )
    if has_audio:
        graph.append(f"[0:a:0]{audio_filter(audio_channels)}[a]")
    if graph:
        command += ["-filter_complex", ";".join(graph)]
    if has_video:
        command += ["-map", "[v]"]
    if has_audio:
        command += ["-map", "[a]"]
    command += ["-f", "null", "-", "-progress", "pipe:1"]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
    took = time.perf_counter() - started
    out = result.stdout.decode(errors="replace")
    err = result.stderr.decode(errors="replace")
    times = [int(t) for t in _OUT_TIME.findall(out)]
    decoded = times[-1] / 1e6 if times else None
    errors = [
        _clean(line)
        for line in err.splitlines()
        if ("[error]" in line or "[fatal]" in line) and not any(n in line for n in _NOISE)
    ]
    if result.returncode != 0 and not errors:
        errors.append(f"ffmpeg stopped with exit status {result.returncode}")
    summary = err[err.rfind("Summary:") :] if "Summary:" in err else ""
    silence: list[tuple[float, float | None]] = []
    for line in err.splitlines():
        if match := _SILENCE_START.search(line):
            silence.append((max(0.0, float(match.group(1))), None))
        elif (match := _SILENCE_END.search(line)) and silence and silence[-1][1] is None:
            silence[-1] = (silence[-1][0], float(match.group(1)))
    vfr = None
    if match := _VFR.search(err):
        vfr = int(match.group(2)) / max(1, int(match.group(2)) + int(match.group(3)))
    return DecodeFindings(
        decoded_s=decoded,
        loudness_lufs=_summary_value(summary, "Integrated loudness:", _SUMMARY_I),
        peak_dbfs=_summary_value(summary, "Sample peak:", _SUMMARY_PEAK),
        true_peak_dbtp=_summary_value(summary, "True peak:", _SUMMARY_PEAK),
        errors=tuple(dict.fromkeys(errors)),  # de-duplicated, in order
        black=tuple((float(a), float(b)) for a, b in _BLACK.findall(err)),
        silence=tuple(silence),
        vfr_fraction=vfr,
        speed=decoded / took if decoded and took > 0 else None,
    )


def _looks_incomplete(path: Path, lines: list[str]) -> bool:
    """A file that starts like a real MP4/MOV (an `ftyp`, `mdat`, `free` or `wide` box) but
    that ffprobe cannot open for want of its index was cut off, not random bytes."""
    if not any(marker in line for line in lines for marker in INCOMPLETE_MARKERS):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return head[4:8] in (b"ftyp", b"mdat", b"free", b"wide", b"moov")


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
    except ProbeError as exc:
        incomplete = _looks_incomplete(path, exc.lines)
        return MediaFacts(
            exists=True,
            error=str(exc),
            incomplete=incomplete,
            file_size=stat.st_size,
            file_mtime=stat.st_mtime,
        )
    except subprocess.TimeoutExpired:
        return MediaFacts(
            exists=True,
            error="ffprobe took too long to read it",
            file_size=stat.st_size,
            file_mtime=stat.st_mtime,
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
    channels = a.get("channels")
    try:
        found = _decode_pass(ffmpeg, path, channels, bool(audio), bool(video))
    except subprocess.TimeoutExpired:
        found = DecodeFindings(errors=("decoding took too long",))
    return MediaFacts(
        exists=True,
        readable=True,
        file_size=stat.st_size,
        file_mtime=stat.st_mtime,
        container_duration_s=_float(info.get("format", {}).get("duration")),
        decoded_duration_s=found.decoded_s,
        width=width,
        height=height,
        display_aspect=aspect,
        fps=_ratio(v.get("avg_frame_rate")) or _ratio(v.get("r_frame_rate")),
        video_codec=v.get("codec_name"),
        video_streams=len(video),
        audio_streams=len(audio),
        audio_channels=channels,
        audio_codec=a.get("codec_name"),
        sample_rate=int(a["sample_rate"]) if a.get("sample_rate") else None,
        loudness_lufs=found.loudness_lufs,
        peak_dbfs=found.peak_dbfs,
        true_peak_dbtp=found.true_peak_dbtp,
        decode_errors=found.errors,
        black_stretches=found.black,
        silent_stretches=found.silence,
        vfr_fraction=found.vfr_fraction,
        decode_speed=found.speed,
        field_order=v.get("field_order"),
        color_transfer=v.get("color_transfer"),
        color_primaries=v.get("color_primaries"),
    )
