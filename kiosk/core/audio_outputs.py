"""Which of libvlc's audio "devices" are real outputs, and what to call them.

libvlc lists whatever its audio output module offers. Through PulseAudio/PipeWire that is the
sinks, with their friendly descriptions ("Built-in Audio Analog Stereo", "HDMI / DisplayPort 2
Output"). Through ALSA it is every PCM of the ALSA configuration: the real cards, but also
plugins that are not places a film's sound can go — "null" (throws the sound away), "lavrate"
(a rate converter), "upmix", "jack", "oss", and a dozen views of each card (`dmix:`,
`surround51:`, `hw:`...). A projectionist in a hurry must only be offered real outputs, by
name, with the one in use marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# ALSA PCMs that are the card's output itself, best first: one entry per card and device
_ALSA_OUTPUT_PREFIXES = ("hdmi:", "front:", "iec958:", "plughw:")
# ALSA plugins and virtual PCMs: never a place a film's sound should go
_ALSA_PLUGINS = frozenset(
    {
        "null", "default", "sysdefault", "lavrate", "samplerate", "speexrate", "speex",
        "upmix", "vdownmix", "jack", "oss", "pulse", "pipewire", "dmix", "dsnoop", "a52",
        "usbstream", "hw", "plughw", "plug", "file", "tee",
    }
)  # fmt: skip


@dataclass(frozen=True)
class AudioOutput:
    """One place the films' sound can go, as the projectionist should see it."""

    device: str  # libvlc's device id, passed back to `audio_output_device_set`
    name: str  # e.g. "HDMI · HDA Intel PCH, HDMI 0", "Hall speakers"
    in_use: bool = False

    @property
    def label(self) -> str:
        """The name, marked when this is where the sound goes now."""
        return f"{self.name}   ● in use · 使用中" if self.in_use else self.name


def _kind(device: str, description: str) -> str:
    text = f"{device} {description}".lower()
    if "hdmi" in text or "displayport" in text:
        return "HDMI"
    if "usb" in text:
        return "USB"
    if "bluez" in text or "bluetooth" in text:
        return "Bluetooth"
    if "iec958" in text or "s/pdif" in text or "spdif" in text:
        return "S/PDIF"
    return ""


def _first_line(device: str, description: str) -> str:
    lines = [line.strip() for line in description.splitlines() if line.strip()]
    return lines[0] if lines else device


def _alsa_card(device: str) -> str | None:
    """ "PCH" for "hdmi:CARD=PCH,DEV=3"; None for a PCM without a card."""
    _, _, spec = device.partition(":")
    for part in spec.split(","):
        key, _, value = part.partition("=")
        if key == "CARD":
            return value
    return None


def audio_outputs(devices: Sequence[tuple[str, str]], current: str | None) -> list[AudioOutput]:
    """Real outputs from libvlc's (device, description) list, friendly names, `current` marked.

    Sinks keep their description. ALSA keeps one PCM per card and device (HDMI, the analogue
    front, S/PDIF, else `plughw`), named by the first line of its description; plugins and
    card-less PCMs are dropped. A `current` device no longer listed is kept, marked missing.
    """
    found: list[AudioOutput] = []
    listed = [(device, _first_line(device, description)) for device, description in devices]
    if not any("CARD=" in device for device, _ in devices):  # sinks of PulseAudio/PipeWire
        found = [
            AudioOutput(device, name, device == current)
            for device, name in listed
            if device.partition(":")[0] not in _ALSA_PLUGINS
        ]
    else:  # ALSA: one PCM per card and device, the best view of it
        alsa_seen: set[tuple[str, str]] = set()  # (card, name): hdmi:DEV=0 is plughw:DEV=3
        for prefix in _ALSA_OUTPUT_PREFIXES:
            for (device, description), (_, name) in zip(devices, listed, strict=True):
                card = _alsa_card(device) if device.startswith(prefix) else None
                if card is None or (card, name) in alsa_seen:
                    continue
                alsa_seen.add((card, name))
                kind = _kind(device, description)
                shown = f"{kind} · {name}" if kind and kind not in name else name
                found.append(AudioOutput(device, shown, device == current))
    if current and not any(output.device == current for output in found):
        found.append(AudioOutput(current, f"{current} (not found now · 找不到)", True))
    return found
