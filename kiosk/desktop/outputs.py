"""The compositor's own names for the screens (GNOME/mutter), and which one it made primary.

On a Wayland session the app's windows run on XWayland, whose screens are called `XWAYLAND0`,
`XWAYLAND1`… in an order that can change from one login to the next. The names a person sees
in *Settings → Displays* and that stay put are the compositor's connectors (`HDMI-1`, `eDP-1`;
`Meta-0` for mutter's virtual monitors). mutter tells them, with each logical monitor's position
and which is primary, through `org.gnome.Mutter.DisplayConfig.GetCurrentState`; XWayland places
its screens at the same positions, so a position names the same screen on both sides.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kiosk.desktop.dbus import DBusCallError, connected

log = logging.getLogger(__name__)

DISPLAY_CONFIG = (
    "org.gnome.Mutter.DisplayConfig",
    "/org/gnome/Mutter/DisplayConfig",
    "org.gnome.Mutter.DisplayConfig",
)


@dataclass(frozen=True)
class CompositorOutput:
    """One logical monitor as the compositor has it."""

    connector: str  # e.g. "HDMI-1"
    x: int
    y: int
    primary: bool


def read_mutter_outputs(bus_address: str = "SESSION") -> list[CompositorOutput]:
    """mutter's logical monitors (empty when mutter does not answer: not GNOME, no bus)."""
    with connected(bus_address) as bus:
        if bus is None or not bus.has_owner(DISPLAY_CONFIG[0]):
            return []
        try:
            _serial, _monitors, logical, _properties = bus.call(*DISPLAY_CONFIG, "GetCurrentState")
        except DBusCallError as exc:
            log.warning("mutter's display layout could not be read: %s", exc)
            return []
    found = []
    for x, y, _scale, _transform, primary, monitors, _props in logical:
        for connector, *_ in monitors:  # mirrored monitors share a position
            found.append(CompositorOutput(str(connector), int(x), int(y), bool(primary)))
    log.info(
        "compositor outputs: %s",
        ", ".join(f"{o.connector}@{o.x},{o.y}{' (primary)' if o.primary else ''}" for o in found),
    )
    return found


def screen_aliases(
    outputs: Sequence[CompositorOutput], screens: Mapping[str, tuple[int, int]]
) -> dict[str, str]:
    """Compositor connector name -> the app's screen name, matched by position.

    `screens` maps each of the app's screen names to its top-left corner."""
    by_position = {position: name for name, position in screens.items()}
    return {
        output.connector: by_position[(output.x, output.y)]
        for output in outputs
        if (output.x, output.y) in by_position
    }
