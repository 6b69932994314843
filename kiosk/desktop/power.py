"""Is the laptop on mains power, and how full is its battery? UPower over D-Bus, else /sys.

UPower's display device (`/org/freedesktop/UPower/devices/DisplayDevice`) is the desktop's own
summary of all batteries; `OnBattery` on `/org/freedesktop/UPower` says whether mains power is
gone. Where UPower does not run, `/sys/class/power_supply` has the same facts: `Mains`/`USB`
supplies with `online`, batteries with `capacity` and `status`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.desktop.dbus import DBusCallError, connected

log = logging.getLogger(__name__)

LOW_BATTERY_PERCENT = 30.0
SYSFS_POWER = Path("/sys/class/power_supply")
UPOWER = "org.freedesktop.UPower"
UPOWER_PATH = "/org/freedesktop/UPower"
DISPLAY_DEVICE = "/org/freedesktop/UPower/devices/DisplayDevice"
UPOWER_DEVICE = "org.freedesktop.UPower.Device"
UPOWER_BATTERY_TYPE = 2


@dataclass(frozen=True)
class PowerState:
    """The laptop's power, as far as it could be read."""

    on_battery: bool | None  # None: unknown (no UPower, nothing in /sys)
    battery_percent: float | None  # None: no battery (a desktop) or unknown
    source: str  # "upower", "sysfs" or "none"

    @property
    def low(self) -> bool:
        """Below LOW_BATTERY_PERCENT."""
        return self.battery_percent is not None and self.battery_percent < LOW_BATTERY_PERCENT

    @property
    def needs_attention(self) -> bool:
        """On battery, or low: the console's power banner is up."""
        return bool(self.on_battery) or self.low

    def describe(self) -> str:
        """E.g. `on battery, 42%` / `on mains power, battery 97%` / `power unknown`."""
        if self.on_battery is None:
            return "power unknown"
        where = "on battery" if self.on_battery else "on mains power"
        if self.battery_percent is None:
            return where
        return f"{where}, battery {self.battery_percent:.0f}%"


def read_upower(bus_address: str = "SYSTEM") -> PowerState | None:
    """From UPower on the system bus; None when it is not there."""
    with connected(bus_address) as bus:
        if bus is None or not bus.has_owner(UPOWER):
            return None
        try:
            on_battery = bool(bus.get_property(UPOWER, UPOWER_PATH, UPOWER, "OnBattery"))
            present = bool(bus.get_property(UPOWER, DISPLAY_DEVICE, UPOWER_DEVICE, "IsPresent"))
            kind = int(bus.get_property(UPOWER, DISPLAY_DEVICE, UPOWER_DEVICE, "Type"))
            percent = float(bus.get_property(UPOWER, DISPLAY_DEVICE, UPOWER_DEVICE, "Percentage"))
        except DBusCallError as exc:
            log.warning("UPower could not be read: %s", exc)
            return None
    battery = percent if present and kind == UPOWER_BATTERY_TYPE else None
    return PowerState(on_battery, battery, "upower")


def read_sysfs(root: Path = SYSFS_POWER) -> PowerState:
    """From /sys/class/power_supply (the kernel's view); `source` "none" when it has nothing."""
    mains_online: list[bool] = []
    batteries: list[tuple[float, str]] = []
    if root.is_dir():
        for supply in sorted(root.iterdir()):
            kind = _read(supply / "type")
            if kind in ("Mains", "USB", "USB_C", "USB_PD"):
                online = _read(supply / "online")
                if online in ("0", "1"):
                    mains_online.append(online == "1")
            elif kind == "Battery" and _read(supply / "scope") != "Device":
                capacity = _read(supply / "capacity")
                if capacity.isdigit():
                    batteries.append((float(capacity), _read(supply / "status")))
    if not mains_online and not batteries:
        return PowerState(None, None, "none")
    percent = min(p for p, _ in batteries) if batteries else None
    if mains_online:
        on_battery = not any(mains_online)
    else:  # no mains supply listed: the battery's own status says
        on_battery = any(status == "Discharging" for _, status in batteries)
    return PowerState(on_battery, percent, "sysfs")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""


def read_power(bus_address: str = "SYSTEM", sysfs: Path = SYSFS_POWER) -> PowerState:
    """UPower if it answers, else /sys (a few file reads and one D-Bus round trip: call it
    off the GUI thread)."""
    return read_upower(bus_address) or read_sysfs(sysfs)
