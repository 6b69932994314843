"""Stand-ins for logind and UPower on a private bus, speaking their real D-Bus interfaces.

logind and UPower cannot run here (no systemd, no power supply), so the tests serve the parts of
their interfaces the app and xscreensaver-systemd use, on a private dbus-daemon, from this
script run as its own process:

    python -m tests.system_services ADDRESS [--battery PERCENT] [--ac]
    python -m tests.system_services ADDRESS --desktop [--no-portal]

- `org.freedesktop.login1.Manager.Inhibit(ssss) -> h`: hands out the read end of a pipe, as
  logind does, and prints `INHIBIT what|who|why|mode` and, when the caller closes its end (or
  dies), `RELEASE what|who`.
- `org.freedesktop.UPower`: `OnBattery` on /org/freedesktop/UPower, and the display device
  (/org/freedesktop/UPower/devices/DisplayDevice) with `IsPresent`, `Type` (2, battery),
  `State` (1 charging / 2 discharging / 4 fully charged) and `Percentage`.

With `--desktop` it serves, on a session bus instead, the inhibitors of a GNOME desktop:
`org.freedesktop.portal.Inhibit.Inhibit(sua{sv}) -> o` (closed through
`org.freedesktop.portal.Request.Close` on the returned handle) and
`org.gnome.SessionManager.Inhibit(susu) -> u` / `Uninhibit(u)`; it prints `INHIBIT portal
flags|reason`, `INHIBIT gnome app|flags|reason`, and `RELEASE portal` / `RELEASE gnome COOKIE`.

It prints `READY` once it owns its names, and runs until killed.
"""

from __future__ import annotations

import argparse
import os
import selectors
import sys
from typing import Any

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

LOGIND = "org.freedesktop.login1"
PORTAL = "org.freedesktop.portal.Desktop"
GNOME_SESSION = "org.gnome.SessionManager"
UPOWER = "org.freedesktop.UPower"
DISPLAY_DEVICE = "/org/freedesktop/UPower/devices/DisplayDevice"


def upower_properties(battery: float | None, on_ac: bool) -> dict[str, dict[str, tuple[str, Any]]]:
    """The properties per object path, as `(signature, value)` variants."""
    present = battery is not None
    state = 4 if on_ac and (battery or 0) >= 99.5 else (1 if on_ac else 2)
    return {
        "/org/freedesktop/UPower": {
            "OnBattery": ("b", present and not on_ac),
            "DaemonVersion": ("s", "1.90.0 (test stand-in)"),
        },
        DISPLAY_DEVICE: {
            "IsPresent": ("b", present),
            "Type": ("u", 2 if present else 0),
            "State": ("u", state if present else 0),
            "Percentage": ("d", float(battery or 0.0)),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("--battery", type=float, default=None)
    parser.add_argument("--ac", action="store_true")
    parser.add_argument("--desktop", action="store_true")
    parser.add_argument("--no-portal", action="store_true")
    args = parser.parse_args()
    properties = upower_properties(args.battery, args.ac)
    connection = open_dbus_connection(bus=args.address, enable_fds=True)
    if args.desktop:
        names = [GNOME_SESSION] + ([] if args.no_portal else [PORTAL])
        properties = {}
    else:
        names = [LOGIND, UPOWER]
    for name in names:
        reply = connection.send_and_get_reply(message_bus.RequestName(name))
        assert reply.body[0] == 1, f"could not own {name}"
    print("READY", flush=True)
    selector = selectors.DefaultSelector()
    selector.register(connection.sock, selectors.EVENT_READ, "bus")
    inhibitors: dict[int, str] = {}
    while True:
        for key, _ in selector.select():
            if key.data == "bus":
                message = connection.receive()
                answer, passed_fd = _answer(message, properties, inhibitors, selector)
                if answer is not None:
                    connection.send(answer)
                if passed_fd is not None:
                    os.close(passed_fd)  # the caller has its own copy now
            else:  # a held inhibitor's write end: EOF when the holder closes it or dies
                fd = key.fileobj
                assert isinstance(fd, int)
                if not os.read(fd, 64):
                    selector.unregister(fd)
                    os.close(fd)
                    print(f"RELEASE {inhibitors.pop(fd)}", flush=True)


def _answer(
    message: Any,
    properties: dict[str, dict[str, tuple[str, Any]]],
    inhibitors: dict[int, str],
    selector: selectors.BaseSelector,
) -> tuple[Any, int | None]:
    """The reply to one message (None: no reply), and an fd to close once it is sent."""
    header = message.header
    if header.message_type != MessageType.method_call:
        return None, None
    path = header.fields.get(HeaderFields.path)
    interface = header.fields.get(HeaderFields.interface)
    member = header.fields.get(HeaderFields.member)
    if interface == f"{LOGIND}.Manager" and member == "Inhibit":
        what, who, why, mode = message.body
        keep, give = os.pipe()
        # logind's fd is the caller's end of a FIFO; here: the caller gets the write end of a
        # pipe and this process sees EOF on the read end when every copy of it is closed
        inhibitors[keep] = f"{what}|{who}|{why}|{mode}"
        selector.register(keep, selectors.EVENT_READ, "inhibitor")
        print(f"INHIBIT {what}|{who}|{why}|{mode}", flush=True)
        return new_method_return(message, "h", (give,)), give
    if interface == "org.freedesktop.portal.Inhibit" and member == "Inhibit":
        _window, flags, options = message.body
        reason = options.get("reason", ("s", ""))[1]
        handle = f"/org/freedesktop/portal/desktop/request/1_{header.serial}/t"
        print(f"INHIBIT portal {flags}|{reason}", flush=True)
        return new_method_return(message, "o", (handle,)), None
    if interface == "org.freedesktop.portal.Request" and member == "Close":
        print(f"RELEASE portal {path}", flush=True)
        return new_method_return(message), None
    if interface == GNOME_SESSION and member == "Inhibit":
        app, _xid, reason, flags = message.body
        print(f"INHIBIT gnome {app}|{flags}|{reason}", flush=True)
        return new_method_return(message, "u", (100 + header.serial,)), None
    if interface == GNOME_SESSION and member == "Uninhibit":
        print(f"RELEASE gnome {message.body[0]}", flush=True)
        return new_method_return(message), None
    if interface == "org.freedesktop.DBus.Properties" and path in properties:
        if member == "Get":
            _, name = message.body
            if name in properties[path]:
                return new_method_return(message, "v", (properties[path][name],)), None
            error = "org.freedesktop.DBus.Error.UnknownProperty"
            return new_error(message, error, "s", (name,)), None
        if member == "GetAll":
            return new_method_return(message, "a{sv}", (properties[path],)), None
    error = "org.freedesktop.DBus.Error.UnknownMethod"
    return new_error(message, error, "s", (f"{interface}.{member}",)), None


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
