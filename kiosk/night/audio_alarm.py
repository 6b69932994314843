"""The alarm when the films' sound stops reaching the audio device, and the reconnect.

The room's music plays on the same libvlc instance (so the same log and output): it counts as
sound expected, and is reconnected with the films.

`SoundWatch` listens to libvlc's log (`kiosk.media.vlc_log.VlcLogTap`, whose signal is queued
onto the Qt thread), lets `kiosk.core.audio_watch.AudioAlarm` decide, and then tells the
operator (an error in the log panel, an entry in the journal, the `lost`/`back` signals the
console's banner listens to) and, while the sound is lost, gives the players a new audio output
every couple of seconds until one holds. Between films libvlc logs nothing, so a dead
PulseAudio server is also found by trying its socket every 2 s (`kiosk.media.sound_server`).
Nothing of it goes to the projector.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from kiosk.core.audio_watch import (
    AudioAlarm,
    AudioSignal,
    SoundBack,
    SoundChange,
    SoundLost,
    server_gone,
)
from kiosk.media.music_player import MusicPlayers
from kiosk.media.player import SLOTS, FilmPlayers, SlotState
from kiosk.media.sound_server import pulse_answers
from kiosk.media.sting import StingPlayer
from kiosk.media.vlc_log import VlcLogTap, describe
from kiosk.night.ports import OperatorMessages

log = logging.getLogger(__name__)

TICK_MS = 250
PROBE_EVERY_S = 2.0  # the PulseAudio socket is tried this often (one connect(), off the GUI)
AUDIO_LOST, AUDIO_BACK = "audio_lost", "audio_back"  # journal kinds


class SoundWatch(QObject):
    """Raises the "no sound" alarm and reconnects the sound (see the module's docstring).

    Signals (Qt thread): `lost(device, reason)` when the sound stops reaching the device,
    `back(device, seconds_without_sound)` when it reaches one again.
    """

    lost = Signal(str, str)
    back = Signal(str, float)

    def __init__(
        self,
        tap: VlcLogTap,
        players: FilmPlayers,
        messages: OperatorMessages | None,
        record: Callable[[str, dict[str, object]], None],
        alarm: AudioAlarm | None = None,
        pulse_socket: Path | None = None,
        sting: StingPlayer | None = None,
        music: MusicPlayers | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sting = sting
        self._music = music  # the room's music: same output, same alarm
        self._pulse_socket = pulse_socket  # probed while libvlc plays through "pulse"
        self._last_probe = 0.0
        # a hung server can hold a connect() up to its timeout: never on the GUI thread
        self._prober = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pulse-probe")
        self._probing: Future[bool] | None = None
        self._tap = tap
        self._players = players
        self._messages = messages
        self._record = record
        self._alarm = alarm or AudioAlarm()
        tap.audio.connect(self.observe, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    @property
    def sound_lost(self) -> bool:
        """True from the alarm until the sound is back."""
        return self._alarm.lost_at is not None

    @property
    def device(self) -> str:
        """The device the sound last went to, as libvlc named it (e.g. a PulseAudio sink)."""
        return self._alarm.device

    def device_label(self) -> str:
        """The device's description and name, e.g. "Null Output (cap)", or "the audio device"."""
        device = self._alarm.device
        if not device:
            return "the audio device"
        for device_id, description in self._players.audio_devices():
            if device_id == device and description:
                return f"{description} ({device})"
        return device

    def reconnect(self) -> None:
        """Give the players a new audio output now (the operator's "Reconnect", or a retry)."""
        module = self._alarm.module or self._tap.audio_module
        log.info("reconnecting the sound (%s)", module or "libvlc's audio output unknown")
        self._players.reopen_audio(module)
        if self._sting is not None:
            self._sting.reopen_audio(module)
        if self._music is not None:
            self._music.reopen_audio(module)

    def close(self) -> None:
        """Stop watching and listening to libvlc (before its instance goes)."""
        self._timer.stop()
        self._tap.close()
        self._prober.shutdown(wait=False, cancel_futures=True)

    @Slot(object, float)
    def observe(self, signal: AudioSignal, at: float) -> None:
        """Take one classified libvlc log line (the tap's, at monotonic time `at`)."""
        log.debug("sound: %s", describe(signal))
        self._announce(self._alarm.observe(signal, at))

    def _tick(self) -> None:
        now = time.monotonic()
        self._probe(now)
        playing = any(self._players.state_of(slot) is SlotState.PLAYING for slot in SLOTS)
        playing = playing or (self._music is not None and self._music.sounding())
        self._announce(self._alarm.tick(now, playing))
        if self._alarm.retry_due(now):
            self.reconnect()

    def _probe(self, now: float) -> None:
        """Take the last probe's answer (if it came), and start the next one when due; the
        connect() runs on the prober's thread, its answer is read at a later tick."""
        path = self._pulse_socket
        probing = self._probing
        if probing is not None:
            if not probing.done():
                return
            self._probing = None
            if path is not None and not probing.result():
                self._announce(self._alarm.observe(server_gone(f"PulseAudio, {path}"), now))
        module = self._alarm.module or self._tap.audio_module
        if path is None or module != "pulse" or now - self._last_probe < PROBE_EVERY_S:
            return
        self._last_probe = now
        self._probing = self._prober.submit(pulse_answers, path)

    def _announce(self, change: SoundChange | None) -> None:
        if isinstance(change, SoundLost):
            label = self.device_label()
            self._record(AUDIO_LOST, {"device": change.device, "reason": change.reason})
            if self._messages is not None:
                self._messages.error(
                    f"NO SOUND · 沒有聲音 — audio output lost: {label} ({change.reason}). "
                    "Reconnecting every 2 s; or choose another output with O"
                )
            self.lost.emit(label, change.reason)
        elif isinstance(change, SoundBack):
            label = self.device_label()
            self._record(AUDIO_BACK, {"device": change.device, "after_s": round(change.after_s, 1)})
            if self._messages is not None:
                self._messages.info(
                    f"Sound is back · 聲音已恢復 on {label} after {change.after_s:.0f} s without"
                )
            self.back.emit(label, change.after_s)
