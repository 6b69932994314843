"""The audio alarm's decisions, on the libvlc log lines measured when the device went away."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from kiosk.core.audio_watch import (
    LOG_DEBUG,
    LOG_ERROR,
    LOG_WARNING,
    AudioAlarm,
    AudioSignal,
    SignalKind,
    SoundBack,
    SoundLost,
    SoundState,
    classify,
    server_gone,
)
from kiosk.media.sound_server import SUN_PATH_BYTES, pulse_answers, pulse_socket


def signal(level: int, module: str, text: str) -> AudioSignal:
    found = classify(level, module, text)
    assert found is not None, text
    return found


def test_classify_the_lines_libvlc_logged() -> None:
    # PulseAudio killed, the sink unloaded, after a device choice on a dead stream
    for text in (
        "cannot write: Connection terminated",
        "cannot write: Entity killed",
        "cannot write: Bad state",
    ):
        assert classify(LOG_ERROR, "vlcpulse", text) == AudioSignal(
            SignalKind.LOST, text, "vlcpulse"
        )
    # a device choice refused is not itself a loss (the writes that follow say it)
    assert classify(LOG_ERROR, "vlcpulse", "cannot move sink input: Bad state") is None
    assert classify(LOG_ERROR, "alsa", "cannot write samples: No such device") is not None
    assert signal(LOG_DEBUG, "pulse", "connected to sink cap").detail == "cap"
    assert signal(LOG_DEBUG, "pulse", "started").kind is SignalKind.STARTED
    assert signal(LOG_DEBUG, "main", 'using audio output module "pulse"').detail == "pulse"
    stall = signal(LOG_WARNING, "main", "playback way too late (240936): flushing buffers")
    assert stall.kind is SignalKind.STALL
    # what does not matter: other modules, debug chatter, a film's own decoder errors
    assert classify(LOG_DEBUG, "pulse", "deferring start (146457 us)") is None
    assert classify(LOG_DEBUG, "vlcpulse", "no timing infos") is None
    assert classify(LOG_ERROR, "avcodec", "cannot write: whatever") is None
    assert classify(LOG_WARNING, "main", "playback too early (-40800): down-sampling") is None
    assert classify(LOG_WARNING, "mp4", "elst box found") is None


def state_of(alarm: AudioAlarm) -> SoundState:
    """The alarm's state now (a call, so the type checker does not pin it between steps)."""
    return alarm.state


def lost_line(text: str = "cannot write: Connection terminated") -> AudioSignal:
    return AudioSignal(SignalKind.LOST, text, "vlcpulse")


def test_lost_at_the_first_hard_error_then_back_after_a_quiet_reconnect() -> None:
    alarm = AudioAlarm(quiet_s=1.5, retry_every_s=2.0)
    alarm.observe(AudioSignal(SignalKind.CONNECTED, "cap", "pulse"), 0.0)
    assert alarm.tick(1.0) is None and state_of(alarm) is SoundState.OK
    change = alarm.observe(lost_line(), 10.0)
    assert change == SoundLost("cap", "cannot write: Connection terminated", 10.0)
    assert alarm.observe(lost_line(), 10.5) is None  # one alarm, not one per error
    assert not alarm.retry_due(11.0)
    assert alarm.retry_due(12.0) and not alarm.retry_due(12.5) and alarm.retry_due(14.1)
    # the reconnect reaches the server again; the sound is back once it held for quiet_s
    alarm.observe(AudioSignal(SignalKind.CONNECTED, "cap", "pulse"), 14.2)
    assert state_of(alarm) is SoundState.RECOVERING
    assert alarm.tick(16.0) is None  # connected, but not started yet
    alarm.observe(AudioSignal(SignalKind.STARTED, "", "pulse"), 16.1)
    # libvlc resyncs the new output once: the quiet time starts again after it
    stall = AudioSignal(SignalKind.STALL, "playback way too late (678839)", "main")
    alarm.observe(stall, 16.4)
    alarm.observe(AudioSignal(SignalKind.STARTED, "", "pulse"), 16.9)
    assert alarm.tick(17.9) is None
    assert not alarm.retry_due(18.2)  # no retry while recovering
    back = alarm.tick(18.5)
    assert back == SoundBack("cap", 18.5 - 10.0)
    assert state_of(alarm) is SoundState.OK and alarm.lost_at is None


def test_a_reconnect_that_fails_again_stays_lost_and_retries() -> None:
    alarm = AudioAlarm(quiet_s=1.5, retry_every_s=2.0)
    assert isinstance(alarm.observe(lost_line("cannot write: Entity killed"), 5.0), SoundLost)
    alarm.observe(AudioSignal(SignalKind.CONNECTED, "cap", "pulse"), 7.0)
    assert alarm.observe(lost_line("cannot write: Entity killed"), 7.5) is None  # no 2nd alarm
    assert state_of(alarm) is SoundState.LOST
    assert alarm.tick(9.0) is None
    assert alarm.retry_due(9.6)


def test_stalls_alarm_only_when_they_keep_coming() -> None:
    alarm = AudioAlarm(stall_count=4, stall_window_s=1.5)
    stall = AudioSignal(SignalKind.STALL, "playback way too late", "main")
    # a film starting logs one or two of them: no alarm
    assert alarm.observe(stall, 0.9) is None and alarm.observe(stall, 1.4) is None
    assert alarm.observe(stall, 5.0) is None and alarm.observe(stall, 7.0) is None
    # stalls without "suspended": cuts, a loaded machine, a device not paced in real time
    assert [alarm.observe(stall, 10.0 + 0.1 * i) for i in range(10)] == [None] * 10
    # a suspended sink: "suspended", then a stall about every 0.25 s
    alarm.observe(signal(LOG_DEBUG, "pulse", "suspended"), 19.9)
    changes = [alarm.observe(stall, 20.0 + 0.25 * i) for i in range(4)]
    assert changes[:3] == [None, None, None] and isinstance(changes[3], SoundLost)
    assert "suspended" in changes[3].reason
    # resumed: libvlc logs "started", and no more stalls
    alarm.observe(AudioSignal(SignalKind.STARTED, "", "pulse"), 30.0)
    assert state_of(alarm) is SoundState.RECOVERING
    assert isinstance(alarm.tick(31.6), SoundBack)


def test_started_alone_does_not_end_a_hard_loss() -> None:
    alarm = AudioAlarm()
    alarm.observe(lost_line(), 1.0)
    alarm.observe(AudioSignal(SignalKind.STARTED, "", "pulse"), 2.0)
    assert state_of(alarm) is SoundState.LOST


def test_module_is_remembered_for_the_reconnect() -> None:
    alarm = AudioAlarm()
    alarm.observe(AudioSignal(SignalKind.MODULE, "pulse", "main"), 0.0)
    assert alarm.module == "pulse"


def test_with_nothing_playing_a_connection_that_holds_is_enough() -> None:
    alarm = AudioAlarm(quiet_s=1.5)
    gone = server_gone("PulseAudio, /run/user/1000/pulse/native")
    assert gone.kind is SignalKind.LOST and "does not answer" in gone.detail
    assert isinstance(alarm.observe(gone, 3.0), SoundLost)
    # the reconnect reaches the server again: libvlc logs "connected locally to ..."
    line = "connected locally to unix:/run/user/1000/pulse/native as client #1"
    connected = signal(LOG_DEBUG, "vlcpulse", line)
    assert connected == AudioSignal(SignalKind.CONNECTED, "", "vlcpulse")
    alarm.observe(connected, 8.0)
    assert alarm.tick(9.0, playing=False) is None
    assert alarm.tick(9.6, playing=True) is None  # a film started: it must prove the sound
    assert isinstance(alarm.tick(9.6, playing=False), SoundBack)


def test_the_probe_finds_the_socket_and_tells_a_dead_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert pulse_socket({"PULSE_SERVER": "unix:/tmp/x/native"}) == Path("/tmp/x/native")
    assert pulse_socket({"XDG_RUNTIME_DIR": "/run/user/7"}) == Path("/run/user/7/pulse/native")
    assert pulse_socket({"PULSE_SERVER": "tcp:192.168.1.4"}) is None
    assert pulse_socket({}) is None
    # a path relative to the test's folder: a unix address holds 107 bytes, and a deep TMPDIR
    # made tmp_path/"native" longer than that (the next test is the one about long paths)
    monkeypatch.chdir(tmp_path)
    path = Path("native")
    assert not pulse_answers(path)  # no socket at all
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    assert pulse_answers(path)
    server.close()  # the process died: the socket file stays, nobody accepts
    assert path.exists() and not pulse_answers(path)


def test_the_probe_reaches_a_server_whose_socket_path_is_too_long(tmp_path: Path) -> None:
    """PulseAudio (server and libpulse client alike) cuts a socket path longer than a unix
    address holds; the probe must meet it there, not call a live server dead."""
    folder = tmp_path / ("runtime-" + "x" * 120) / "pulse"
    folder.mkdir(parents=True)
    path = folder / "native"
    assert len(os.fsencode(path)) >= SUN_PATH_BYTES
    assert not pulse_answers(path)  # nothing there yet
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(os.fsencode(path)[: SUN_PATH_BYTES - 1])  # as pa_socket_server_new_unix binds
    server.listen(1)
    try:
        assert pulse_answers(path)
    finally:
        server.close()
    assert not pulse_answers(path)
