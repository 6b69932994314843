"""The chosen audio device reaches every libvlc player of the show's sound, the sting's included
(its player is made at its first play, and gets a new output when the sound is reconnected).
Logic only, on a recording stand-in for libvlc; the real thing is heard through PulseAudio in
tests/ui/test_chosen_output_heard.py."""

from __future__ import annotations

from pathlib import Path

from kiosk.media.output_device import ChosenDevice
from kiosk.media.sting import StingPlayer


class RecordingPlayer:
    """A libvlc media player that records what it was told (a list shared with its maker)."""

    def __init__(self, calls: list[tuple[object, ...]], refuse_output: bool = False) -> None:
        self.calls = calls
        self.refuse_output = refuse_output

    def audio_output_device_set(self, module: str | None, device: str) -> None:
        self.calls.append(("device", module, device))

    def audio_output_set(self, module: str) -> int:
        self.calls.append(("output", module))
        return -1 if self.refuse_output else 0

    def set_media(self, media: object) -> None:
        self.calls.append(("media",))

    def audio_set_volume(self, volume: int) -> int:
        return 0

    def play(self) -> int:
        self.calls.append(("play",))
        return 0

    def stop(self) -> None:
        self.calls.append(("stop",))

    def release(self) -> None:
        pass


class RecordingMedia:
    def release(self) -> None:
        pass


class RecordingInstance:
    """A libvlc instance whose players all record into `calls`."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.players = 0

    def media_player_new(self) -> RecordingPlayer:
        self.players += 1
        self.calls.append(("new",))
        return RecordingPlayer(self.calls)

    def media_new(self, path: str) -> RecordingMedia:
        return RecordingMedia()


def test_nothing_is_chosen_until_a_device_is() -> None:
    calls: list[tuple[object, ...]] = []
    device = ChosenDevice()
    device.apply(RecordingPlayer(calls))
    device.reopen(RecordingPlayer(calls), "")
    assert calls == []


def test_a_reopened_output_gets_the_device_again_even_when_refused() -> None:
    calls: list[tuple[object, ...]] = []
    device = ChosenDevice()
    device.choose("hall", [])
    device.reopen(RecordingPlayer(calls, refuse_output=True), "pulse")
    assert calls == [("output", "pulse"), ("device", None, "hall")]


def test_the_sting_made_after_the_choice_plays_on_the_chosen_device(tmp_path: Path) -> None:
    instance = RecordingInstance()
    sting = StingPlayer(instance, tmp_path / "sting.wav")
    sting.set_audio_device("hall")
    assert instance.calls == []  # no player yet: made at the first play
    sting.play(80)
    assert instance.calls == [("new",), ("device", None, "hall"), ("media",), ("play",)]


def test_the_sting_follows_a_new_choice_and_a_reconnect(tmp_path: Path) -> None:
    instance = RecordingInstance()
    sting = StingPlayer(instance, tmp_path / "sting.wav")
    sting.play(100)
    sting.set_audio_device("hdmi")
    sting.reopen_audio("pulse")
    sting.play(100)
    assert instance.players == 1  # restarted with set_media, never made again
    assert instance.calls == [
        ("new",),
        ("media",),
        ("play",),
        ("device", None, "hdmi"),
        ("output", "pulse"),
        ("device", None, "hdmi"),
        ("media",),
        ("play",),
    ]
