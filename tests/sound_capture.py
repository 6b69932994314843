"""Hear what the show plays: a private PulseAudio server with a null sink, recorded in real time.

    with pulse_server(tmp_path) as pulse:              # XDG_RUNTIME_DIR of its own
        with record(pulse, tmp_path / "capture.wav"):   # parec on the sink's monitor
            subprocess.run([... the app ...], env={**os.environ, **pulse.env})
    capture = read_capture(tmp_path / "capture.wav")
    track = tone_levels(capture, [500, 800], window_s=0.05)

libvlc picks PulseAudio by itself when `XDG_RUNTIME_DIR` points at a running server, so the
player under test needs no special option. The capture is `parec`'s float32 WAV: real time,
paced by PulseAudio's clock (an ALSA `file` device is not, see docs/dev/playback-notes.md).

Analysis: every film in a listening test carries its own sine tone, so a window's level at each
film's frequency (a Goertzel/DFT bin on a Hann window) says which film was heard when and how
loud; `film_runs` turns that into one segment per film; `loudness_lufs` measures a segment with
ffmpeg's `ebur128`, the same meter preflight uses.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

PULSEAUDIO = shutil.which("pulseaudio")
PAREC = shutil.which("parec")
RATE = 48000
SINK = "cap"
SOCKET_PARENT_MAX = 80  # + /pa-XXXXXXXX/pulse/native stays under a socket's 107 bytes
RECORDING_BYTES = 4096 + RATE * 8 // 20  # a WAV header and 50 ms of float32 stereo

requires_pulseaudio = pytest.mark.skipif(
    not (PULSEAUDIO and PAREC),
    reason="needs pulseaudio and pulseaudio-utils (make test installs them)",
)

FloatArray = npt.NDArray[np.float64]


def show_priority() -> list[str]:
    """A command prefix giving a process the priority a show machine would give its show.

    On the night the show runs alone; here other test suites load the two cores (load average
    8-11 measured), and without priority the sound server underruns for everyone. As root
    (CI), `nice -n -10`; otherwise nothing (the test then measures a loaded desktop).
    """
    return ["nice", "-n", "-10"] if os.geteuid() == 0 else []


@dataclass(frozen=True)
class PulseServer:
    """A running private PulseAudio server: the environment a client needs to reach it."""

    runtime_dir: Path
    pid: int
    home: Path

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point libvlc, parec and pactl at this server."""
        return {"XDG_RUNTIME_DIR": str(self.runtime_dir), "PULSE_SERVER": self.socket}

    @property
    def socket(self) -> str:
        """The server's native protocol socket."""
        return f"unix:{self.runtime_dir / 'pulse' / 'native'}"


def _start_pulse(runtime: Path, home: Path, *priority: str) -> PulseServer:
    """Start PulseAudio daemonized in `runtime` with the null sink; wait for its socket."""
    assert PULSEAUDIO is not None
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(home)}
    env.pop("PULSE_SERVER", None)
    subprocess.run(
        [
            *priority,
            PULSEAUDIO,
            "--daemonize=yes",
            "--high-priority=yes",  # as a desktop's PulseAudio runs (rtkit)
            "--realtime=yes",
            "-n",
            "--exit-idle-time=-1",
            "--use-pid-file=yes",
            "--load=module-native-protocol-unix",
            f"--load=module-null-sink sink_name={SINK} rate={RATE} channels=2",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=30,
    )
    pid_file = runtime / "pulse" / "pid"
    native = runtime / "pulse" / "native"
    deadline = time.monotonic() + 10
    while not (pid_file.is_file() and native.exists()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return PulseServer(runtime, int(pid_file.read_text().strip()), home)


@contextmanager
def pulse_server(folder: Path) -> Iterator[PulseServer]:
    """Start PulseAudio with a null sink `cap` (the default sink); stop it after.

    Its runtime dir is a fresh short folder under TMPDIR, not under `folder` (HOME): a unix
    socket path is cut at 107 bytes, and pytest's folders can be longer (the server then binds
    a cut path its clients cannot find). Each server has its own, so two lanes never meet."""
    parent = tempfile.gettempdir()
    if len(parent) > SOCKET_PARENT_MAX:  # a long TMPDIR: /tmp still gives a folder of its own
        parent = "/tmp"
    runtime = Path(tempfile.mkdtemp(prefix="pa-", dir=parent))
    server = _start_pulse(runtime, folder, *show_priority())
    try:
        pactl(server, "set-default-sink", SINK)
        yield server
    finally:
        stop_pulse(server)
        shutil.rmtree(runtime, ignore_errors=True)


def stop_pulse(server: PulseServer) -> None:
    """SIGTERM the server (if it still runs)."""
    with suppress(ProcessLookupError):
        os.kill(server.pid, signal.SIGTERM)


def restart_pulse(server: PulseServer) -> PulseServer:
    """Start PulseAudio again in the same runtime dir after a SIGKILL (the same socket, the
    same null sink): what a desktop's sound server restarted by systemd looks like."""
    for stale in (server.runtime_dir / "pulse" / "pid", server.runtime_dir / "pulse" / "native"):
        with suppress(FileNotFoundError):
            stale.unlink()
    return _start_pulse(server.runtime_dir, server.home)


def pactl(server: PulseServer, *args: str) -> str:
    """Run `pactl` against the server; its output."""
    result = subprocess.run(
        ["pactl", *args],
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    return result.stdout


def wait_until_streams_corked(server: PulseServer, timeout_s: float = 10.0) -> int:
    """Until every playback stream on the server is corked (a paused libvlc player's stream:
    nothing is written to it); how many streams there are. A player's pause is asked on one
    thread and reaches its sound stream on libvlc's, a moment later."""
    deadline = time.monotonic() + timeout_s
    while True:
        listing = pactl(server, "list", "sink-inputs")
        corked = re.findall(r"^\s*Corked: (\w+)", listing, re.MULTILINE)
        if all(state == "yes" for state in corked):
            return len(corked)
        assert time.monotonic() < deadline, f"sound streams still playing: {corked}"
        time.sleep(0.02)


@contextmanager
def record(server: PulseServer, out: Path, sink: str = SINK) -> Iterator[Path]:
    """Record `sink`'s monitor in real time into `out` (float32 stereo WAV); the stream is
    connected (PulseAudio lists it) before the block runs."""
    assert PAREC is not None
    before = pactl(server, "list", "short", "source-outputs").count("\n")
    process = subprocess.Popen(
        [
            *show_priority(),
            PAREC,
            "-d",
            f"{sink}.monitor",
            "--file-format=wav",
            "--format=float32le",
            f"--rate={RATE}",
            "--channels=2",
            "--latency-msec=20",
            str(out),
        ],
        env={**os.environ, **server.env},
    )
    deadline = time.monotonic() + 15
    while pactl(server, "list", "short", "source-outputs").count("\n") <= before:
        if time.monotonic() > deadline or process.poll() is not None:
            break  # the capture will say what it heard
        time.sleep(0.02)
    # and its first samples are in the file (a monitor sends silence all the time): under load
    # they came 0.5-1.5 s after the stream connected, and a film's start went unrecorded
    while not (out.is_file() and out.stat().st_size > RECORDING_BYTES):
        if time.monotonic() > deadline or process.poll() is not None:
            break
        time.sleep(0.02)
    try:
        yield out
    finally:
        time.sleep(0.3)  # parec's latency: what was played last is in the file
        process.send_signal(signal.SIGINT)  # parec finishes the WAV header on SIGINT
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def wait_until_heard(
    capture: Path,
    tone_hz: float,
    seconds: float,
    timeout_s: float,
    heard_dbfs: float = -45.0,
    share: float = 0.9,
) -> FloatArray:
    """Poll the growing `parec` capture until its last `seconds` carry `tone_hz` above
    `heard_dbfs` in at least `share` of their 0.1 s windows (the sound is heard, steadily);
    return the capture's levels (dBFS per 0.1 s window). Raises, with the levels heard, when
    that is not so within `timeout_s`. This replaces "record for N seconds, then look at the
    last two": the test moves on as soon as the sound it waits for is there, and a sound that
    keeps breaking up never satisfies it."""
    needed = round(seconds / 0.1)
    deadline = time.monotonic() + timeout_s
    levels = np.zeros(0)
    while True:
        with suppress(ValueError, OSError):  # the header may not be written yet
            levels = tone_levels(read_capture(capture), [tone_hz], 0.1)[:, 0]
            if len(levels) >= needed and (levels[-needed:] >= heard_dbfs).mean() >= share:
                return levels
        if time.monotonic() > deadline:
            heard = " ".join(f"{v:.0f}" for v in levels)
            raise AssertionError(f"{tone_hz} Hz not heard for {seconds} s; dBFS per 0.1 s: {heard}")
        time.sleep(0.1)


def wait_until_grown(capture: Path, seconds: float, timeout_s: float = 20.0) -> None:
    """Wait until the growing `parec` capture (float32 stereo, recorded in real time) holds
    `seconds` more sound than now: a wait for real time to pass at the sink, not a sleep."""
    size = capture.stat().st_size + seconds * RATE * 8
    deadline = time.monotonic() + timeout_s
    while capture.stat().st_size < size:
        if time.monotonic() > deadline:
            raise AssertionError(f"the capture {capture} stopped growing")
        time.sleep(0.05)


def _data_chunk(data: bytes, name: Path) -> tuple[int, int, int, int]:
    """Where a float32 WAV's samples lie: (start, end, channels, bits); parec may leave the
    sizes unset (0 or -1)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{name} is not a WAV file")
    offset, channels, bits = 12, 2, 32
    while offset + 8 <= len(data):
        chunk, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        body = offset + 8
        if chunk == b"fmt ":
            channels = struct.unpack("<H", data[body + 2 : body + 4])[0]
            bits = struct.unpack("<H", data[body + 14 : body + 16])[0]
        elif chunk == b"data":
            end = len(data) if size in (0, 0xFFFFFFFF) or body + size > len(data) else body + size
            return body, end, channels, bits
        offset = body + size + (size & 1)
    raise ValueError(f"{name} has no data chunk")


def read_capture(path: Path) -> FloatArray:
    """A float32 WAV as an (n, channels) array."""
    data = path.read_bytes()
    body, end, channels, bits = _data_chunk(data, path)
    raw = data[body:end]
    raw = raw[: len(raw) - len(raw) % (channels * bits // 8)]
    samples = np.frombuffer(raw, dtype="<f4").astype(np.float64)
    return samples.reshape(-1, channels)


@dataclass(frozen=True)
class CaptureClock:
    """A moment of the monotonic clock and how long the capture file was then: lays times
    taken by another process (CLOCK_MONOTONIC, e.g. tests/pulse_faults.c's trace) beside the
    capture's own seconds, to within parec's latency."""

    monotonic_s: float
    file_bytes: int

    @classmethod
    def now(cls, capture: Path) -> CaptureClock:
        """Read the clock and the capture's size together."""
        return cls(time.monotonic(), capture.stat().st_size)

    def capture_s(self, capture: Path, monotonic_s: float) -> float:
        """Where in the capture (seconds from its first sample) a monotonic time lies."""
        start, _, channels, bits = _data_chunk(capture.read_bytes()[:4096], capture)
        recorded_s = (self.file_bytes - start) / (channels * bits // 8) / RATE
        return recorded_s + monotonic_s - self.monotonic_s


def tone_levels(
    capture: FloatArray, freqs: Sequence[float], window_s: float = 0.05, rate: int = RATE
) -> FloatArray:
    """Level in dBFS (of a sine's peak) of each frequency in each window: (windows, freqs)."""
    mono = capture.mean(axis=1)
    size = int(window_s * rate)
    count = len(mono) // size
    frames = mono[: count * size].reshape(count, size)
    hann = np.hanning(size)
    t = np.arange(size) / rate
    out = np.empty((count, len(freqs)))
    for column, freq in enumerate(freqs):
        basis = hann * np.exp(-2j * np.pi * freq * t)
        amplitude = 2 * np.abs(frames @ basis) / hann.sum()
        out[:, column] = 20 * np.log10(np.maximum(amplitude, 1e-12))
    return out


PROBE_RATIO = 1.12  # off-tone probes this far above and below each tone


def off_tone_levels(
    capture: FloatArray,
    freqs: Sequence[float],
    window_s: float = 0.05,
    rate: int = RATE,
    ratio: float = PROBE_RATIO,
) -> FloatArray:
    """The louder of two probes beside each tone (f·ratio and f/ratio), per window.

    A tone stands far above its probes; the click of another film's sound starting or stopping
    raises tone and probes alike. So "tone minus probes" tells a film's sound from a click.
    The probes must lie outside the tone's main lobe (±2/window_s Hz with the Hann window):
    1.12 suits 50 ms windows from 500 Hz up; 10 ms windows need tones and probes farther apart.
    """
    above = tone_levels(capture, [f * ratio for f in freqs], window_s, rate)
    below = tone_levels(capture, [f / ratio for f in freqs], window_s, rate)
    return np.maximum(above, below)


@dataclass(frozen=True)
class FilmRun:
    """Where one film's tone was heard in the capture (seconds from the capture's start)."""

    start_s: float  # first window of its longest run of heard windows
    end_s: float
    heard_s: float  # windows heard inside [start_s, end_s]
    longest_gap_s: float  # longest silence inside its run
    early_s: float  # its tone heard before start_s (leaked before its cut), seconds
    early_peak_dbfs: float  # its tone's loudest window before start_s
    late_at_s: tuple[float, ...] = ()  # windows after end_s where its tone came back (counted
    # as `early_s` is), e.g. the film cut away from heard again when its player is stopped


def film_runs(
    levels: FloatArray,
    window_s: float,
    heard_dbfs: float,
    leak_dbfs: float,
    bridge_s: float = 0.5,
    off_tone: FloatArray | None = None,
    tonal_db: float = 15.0,
) -> list[FilmRun]:
    """One run per frequency: the span where it is heard (gaps up to `bridge_s` bridged).

    Before its run (and after it: `late_at_s`), a window counts as the film leaking when its
    tone reaches `leak_dbfs` and (given `off_tone`, see `off_tone_levels`) stands `tonal_db`
    above its probes. Windows next to where any film starts or stops are not counted: a film's
    sound starting abruptly (and its codec's first frame) splashes into every bin for a window
    or two."""
    bridge = max(1, round(bridge_s / window_s))
    spans: list[tuple[int, int] | None] = []
    for column in range(levels.shape[1]):
        heard = levels[:, column] >= heard_dbfs
        indices = np.flatnonzero(heard)
        if len(indices) == 0:
            spans.append(None)
            continue
        groups: list[tuple[int, int]] = []
        first = last = int(indices[0])
        for index in indices[1:]:
            if index - last > bridge:
                groups.append((first, last))
                first = int(index)
            last = int(index)
        groups.append((first, last))
        spans.append(max(groups, key=lambda g: int(heard[g[0] : g[1] + 1].sum())))
    edges = np.zeros(len(levels), dtype=bool)
    for span in spans:
        if span is not None:
            for edge in span:
                edges[max(0, edge - 1) : edge + 2] = True
    runs = []
    for column, span in enumerate(spans):
        level = levels[:, column]
        if span is None:
            runs.append(FilmRun(0.0, 0.0, 0.0, 0.0, 0.0, -240.0))
            continue
        first, last = span
        inside = level[first : last + 1] >= heard_dbfs
        gap = longest = 0
        for value in inside:
            gap = 0 if value else gap + 1
            longest = max(longest, gap)
        tonal = level >= leak_dbfs
        if off_tone is not None:
            tonal &= level - off_tone[:, column] >= tonal_db
        before = level[:first]
        leaking = tonal[:first] & ~edges[:first]
        late = np.flatnonzero(tonal[last + 1 :] & ~edges[last + 1 :]) + last + 1
        runs.append(
            FilmRun(
                start_s=first * window_s,
                end_s=(last + 1) * window_s,
                heard_s=float(inside.sum()) * window_s,
                longest_gap_s=longest * window_s,
                early_s=float(leaking.sum()) * window_s,
                early_peak_dbfs=float(before[leaking].max()) if leaking.any() else -240.0,
                late_at_s=tuple(round(float(i) * window_s, 3) for i in late),
            )
        )
    return runs


_INTEGRATED = re.compile(r"I:\s*(-?[\d.]+|-inf)\s*LUFS")


def loudness_lufs(wav: Path, start_s: float, end_s: float) -> float:
    """Integrated loudness (ffmpeg ebur128) of the capture between two times."""
    result = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-nostats",
            "-ss",
            f"{start_s:.3f}",
            "-to",
            f"{end_s:.3f}",
            "-i",
            str(wav),
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    summary = result.stderr[result.stderr.rfind("Summary:") :]
    match = _INTEGRATED.search(summary)
    assert match is not None, result.stderr[-2000:]
    return float(match.group(1)) if match.group(1) != "-inf" else float("-inf")


def alsa_file_config(home: Path, out_dir: Path) -> Path:
    """An `~/.asoundrc` in `home` whose default device writes every stream libvlc opens to a
    raw file of its own in `out_dir` (float32 as libvlc sends it, no header): with `truncate
    false` alsa-lib numbers the files (stream.raw, stream.raw.0001, ...). Not a pipe per
    stream: a later stream's `cat` can inherit an earlier one's pipe, and libvlc then hung
    closing it (2 runs of 8).

    alsa-lib's `file` plugin is not paced in real time: libvlc pads with runs of exact zeros
    between its real samples. Use it for levels only (`alsa_sound`), never for timing.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    config = home / ".asoundrc"
    config.write_text(
        "pcm.!default {\n"
        "  type file\n"
        '  slave.pcm "null"\n'
        f'  file "{out_dir}/stream.raw"\n'
        "  truncate false\n"
        '  format "raw"\n'
        "}\n",
        encoding="utf-8",
    )
    return config


def alsa_sound(out_dir: Path) -> FloatArray:
    """Every stream the ALSA file device received, stereo float32, without libvlc's padding
    (frames of exact zeros), one after the other."""
    parts = []
    for raw in sorted(out_dir.glob("stream.raw*")):
        data = np.fromfile(raw, dtype="<f4")
        data = data[: len(data) - len(data) % 2].reshape(-1, 2)
        parts.append(data[(data != 0).any(axis=1)].astype(np.float64))
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def write_wav(samples: FloatArray, out: Path, rate: int = RATE) -> Path:
    """Stereo float samples as a float32 WAV (for ffmpeg's meters)."""
    data = samples.astype("<f4").tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(data),
        b"WAVE",
        b"fmt ",
        16,
        3,  # IEEE float
        2,
        rate,
        rate * 8,
        8,
        32,
        b"data",
        len(data),
    )
    out.write_bytes(header + data)
    return out
