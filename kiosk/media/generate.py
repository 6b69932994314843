"""Generate real test and demo films with ffmpeg: a title, a running timecode, a tone.

Each clip is visibly different (its own background colour and title) and carries a moving bar
and a frame counter, so a frozen or repeated frame can be seen in a screen capture.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.media.probe import require_tools

log = logging.getLogger(__name__)

FONT = "Noto Sans CJK TC"
FPS = 25


@dataclass(frozen=True)
class ClipSpec:
    """What one generated clip shows and sounds like."""

    lines: tuple[str, ...]  # title lines, drawn centred (CJK fine)
    seconds: float
    width: int = 640
    height: int = 360
    picture_height: int | None = None  # set to letterbox a wider picture inside the frame
    colour: str = "0x203a5a"
    tone_hz: int = 440
    volume_db: float = 0.0
    audio: bool = True
    fps: int = FPS
    surround: bool = False  # 5.1 sound: the tone in every channel (LFE included)


def _escape_path(path: Path) -> str:
    return str(path).replace("\\", "/").replace(":", r"\:").replace("'", r"\'")


def clip_command(spec: ClipSpec, out: Path, text_dir: Path, ffmpeg: str = "ffmpeg") -> list[str]:
    """The ffmpeg command line that renders `spec` to `out` (text files go in `text_dir`)."""
    pic_h = spec.picture_height or spec.height
    size = min(spec.width, pic_h)
    filters = []
    for number, line in enumerate(spec.lines):
        text_file = text_dir / f"line{number}.txt"
        text_file.write_text(line, encoding="utf-8")
        font_size = max(12, int(size * (0.09 if number == 0 else 0.065)))
        y = f"h*{0.22 + 0.16 * number:.2f}"
        filters.append(
            f"drawtext=font='{FONT}':textfile='{_escape_path(text_file)}':fontsize={font_size}"
            f":fontcolor=white:borderw=2:bordercolor=black@0.6:x=(w-tw)/2:y={y}"
        )
    small = max(12, int(size * 0.06))
    filters.append(
        f"drawtext=font='{FONT}':text='%{{pts\\:hms}}  #%{{n}}':fontsize={small}"
        f":fontcolor=yellow:box=1:boxcolor=black@0.5:x=(w-tw)/2:y=h-{small * 3}"
    )
    filters.append(
        f"drawbox=x='mod(t*{spec.width // 2}\\,iw)':y=ih-{small}:w={max(8, size // 12)}"
        f":h={small}:c=white:t=fill"
    )
    video = f"[0:v]{','.join(filters)}"
    if spec.picture_height and spec.picture_height < spec.height:
        video += f",pad={spec.width}:{spec.height}:0:(oh-ih)/2:black"
    video += "[v]"
    command = [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"color=c={spec.colour}:s={spec.width}x{pic_h}:r={spec.fps}:d={spec.seconds}",
    ]
    graph = video
    maps = ["-map", "[v]"]
    if spec.audio:
        command += [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={spec.tone_hz}:sample_rate=48000:duration={spec.seconds}",
        ]
        layout = (
            "pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0"
            if spec.surround
            else "aformat=channel_layouts=stereo"
        )
        graph += f";[1:a]volume={spec.volume_db}dB,{layout},aformat=sample_rates=48000[a]"
        maps += ["-map", "[a]"]
    command += [
        "-filter_complex",
        graph,
        *maps,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(spec.fps),
        "-r",
        str(spec.fps),
    ]
    if spec.audio:
        command += ["-c:a", "aac", "-b:a", "256k" if spec.surround else "96k"]
    command += ["-movflags", "+faststart", "-t", str(spec.seconds), str(out)]
    return command


def render_clip(spec: ClipSpec, out: Path) -> Path:
    """Render one clip (MP4, H.264 + AAC) and return its path; CalledProcessError on failure."""
    _, ffmpeg = require_tools()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.stem + ".partial" + out.suffix)
    with tempfile.TemporaryDirectory(prefix="kiosk-clip-") as tmp:
        command = clip_command(spec, partial, Path(tmp), ffmpeg)
        result = subprocess.run(command, capture_output=True, check=False, timeout=600)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise subprocess.CalledProcessError(
            result.returncode, command, result.stdout, result.stderr
        )
    partial.replace(out)  # never leave a half-written film under the real name
    return out


def extract_still(film: Path, out: Path, at_s: float) -> Path:
    """Save one frame of a film as PNG (for title cards and the award reveal)."""
    _, ffmpeg = require_tools()
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg,
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-ss",
            f"{at_s:.3f}",
            "-i",
            str(film),
            "-frames:v",
            "1",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out
