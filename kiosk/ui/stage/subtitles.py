"""libvlc's own subtitle rendering, in a Traditional Chinese font: the alternative to captions.

Two ways to put a sidecar SRT on the projector; use one, not both:
* `StageWindow.set_subtitle(line)`: the controller times the lines and the stage shows each in
  an opaque black box (`caption.CaptionBox`) -- a transparent Qt overlay cannot be composited
  over libvlc's native window on X11 without a compositor, an opaque box can;
* libvlc draws the SRT itself on the picture (outlined text, no box), following pause and seek
  exactly and scaling with the film: pass `libvlc_subtitle_args()` to the instance and add the
  file with `add_slave` (below). Measured under
Xvfb (tests/integration/test_stage_video.py): with `--freetype-font=Noto Sans CJK TC` the
punctuation takes the Hong Kong/Taiwan forms (centred 。 and ：); with VLC's default font it
falls back to Japanese/Simplified forms (。 in the corner).

The player adapter passes `libvlc_subtitle_args()` to `create_instance(extra=...)` and adds the
film's SRT with `media_player.add_slave(vlc.MediaSlaveType.subtitle, path.as_uri(), True)`.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

from kiosk.render.fonts import CJK_FAMILIES

DEFAULT_SUBTITLE_FONT = "Noto Sans CJK TC"


def subtitle_font_family() -> str:
    """The installed font libvlc should draw subtitles with (Traditional Chinese first)."""
    installed = set(QFontDatabase.families())
    return next((family for family in CJK_FAMILIES if family in installed), DEFAULT_SUBTITLE_FONT)


def libvlc_subtitle_args(family: str | None = None) -> tuple[str, ...]:
    """libvlc instance options for readable bilingual subtitles on the projector."""
    return (
        f"--freetype-font={family or subtitle_font_family()}",
        "--freetype-outline-thickness=4",  # a dark edge keeps white text readable on any frame
        "--sub-margin=40",  # lift the lines off the bottom edge of the picture
    )
