"""Is the show's sound reaching an audio device? Decided from what libvlc logs (plain Python).

What libvlc 3.0.24 does when the device goes away mid-film was measured (PulseAudio in a
private runtime dir with a null sink, a python-vlc player with a `libvlc_log_set` callback):

- PulseAudio killed (SIGKILL): within 80-220 ms an error from module `vlcpulse`,
  "cannot write: Connection terminated", then again every 0.5 s while the film plays (the
  picture goes on; `audio_output_device_enum` keeps listing the dead sink). After the server
  comes back the errors read "cannot write: Bad state": libvlc never reconnects by itself, and
  choosing a device fails ("cannot move sink input: Bad state").
- The sink unloaded (`pactl unload-module`): debug "removing sink 0", then "cannot write:
  Entity killed" every 0.5 s; the device list is empty. A sink loaded again is listed ("adding
  sink 1: cap") but the film's stream stays dead ("cannot write: Invalid argument" after a
  device choice).
- The sink suspended (`pactl suspend-sink`): debug "suspended", then warnings from the audio
  output core alternating "playback way too late (...): flushing buffers" and "playback way
  too early (...): playing silence" about every 0.25 s; on resume "suspended" again (libvlc
  logs every suspend-state change with that word), then "started" and the warnings stop.
- What brings the sound back without touching the picture: a new audio output for the player
  (`libvlc_audio_output_set` with the same module) and its audio track switched off and on;
  the new output logs "connected to sink cap" and, a moment later, "started" (measured: sound
  captured again within about 1 s).

So `classify` turns one log line into a signal (lost / stalled / connected / nothing), and
`AudioAlarm` decides: lost at the first hard error (a dead connection does not heal, waiting
would only delay the alarm), stalled after "suspended" and then `STALL_COUNT` stall warnings
within `STALL_WINDOW_S` (stall warnings alone come at cuts, under load, and all the time on an
ALSA device not paced in real time: taken alone they raised false alarms in the listening
tests, and the reconnects that followed cost the films 1-2 s of sound), back once a new
output has connected, started, and run `QUIET_S` with no stall (measured in the app: right
after a reconnect libvlc resyncs the new output once — "flushing buffers", then "playing
silence" — a gap of about 0.5 s that must not count as the sound being back); while lost, ask
for a reconnect every `RETRY_EVERY_S`.
"""

from __future__ import annotations

import enum
import logging
import re
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)

# libvlc_log_level
LOG_DEBUG, LOG_NOTICE, LOG_WARNING, LOG_ERROR = 0, 2, 3, 4

STALL_COUNT = 4  # stall warnings ...
STALL_WINDOW_S = 1.5  # ... within this long: the device takes no sound (suspended)
QUIET_S = 1.5  # a new output started and ran this long without a stall: the sound is back
RETRY_EVERY_S = 2.0  # while lost, try a new audio output this often
STALLED = "the device takes no sound (suspended or stalled)"

AUDIO_OUTPUT_MODULES = frozenset(
    {"pulse", "vlcpulse", "alsa", "jack", "oss", "sndio", "afile", "mmdevice", "directsound",
     "waveout", "wasapi", "auhal", "audiounit_ios", "opensles", "audiotrack"}
)  # fmt: skip
# a hard error from an audio output: the connection or the device is gone
_HARD_ERRORS = re.compile(
    r"cannot write|cannot connect|cannot create stream|cannot open ALSA device|"
    r"cannot recover playback stream|cannot estimate delay|connection terminated|"
    r"entity killed|device not found|no such device",
    re.IGNORECASE,
)
_STALL = re.compile(r"playback way too (late|early)")
_MODULE_CHOSEN = re.compile(r'using audio output module "([^"]+)"')
_PULSE_SINK = re.compile(r"connected to sink (\S+)")
_PULSE_SERVER = re.compile(r"connected (locally|remotely) to ")
_ALSA_DEVICE = re.compile(r'using ALSA device: ?"?([^"]+)"?|device name: "?([^"]+)"?')


class SignalKind(enum.Enum):
    """What one libvlc log line says about the sound."""

    LOST = "lost"  # a hard error: the device or the sound server is gone
    STALL = "stall"  # the output is not taking samples (one alone is normal)
    CONNECTED = "connected"  # an output connected to a device (names it if it can)
    STARTED = "started"  # the output started playing
    MODULE = "module"  # which audio output module libvlc chose (e.g. "pulse")
    SUSPENDED = "suspended"  # PulseAudio changed the stream's suspend state (either way)


@dataclass(frozen=True)
class AudioSignal:
    """One relevant libvlc log line, classified: what it says, and the detail it names."""

    kind: SignalKind
    detail: str  # the error text, the device, or the module name
    module: str  # the libvlc module that logged it


def classify(level: int, module: str, text: str) -> AudioSignal | None:
    """What a libvlc log line (its level, module, formatted text) says about the sound.

    Cheap and thread-safe: libvlc's log callback calls it on libvlc's own threads, so only the
    few lines that matter are handed to the GUI thread."""
    if module == "main":
        if level == LOG_WARNING and _STALL.search(text):
            return AudioSignal(SignalKind.STALL, text, module)
        chosen = _MODULE_CHOSEN.search(text)
        if chosen is not None:
            return AudioSignal(SignalKind.MODULE, chosen.group(1), module)
        return None
    if module not in AUDIO_OUTPUT_MODULES:
        return None
    if level == LOG_ERROR and _HARD_ERRORS.search(text):
        return AudioSignal(SignalKind.LOST, text, module)
    sink = _PULSE_SINK.search(text)
    if sink is not None:
        return AudioSignal(SignalKind.CONNECTED, sink.group(1), module)
    if _PULSE_SERVER.match(text):
        return AudioSignal(SignalKind.CONNECTED, "", module)  # the server answers again
    device = _ALSA_DEVICE.search(text) if module == "alsa" else None
    if device is not None:
        return AudioSignal(SignalKind.CONNECTED, device.group(1) or device.group(2), module)
    if text == "started":
        return AudioSignal(SignalKind.STARTED, "", module)
    if text == "suspended":
        return AudioSignal(SignalKind.SUSPENDED, "", module)
    return None


def server_gone(server: str) -> AudioSignal:
    """The signal for a sound server that does not answer a probe (nothing needs to play)."""
    return AudioSignal(SignalKind.LOST, f"the sound server does not answer ({server})", "probe")


class SoundState(enum.Enum):
    """Whether the films' sound reaches a device, as far as libvlc tells."""

    OK = "ok"
    LOST = "lost"
    RECOVERING = "recovering"  # an output connected again; waiting `QUIET_S` to be sure


@dataclass(frozen=True)
class SoundLost:
    """The sound stopped reaching the device (at `at`, monotonic seconds)."""

    device: str
    reason: str
    at: float


@dataclass(frozen=True)
class SoundBack:
    """The sound reaches a device again, `after_s` seconds after it was lost."""

    device: str
    after_s: float


SoundChange = SoundLost | SoundBack


class AudioAlarm:
    """Decides from classified libvlc signals when the sound is lost and when it is back.

    Feed every signal with `observe(signal, now)` and call `tick(now)` a few times a second;
    both return a `SoundLost` / `SoundBack` when the state changes. `retry_due(now)` says when
    to try a new audio output while the sound is lost. Times are monotonic seconds.
    """

    def __init__(
        self,
        *,
        stall_count: int = STALL_COUNT,
        stall_window_s: float = STALL_WINDOW_S,
        quiet_s: float = QUIET_S,
        retry_every_s: float = RETRY_EVERY_S,
    ) -> None:
        self._stall_count = stall_count
        self._stall_window_s = stall_window_s
        self._quiet_s = quiet_s
        self._retry_every_s = retry_every_s
        self._stalls: deque[float] = deque()
        self.state = SoundState.OK
        self.device = ""  # the device the sound last went to (or was lost on)
        self.module = ""  # libvlc's audio output module, e.g. "pulse"
        self.lost_at: float | None = None
        self.reason = ""
        self._started = False  # the new output started playing (while recovering)
        self._suspended = False  # PulseAudio said "suspended" and the output has not started
        self._settled_from = 0.0  # when it last started or stalled (while recovering)
        self._last_retry = 0.0

    def observe(self, signal: AudioSignal, now: float) -> SoundChange | None:
        """Take one signal into account (from libvlc's log, or `server_gone` from a probe)."""
        match signal.kind:
            case SignalKind.MODULE:
                self.module = signal.detail
            case SignalKind.LOST:
                return self._lose(signal.detail, now)
            case SignalKind.SUSPENDED:
                self._suspended = True  # until the output starts again
            case SignalKind.STALL:
                if self.state is SoundState.RECOVERING:
                    self._settled_from = now  # libvlc is still resyncing the new output
                self._stalls.append(now)
                while self._stalls and now - self._stalls[0] > self._stall_window_s:
                    self._stalls.popleft()
                # stalls alone happen at cuts and under load (and all the time on a device
                # that is not paced in real time): only after "suspended" do they mean silence
                if self._suspended and len(self._stalls) >= self._stall_count:
                    return self._lose(STALLED, now)
            case SignalKind.CONNECTED:
                if signal.detail:
                    self.device = signal.detail
                if self.state is SoundState.LOST:
                    self.state, self._started = SoundState.RECOVERING, False
                    self._settled_from = now
                    self._stalls.clear()
            case SignalKind.STARTED:
                self._suspended = False
                if self.state is SoundState.LOST and self.reason == STALLED:
                    self.state = SoundState.RECOVERING  # a suspended sink resumed
                    self._stalls.clear()
                if self.state is SoundState.RECOVERING:
                    self._started = True
                    self._settled_from = now
        return None

    def tick(self, now: float, playing: bool = True) -> SoundChange | None:
        """Time passing: a new output that connected, started (if a film is `playing`) and
        then ran `quiet_s` without a stall or failure means the sound is back. With nothing
        playing, an output that connected and stayed quiet is all the proof there can be."""
        if (
            self.state is SoundState.RECOVERING
            and (self._started or not playing)
            and now - self._settled_from >= self._quiet_s
        ):
            lost_at = self.lost_at if self.lost_at is not None else now
            self.state, self.lost_at, self.reason = SoundState.OK, None, ""
            self._stalls.clear()
            return SoundBack(self.device, now - lost_at)
        return None

    def retry_due(self, now: float) -> bool:
        """While the sound is lost, True every `retry_every_s` (then try a new output)."""
        if self.state is not SoundState.LOST or now - self._last_retry < self._retry_every_s:
            return False
        self._last_retry = now
        return True

    def _lose(self, reason: str, now: float) -> SoundChange | None:
        if self.state is SoundState.RECOVERING:
            self.state, self.reason = SoundState.LOST, reason  # the reconnect did not hold
            return None
        if self.state is SoundState.LOST:
            return None
        self.state, self.lost_at, self.reason = SoundState.LOST, now, reason
        self._last_retry = now  # the first retry after `retry_every_s`
        return SoundLost(self.device, reason, now)
