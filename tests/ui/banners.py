"""Put the console's banners up as the night would: a failed film, a restored show, no sound."""

from __future__ import annotations

from kiosk.ui.console.window import ConsoleWindow

LONG_RESTORE = (
    "Restored after an interruption: film 12 · The Last Lantern of the Harbour at 3:21. Held "
    "paused — GO continues from there; Start over goes back to the holding slide."
)


def fail_current_film(window: ConsoleWindow) -> None:
    show = window.night.show
    assert show is not None
    show.jump_to("film:A1")
    show.players.failed.emit("A1", "cannot decode the file (damaged or truncated at 0:41)")


def hold_as_restored(window: ConsoleWindow) -> None:
    """Film 1 held paused with the "restored" banner, as after a restart mid-film."""
    show = window.night.show
    assert show is not None
    show.jump_to("film:A1")
    show.toggle_pause()
    window.offer_resume(LONG_RESTORE)


def lose_sound(window: ConsoleWindow) -> None:
    """The "No sound" banner up, as when the audio device fails mid-film."""
    window.sound_banner.sound_lost(
        "Built-in Audio Analog Stereo (alsa_output.pci-0000_00_1f.3.analog-stereo)",
        "cannot write: Connection terminated",
    )
