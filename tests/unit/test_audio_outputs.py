"""The audio picker offers real outputs by name (issue #23 item 1), from libvlc's lists as a
laptop really gives them: ALSA's PCMs and plugins, or PulseAudio/PipeWire's sinks."""

from __future__ import annotations

from kiosk.core.audio_outputs import AudioOutput, audio_outputs

# libvlc's ALSA output on a laptop with Intel HDA (analogue + 3 HDMI) and a USB interface
ALSA = [
    ("null", "Discard all samples (playback) or generate zero samples (capture)"),
    ("lavrate", "Rate Converter Plugin Using Libav/FFmpeg Library"),
    ("samplerate", "Rate Converter Plugin Using Samplerate Library"),
    ("speexrate", "Rate Converter Plugin Using Speex Resampler"),
    ("jack", "JACK Audio Connection Kit"),
    ("oss", "Open Sound System"),
    ("pulse", "PulseAudio Sound Server"),
    ("upmix", "Plugin for channel upmix (4,6,8)"),
    ("vdownmix", "Plugin for channel downmix (stereo) with a simple spacialization"),
    ("default", "Default ALSA Output (currently PulseAudio Sound Server)"),
    ("hw:CARD=PCH,DEV=0", "HDA Intel PCH, ALC3246 Analog\nDirect hardware device"),
    ("plughw:CARD=PCH,DEV=0", "HDA Intel PCH, ALC3246 Analog\nHardware device with conversions"),
    ("sysdefault:CARD=PCH", "HDA Intel PCH, ALC3246 Analog\nDefault Audio Device"),
    ("front:CARD=PCH,DEV=0", "HDA Intel PCH, ALC3246 Analog\nFront output / input"),
    ("surround51:CARD=PCH,DEV=0", "HDA Intel PCH, ALC3246 Analog\n5.1 Surround output"),
    ("dmix:CARD=PCH,DEV=0", "HDA Intel PCH, ALC3246 Analog\nDirect sample mixing device"),
    ("hdmi:CARD=PCH,DEV=0", "HDA Intel PCH, HDMI 0\nHDMI Audio Output"),
    ("hdmi:CARD=PCH,DEV=1", "HDA Intel PCH, HDMI 1\nHDMI Audio Output"),
    ("plughw:CARD=PCH,DEV=3", "HDA Intel PCH, HDMI 0\nHardware device with conversions"),
    ("front:CARD=Device,DEV=0", "USB Audio Device, USB Audio\nFront output / input"),
    ("usbstream:CARD=Device", "USB Audio Device\nUSB Stream Output"),
]
# libvlc's PulseAudio output (PipeWire's pulse server answers the same): the sinks
PULSE = [
    ("alsa_output.pci-0000_00_1f.3.analog-stereo", "Built-in Audio Analog Stereo"),
    ("alsa_output.pci-0000_00_1f.3.hdmi-stereo", "Built-in Audio Digital Stereo (HDMI)"),
    ("alsa_output.usb-Focusrite_Scarlett-00.analog-stereo", "Scarlett 2i2 Analog Stereo"),
    ("cap", "Hall speakers"),
]


def test_alsa_plugins_are_not_offered() -> None:
    names = [o.name for o in audio_outputs(ALSA, None)]
    assert names == [
        "HDA Intel PCH, HDMI 0",
        "HDA Intel PCH, HDMI 1",
        "HDA Intel PCH, ALC3246 Analog",
        "USB Audio Device, USB Audio",
    ]
    devices = {o.device for o in audio_outputs(ALSA, None)}
    assert devices == {
        "hdmi:CARD=PCH,DEV=0",
        "hdmi:CARD=PCH,DEV=1",
        "front:CARD=PCH,DEV=0",
        "front:CARD=Device,DEV=0",
    }


def test_sinks_keep_their_friendly_names_and_the_current_one_is_marked() -> None:
    outputs = audio_outputs(PULSE, "cap")
    assert [o.name for o in outputs] == [
        "Built-in Audio Analog Stereo",
        "Built-in Audio Digital Stereo (HDMI)",
        "Scarlett 2i2 Analog Stereo",
        "Hall speakers",
    ]
    assert [o.in_use for o in outputs] == [False, False, False, True]
    assert outputs[3].label == "Hall speakers   ● in use · 使用中"


def test_a_chosen_device_that_went_away_is_shown_as_missing() -> None:
    outputs = audio_outputs(PULSE[:1], "alsa_output.usb-gone.analog-stereo")
    assert outputs[-1] == AudioOutput(
        "alsa_output.usb-gone.analog-stereo",
        "alsa_output.usb-gone.analog-stereo (not found now · 找不到)",
        True,
    )


def test_only_plugins_means_no_output() -> None:
    assert audio_outputs([d for d in ALSA if ":" not in d[0]], None) == []
    assert audio_outputs([], None) == []
