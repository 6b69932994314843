"""Benchmark: how long the picture stands still (or shows no film) at each cut between films.

Records the projector screen (Xvfb 640x360, openbox) with ffmpeg's x11grab at 50 fps, keeping
the capture's own timestamps (`-copyts`, passthrough: docs/dev/playback-notes.md), while each
arrangement plays the same six generated clips (own colour each, moving bar and frame counter):

* ours: `main.py rehearse --straight-cut --exit-at-end` (A/B libvlc players, clock-driven cut),
  once with libvlc's own video output (the night's: OpenGL) and once with `xcb_x11`;
* `cvlc` playing them as a playlist (as a non-root user: the vlc binary refuses root);
* `mpv --prefetch-playlist`.

For every cut it prints: the black shown between films, how long the old film's last picture
stayed up beyond one frame (40 ms at 25 fps), how long the new film's first picture stayed up
beyond one frame, the total time lost (target: at most one frame, 40 ms; negative: the new film
came early, nothing stood still), and which pictures met at the cut, read off the clips' frame
counters (`74>0`: the old film's last, then the new one's first: nothing dropped). It also prints
how many distinct pictures of each clip were seen (75 = none dropped) and the console's start
time (process start to the console window on screen; target under 2 s). Figures only, no
asserts on timing (`make bench`).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.media.generate import ClipSpec, render_clip
from tests.conftest import film_toml, write_event
from tests.xvfb import qt_env, xvfb_display

WIDTH, HEIGHT = 640, 360
# ours with libvlc's own choice of video output (what the night uses: OpenGL, here Mesa's
# software llvmpipe on Xvfb) and with `KIOSK_VLC_VOUT=xcb_x11` (a machine without usable OpenGL)
OUR_VIDEO_OUTPUTS = ("", "xcb_x11")
CAPTURE_FPS = 50
CLIP_SECONDS = 3.0
FRAME_MS = 40.0
COLOURS = ("0x1f3a93", "0xa02020", "0x1e8a3c", "0x9a8a10", "0x7a2a8a", "0x1a8a8a")
SMALL = (160, 90)  # captured frames are scaled to this for the analysis


COUNTER = "crop=180:24:230:295,scale=60:8:flags=area,format=gray"  # the frame counter


@dataclass(frozen=True)
class Frame:
    """One captured frame: when, which clip it shows (-1 none/black), a digest of its pixels,
    and its frame counter's pixels (to tell which picture of the clip it is)."""

    t: float
    clip: int
    digest: bytes
    counter: bytes = b""


@dataclass(frozen=True)
class Cut:
    """What the audience saw at one cut."""

    black_ms: float
    old_hold_ms: float  # the old film's last picture, beyond one frame
    new_hold_ms: float  # the new film's first picture, beyond one frame
    lost_ms: float  # old last change -> new second picture, minus two frames
    meeting: str = ""  # e.g. "74>0": the old film's last picture number, the new one's first


@pytest.fixture(scope="module")
def bench_clips() -> Iterator[list[Path]]:
    # world-readable: cvlc runs as another user
    folder = Path(tempfile.mkdtemp(prefix="kiosk-cuts-"))
    folder.chmod(0o755)
    clips = []
    for number, colour in enumerate(COLOURS, start=1):
        spec = ClipSpec(
            (f"Clip {number}", f"第{number}段"),
            CLIP_SECONDS,
            WIDTH,
            HEIGHT,
            colour=colour,
            tone_hz=300 + 60 * number,
        )
        clip = render_clip(spec, folder / f"clip{number}.mp4")
        clip.chmod(0o644)
        clips.append(clip)
    yield clips
    shutil.rmtree(folder, ignore_errors=True)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = int(colour, 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def classify(pixel: tuple[int, int, int]) -> int:
    """Which clip a background pixel belongs to (-1: black or something else)."""
    if sum(pixel) < 60:
        return -1
    best, distance = -1, 10**9
    for index, colour in enumerate(COLOURS):
        d = sum((a - b) ** 2 for a, b in zip(pixel, _rgb(colour), strict=True))
        if d < distance:
            best, distance = index, d
    return best if distance < 3 * 40**2 else -1


def read_capture(path: Path) -> list[Frame]:
    """Frames of the capture with their real timestamps."""
    entries = ["-show_entries", "frame=pts_time", "-of", "csv=p=0"]
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", *entries, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    times = [float(line) for line in probe.stdout.split() if line.strip()]
    scale = ["-vf", f"scale={SMALL[0]}:{SMALL[1]}:flags=area"]
    out = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-fps_mode", "passthrough", *scale, *out],
        capture_output=True,
        check=True,
    ).stdout
    counters = counter_crops(path)
    size = SMALL[0] * SMALL[1] * 3
    frames = []
    for index, t in enumerate(times):
        chunk = raw[index * size : (index + 1) * size]
        if len(chunk) < size:
            break
        x, y = 8, 8  # a corner: background only
        offset = (y * SMALL[0] + x) * 3
        pixel = (chunk[offset], chunk[offset + 1], chunk[offset + 2])
        bottom = chunk[int(SMALL[1] * 0.6) * SMALL[0] * 3 :]  # counter and bar
        counter = counters[index] if index < len(counters) else b""
        frames.append(Frame(t, classify(pixel), bytes(bottom[::7]), counter))
    return frames


def counter_crops(path: Path) -> list[bytes]:
    """The frame-counter area of every frame of a video (a capture or a clip), small and grey."""
    command = ["ffmpeg", "-v", "error", "-i", str(path), "-fps_mode", "passthrough"]
    raw = subprocess.run(
        [*command, "-vf", COUNTER, "-f", "rawvideo", "-"], capture_output=True, check=True
    ).stdout
    size = 60 * 8
    return [raw[i : i + size] for i in range(0, len(raw) - size + 1, size)]


def picture_number(references: Sequence[bytes], counter: bytes) -> int | None:
    """Which picture of a clip a captured counter shows: the nearest of the clip's own."""
    if not references or len(counter) != len(references[0]):
        return None

    def distance(index: int) -> int:
        return sum(abs(a - b) for a, b in zip(references[index], counter, strict=True))

    return min(range(len(references)), key=distance)


def pictures(frames: Sequence[Frame]) -> list[Frame]:
    """The frames where a new picture appears."""
    out: list[Frame] = []
    for frame in frames:
        if not out or frame.digest != out[-1].digest or frame.clip != out[-1].clip:
            out.append(frame)
    return out


def cuts(
    frames: Sequence[Frame], references: Sequence[Sequence[bytes]] = ()
) -> tuple[list[Cut], dict[int, int]]:
    """Each cut between consecutive clips, and the distinct pictures seen per clip
    (`references`: each clip's own frame counters, to name the pictures that met at a cut)."""
    changes = pictures(frames)
    seen = {i: sum(1 for c in changes if c.clip == i) for i in range(len(COLOURS))}
    result = []
    for old in range(len(COLOURS) - 1):
        new = old + 1
        old_changes = [c for c in changes if c.clip == old]
        new_changes = [c for c in changes if c.clip == new]
        old_times = [c.t for c in old_changes]
        new_times = [c.t for c in new_changes]
        if not old_times or len(new_times) < 2:
            continue
        meeting = ""
        if len(references) > new:
            last = picture_number(references[old], old_changes[-1].counter)
            first = picture_number(references[new], new_changes[0].counter)
            meeting = f"{last}>{first}"
        last_old, first_new, second_new = old_times[-1], new_times[0], new_times[1]
        black = [
            f for f in frames if last_old < f.t < first_new and f.clip == -1
        ]  # frames showing no film between the two
        black_ms = 1000 / CAPTURE_FPS * len(black)
        result.append(
            Cut(
                black_ms=black_ms,
                old_hold_ms=max(0.0, (first_new - last_old) * 1000 - FRAME_MS),
                new_hold_ms=max(0.0, (second_new - first_new) * 1000 - FRAME_MS),
                lost_ms=(second_new - last_old) * 1000 - 2 * FRAME_MS,
                meeting=meeting,
            )
        )
    return result, seen


@dataclass
class Recording:
    """An ffmpeg x11grab capture of a display, running until stopped."""

    process: subprocess.Popen[bytes]
    path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write(b"q")
            self.process.stdin.flush()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def record(display: str, path: Path) -> Recording:
    command = ["ffmpeg", "-v", "error", "-y", "-f", "x11grab", "-framerate", str(CAPTURE_FPS)]
    command += ["-video_size", f"{WIDTH}x{HEIGHT}", "-i", f"{display}.0+0,0"]
    command += ["-c:v", "copy", "-copyts", str(path)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(0.8)
    return Recording(process, path)


def run_and_capture(display: str, command: list[str], env: dict[str, str], out: Path) -> Path:
    capture = out.with_suffix(".nut")
    recording = record(display, capture)
    try:
        subprocess.run(command, env=env, timeout=120, check=False, capture_output=True)
        time.sleep(0.3)
    finally:
        recording.stop()
    return capture


def describe(name: str, capture: Path, references: Sequence[Sequence[bytes]] = ()) -> str:
    found, seen = cuts(read_capture(capture), references)
    if not found:
        return f"{name:<10} no cuts found in the capture (did it play?)"
    lines = [f"{name:<10} cut  black  old-hold  new-hold  lost  pictures (ms; target lost <= 40)"]
    for number, cut in enumerate(found, start=1):
        lines.append(
            f"{'':<10} {number:>3}  {cut.black_ms:5.0f}  {cut.old_hold_ms:8.0f}  "
            f"{cut.new_hold_ms:8.0f}  {cut.lost_ms:5.0f}  {cut.meeting:>8}"
        )
    lost = [c.lost_ms for c in found]
    lines.append(
        f"{'':<10} median lost {statistics.median(lost):.0f} ms, max {max(lost):.0f} ms; "
        f"pictures per clip {[seen[i] for i in sorted(seen)]} (of {int(CLIP_SECONDS * 25)})"
    )
    return "\n".join(lines)


def _cvlc_command(clips: Sequence[Path]) -> tuple[list[str], str | None]:
    cvlc = shutil.which("cvlc")
    runuser = shutil.which("runuser")
    if cvlc is None:
        return [], "cvlc is not installed"
    base = [cvlc, "--no-video-title-show", "--fullscreen", "--play-and-exit", "--no-osd"]
    base += ["--aout=dummy", "--vout=xcb_x11", *map(str, clips)]
    if os.geteuid() != 0:
        return base, None
    if runuser is None:
        return [], "running as root and runuser is missing (cvlc refuses root)"
    return [runuser, "-u", "nobody", "--", *base], None


def _mpv_command(clips: Sequence[Path]) -> tuple[list[str], str | None]:
    mpv = shutil.which("mpv")
    if mpv is None:
        return [], "mpv is not installed (make installs it)"
    command = [mpv, "--fs", "--no-terminal", "--ao=null", "--vo=x11", "--prefetch-playlist=yes"]
    command += ["--no-osc", "--osd-level=0", "--no-input-default-bindings", *map(str, clips)]
    return command, None


def console_start_seconds(display: str, event_root: Path) -> float | None:
    """Process start to the console window viewable on the display."""
    env = qt_env(display, KIOSK_VLC_AOUT="dummy", KIOSK_VLC_VOUT="xcb_x11")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "main.py", "--no-supervisor", "--event", str(event_root)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.monotonic() - started < 30:
            info = subprocess.run(
                ["xwininfo", "-name", "Test Night — Console"],
                env={**os.environ, "DISPLAY": display},
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if "IsViewable" in info:
                return time.monotonic() - started
            time.sleep(0.02)
        return None
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def display() -> Iterator[str]:
    with xvfb_display(WIDTH, HEIGHT) as name:
        yield name


def test_cut_gaps_side_by_side(display: str, bench_clips: list[Path], tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    ours = [sys.executable, str(root / "main.py"), "--event", str(tmp_path / "none")]
    ours += ["rehearse", "--straight-cut", "--exit-at-end", *map(str, bench_clips)]
    home = tmp_path / "home"
    home.mkdir(mode=0o777)
    plain_env = {**os.environ, "DISPLAY": display, "HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
    references = [counter_crops(clip) for clip in bench_clips]
    reports = []
    for vout in OUR_VIDEO_OUTPUTS:
        env = qt_env(display, KIOSK_VLC_AOUT="dummy", KIOSK_VLC_VOUT=vout)
        if not vout:
            env.pop("KIOSK_VLC_VOUT")
        capture = run_and_capture(display, ours, env, tmp_path / f"ours-{vout or 'default'}")
        reports.append(describe(f"ours/{vout or 'default'}", capture, references))
    for name, (command, skip) in (
        ("cvlc", _cvlc_command(bench_clips)),
        ("mpv", _mpv_command(bench_clips)),
    ):
        if skip:
            reports.append(f"{name:<10} skipped: {skip}")
            continue
        capture = run_and_capture(display, command, plain_env, tmp_path / name)
        reports.append(describe(name, capture, references))
    event = write_event(tmp_path / "event", [film_toml("B1", bench_clips[0])])
    start = console_start_seconds(display, event.root)
    print()
    print("\n".join(reports))
    shown = f"{start:.2f} s" if start is not None else "not shown within 30 s"
    print(f"console start (process start -> console window on screen): {shown} (target < 2 s)")
