"""Did libvlc open a window of its own? Decided from one libvlc log line (plain Python).

The stage hands libvlc an X11 window to draw into. When libvlc cannot use it, it says so in its
log and opens its own window instead, silently for everyone else: the film plays in a decorated
"VLC media player" window on the laptop screen while the projector keeps the holding slide.
Measured (libvlc 3.0.24, mutter 43 headless, Qt on its Wayland plugin so `winId()` is a pointer):

- `xcb_window` error "bad X11 window 0x8807ccb0", then `using vout window module "xcb_window"`:
  its own top-level X window (through XWayland);
- with no X display at all: "parent window not available" from `gl`/`gles2`, "window not
  available" from `xcb`, then the text-mode `caca` output (which then crashed the process);
- a Wayland window of its own would be the `xdg-shell` / `wl_shell` window module.

On X11 and XWayland with the stage's window id, none of these lines appear.
"""

from __future__ import annotations

import re

# libvlc_log_level
LOG_ERROR = 4

_BAD_WINDOW = re.compile(r"bad X11 window")
_OWN_WINDOW_MODULE = re.compile(r'using vout window module "(xdg-shell|wl_shell|wl-shell)"')
_TEXT_OUTPUT = re.compile(r'using vout display module "(caca|aa|fb)"')
_NO_PARENT = re.compile(r"(parent )?window not available")


def own_window_reason(level: int, module: str, message: str) -> str | None:
    """Why this log line means the film is not in the stage's window (None: it says nothing
    about that)."""
    if _BAD_WINDOW.search(message):
        return (
            f"libvlc could not draw into the projector window ({message.strip()}) and opened "
            "its own window"
        )
    found = _OWN_WINDOW_MODULE.search(message)
    if found:
        return f"libvlc opened its own Wayland window ({found.group(1)})"
    found = _TEXT_OUTPUT.search(message)
    if found:
        return f"libvlc fell back to the text-mode video output '{found.group(1)}'"
    if level >= LOG_ERROR and module in {"xcb", "gl", "gles2"} and _NO_PARENT.search(message):
        return "libvlc found no window to draw into (no X display)"
    return None
