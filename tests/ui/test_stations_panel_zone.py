"""The console's Stations tab reads times on the event's clock, not the laptop's.

A console laptop left on another zone (a visiting technician's, or UTC after a reinstall)
must show the same "until 20:00" and "last seen 19:58" that the doors and the log show.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.services.station_console import ConflictRow, PairingCode, ServerStatus, StationRow
from tests.ui.conftest import StationsPanelFactory

AT = dt.datetime(2026, 12, 5, 11, 58, 30, tzinfo=dt.UTC)  # 19:58:30 in Hong Kong


class _Stations:
    """A server with one station and one conflict, all at AT."""

    def status(self) -> ServerStatus:
        return ServerStatus(True, "https://192.0.2.10:8443", "ab" * 32, True)

    def start_server(self, port: int | None = None) -> None:
        del port

    def start_if_stations_paired(self) -> bool:
        return False

    def __init__(self) -> None:
        # a code is valid 2 minutes from now (an expired one is taken off the screen)
        self.expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=2)

    def pair(self, name: str) -> PairingCode:
        return PairingCode(name, "aiff-pair://192.0.2.10:8443/x", self.expires)

    def stations(self) -> list[StationRow]:
        return [StationRow("Door 2", "active", AT, "192.0.2.22")]

    def revoke(self, name: str) -> bool:
        del name
        return False

    def conflicts(self) -> list[ConflictRow]:
        return [ConflictRow("double", "陳大文", "AIFF-1", "Door 1", AT, "Door 2", AT)]

    def close(self) -> None:
        pass


@pytest.fixture
def laptop_in_new_york() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("laptop_in_new_york")
def test_times_are_on_the_events_clock(
    qtbot: QtBot, stations_panel_factory: StationsPanelFactory
) -> None:
    stations = _Stations()
    panel = stations_panel_factory(lambda: stations, ZoneInfo("Asia/Hong_Kong"))
    panel.refresh()
    panel.name_entry.setText("Door 3")
    panel.make_pairing()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10000)  # the service runs on the worker
    until = stations.expires.astimezone(ZoneInfo("Asia/Hong_Kong")).strftime("%H:%M:%S")
    assert f"until {until}" in panel.expiry_line.text()
    seen = panel.table.item(0, 2)
    assert seen is not None and seen.text() == "19:58:30"
    item = panel.conflicts.item(0)
    assert item is not None and "Door 1 19:58" in item.text() and "Door 2 19:58" in item.text()
