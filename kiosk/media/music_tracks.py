"""Generate room music with ffmpeg (never downloaded, so royalty-free by construction): a
slow chord that swells and breathes, or -- for tests -- one steady tone of known loudness.

A note is a sine; the chord's notes breathe at slightly different rates (`pulse_hz`), so the
track moves like a pad rather than a test tone; it fades in and out over a second. Rendered to
AAC in an `.m4a`, which takes well under a second for a 30 s track.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from kiosk.media.probe import require_tools

RATE = 48000


@dataclass(frozen=True)
class MusicSpec:
    """What one generated track sounds like."""

    notes: tuple[float, ...]  # frequencies in Hz, played together
    seconds: float
    volume_db: float = -18.0  # of the whole chord (each note scaled so the sum stays there)
    pulse_hz: float = 0.0  # how fast the notes breathe (0: a steady tone)
    edge_fade_s: float = 1.0  # fade in and out at the ends (0: none)
    title: str = ""  # written into the file's metadata (the console shows the file's name)


def music_command(spec: MusicSpec, out: Path, ffmpeg: str = "ffmpeg") -> list[str]:
    """The ffmpeg command line that renders `spec` to `out`: one `sine` source per note
    (fast, unlike an `aevalsrc` expression), each breathing through `tremolo`, mixed, scaled
    to the volume, faded at the ends, in stereo."""
    command = [ffmpeg, "-nostdin", "-v", "error", "-y"]
    for freq in spec.notes:
        command += ["-f", "lavfi", "-i", f"sine=f={freq:.3f}:r={RATE}:d={spec.seconds:g}"]
    chains = []
    for index, _ in enumerate(spec.notes):
        if spec.pulse_hz > 0:
            rate = max(0.1, spec.pulse_hz * (1 + 0.37 * index))
            chains.append(f"[{index}:a]tremolo=f={rate:.3f}:d=0.35[n{index}]")
        else:
            chains.append(f"[{index}:a]anull[n{index}]")
    count = len(spec.notes)
    mixed = "".join(f"[n{i}]" for i in range(count))
    # ffmpeg's sine is at 1/8 of full scale: bring the chord to `volume_db` of full scale
    gain = 8 * 10 ** (spec.volume_db / 20) / count
    tail = f"amix=inputs={count}:normalize=0,volume={gain:.6f}"
    if spec.edge_fade_s > 0:
        fade = spec.edge_fade_s
        tail += f",afade=t=in:d={fade:g},afade=t=out:st={spec.seconds - fade:g}:d={fade:g}"
    tail += ",aformat=channel_layouts=stereo"
    chains.append(f"{mixed}{tail}[out]")
    command += ["-filter_complex", ";".join(chains), "-map", "[out]"]
    if spec.title:
        command += ["-metadata", f"title={spec.title}"]
    command += ["-c:a", "aac", "-b:a", "128k", "-f", "mp4", str(out)]
    return command


def render_music(spec: MusicSpec, out: Path) -> Path:
    """Render one track (`.m4a`, AAC) and return its path; CalledProcessError on failure."""
    _, ffmpeg = require_tools()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.stem + ".partial" + out.suffix)
    command = music_command(spec, partial, ffmpeg)
    result = subprocess.run(command, capture_output=True, check=False, timeout=120)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise subprocess.CalledProcessError(
            result.returncode, command, result.stdout, result.stderr
        )
    partial.replace(out)
    return out
