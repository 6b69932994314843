"""A small blocking D-Bus client over `jeepney` (pure Python): call a method, ask whether a name
has an owner, read a property. Every call has a timeout; errors come back as `DBusCallError`.

Used when the console or a door window opens and closes (inhibitors) and by the checklist, never
while a film cue waits on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jeepney import DBusAddress, DBusErrorResponse, MessageType, Properties, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 2.0


class DBusCallError(RuntimeError):
    """A bus could not be reached, or a method call failed or timed out."""


class Bus:
    """One open connection to a bus ("SESSION", "SYSTEM" or an address such as
    `unix:path=/run/user/1000/bus`). Keep it open as long as something must stay held: the
    services drop a client's inhibitors when its connection closes (or its process dies)."""

    def __init__(self, address: str, *, enable_fds: bool = False) -> None:
        self.address = address
        try:
            self._connection: DBusConnection = open_dbus_connection(
                bus=address, enable_fds=enable_fds
            )
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise DBusCallError(f"no D-Bus {address.lower()} bus: {exc}") from exc

    def call(
        self,
        destination: str,
        path: str,
        interface: str,
        method: str,
        signature: str | None = None,
        body: tuple[Any, ...] = (),
    ) -> tuple[Any, ...]:
        """Call a method and return its reply's values."""
        address = DBusAddress(path, bus_name=destination, interface=interface)
        message = new_method_call(address, method, signature, body)
        try:
            reply = self._connection.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
            values = unwrap(reply)
        except DBusErrorResponse as exc:
            raise DBusCallError(f"{interface}.{method}: {exc.name}: {exc.data}") from exc
        except (OSError, TimeoutError) as exc:
            raise DBusCallError(f"{interface}.{method}: {exc or 'timed out'}") from exc
        return tuple(values)

    def has_owner(self, name: str) -> bool:
        """Whether a service owns `name` on this bus now."""
        try:
            reply = self._connection.send_and_get_reply(
                message_bus.NameHasOwner(name), timeout=CALL_TIMEOUT_S
            )
            return bool(unwrap(reply)[0])
        except (DBusErrorResponse, OSError, TimeoutError):
            return False

    def get_property(self, destination: str, path: str, interface: str, name: str) -> Any:
        """One property's value (a `(signature, value)` variant unwrapped)."""
        address = DBusAddress(path, bus_name=destination, interface=interface)
        try:
            reply = self._connection.send_and_get_reply(
                Properties(address).get(name), timeout=CALL_TIMEOUT_S
            )
            variant = unwrap(reply)[0]
        except DBusErrorResponse as exc:
            raise DBusCallError(f"{interface}.{name}: {exc.name}: {exc.data}") from exc
        except (OSError, TimeoutError) as exc:
            raise DBusCallError(f"{interface}.{name}: {exc or 'timed out'}") from exc
        return variant[1]

    def close(self) -> None:
        """Close the connection (the services release what this client held)."""
        self._connection.close()


def unwrap(reply: Any) -> tuple[Any, ...]:
    """The body of a method return; raises `DBusErrorResponse` for an error reply."""
    if reply.header.message_type == MessageType.error:
        raise DBusErrorResponse(reply)
    return tuple(reply.body)


@contextmanager
def connected(address: str) -> Iterator[Bus | None]:
    """A connection for a few reads (None when the bus is not there); closed after."""
    try:
        bus = Bus(address)
    except DBusCallError as exc:
        log.debug("%s", exc)
        yield None
        return
    try:
        yield bus
    finally:
        bus.close()
