"""The vote desk lets go of the event database: the connection is closed, its file released.

Counted on the real thing: this process's open file descriptors on `event.db` (`/proc/self/fd`).
"""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.store.event_folder import EventFolder
from tests.vote_helpers import VotingEvent, open_vote

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def open_handles(database: Path) -> int:
    """How many file descriptors of this process are open on `database` (not its -wal/-shm)."""
    gc.collect()  # connections dropped without closing would close here: count only real ones
    target = str(database.resolve())
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                count += 1
        except OSError:
            continue
    return count


def test_disconnect_closes_the_desks_connection(voting: VotingEvent) -> None:
    database = voting.folder.db_path
    before = open_handles(database)
    desk = open_vote(voting.folder)
    assert desk.status().checked_in == len(voting.admitted)
    kept = [desk]  # the desk is alive: its connection is open
    assert open_handles(database) == before + 1
    desk.close_database()
    desk.close_database()  # twice is fine
    assert open_handles(database) == before
    assert kept


def test_with_block_disconnects(voting: VotingEvent) -> None:
    database = voting.folder.db_path
    before = open_handles(database)
    with open_vote(voting.folder) as desk:
        desk.open_vote(10)
        assert open_handles(database) == before + 1
        alive = desk
    assert open_handles(database) == before
    assert alive.folder == voting.folder


def test_the_voting_station_closes_its_desk_with_its_window(
    qtbot: QtBot, voting: VotingEvent
) -> None:
    from kiosk.ui.doors.voting_station import VotingStationWindow

    database = voting.folder.db_path
    before = open_handles(database)
    window = VotingStationWindow(open_vote(voting.folder), "Door 3")
    qtbot.addWidget(window)
    window.show()
    assert open_handles(database) == before + 1
    window.close()
    assert open_handles(database) == before  # the window lives on; its connection does not


def test_the_console_closes_its_vote_desk_when_it_closes(
    qtbot: QtBot, small_event: EventFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Viewer's vote tab opens its vote on its worker (never on the GUI thread) and that
    connection is closed when the console closes."""
    from kiosk.services.open_event import OpenEvent
    from kiosk.services.vote import ViewerVote
    from kiosk.ui.app import make_application, open_console

    opened: dict[str, ViewerVote] = {}
    viewer_vote = OpenEvent.viewer_vote

    def recorded(event: OpenEvent, *args: Any, **kwargs: Any) -> ViewerVote:
        vote = viewer_vote(event, *args, **kwargs)
        opened[threading.current_thread().name] = vote
        return vote

    monkeypatch.setattr(OpenEvent, "viewer_vote", recorded)
    make_application()
    window, _reporter = open_console(small_event)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "vote-panel" in opened)
    assert "MainThread" not in opened
    opened["vote-panel"].status()
    window.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
        opened["vote-panel"].status()


def test_the_door_workers_close_their_connections(
    qtbot: QtBot, voting: VotingEvent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console's Doors tab and the door window read on workers with a connection each: the
    workers close them when they stop. (Counting file descriptors cannot tell here: SQLite keeps
    a closed connection's descriptor while another connection of the process holds the file.)"""
    from kiosk.services.door_backend import DoorBackend
    from kiosk.services.open_event import OpenEvent
    from kiosk.ui.console.doors_panel import DoorsFiguresPanel
    from kiosk.ui.doors.app import doors_window

    event = OpenEvent.open(voting.folder)
    opened: dict[str, DoorBackend] = {}
    door_checkins = event.door_checkins

    def recorded() -> DoorBackend:
        repo = door_checkins()
        opened[threading.current_thread().name] = repo
        return repo

    monkeypatch.setattr(event, "door_checkins", recorded)
    panel = DoorsFiguresPanel(event.door_checkins)
    qtbot.addWidget(panel)
    window = doors_window(event, "Door 3", with_camera=False, with_sound=False)
    qtbot.addWidget(window)
    workers = (panel.worker, window.context.writer, window.context.reader)
    for worker in workers:
        assert worker is not None
        worker.submit(lambda repo: repo.figures(), lambda _figures: None, lambda _error: None)
        assert worker.wait_idle()
    assert set(opened) == {"MainThread", "doors-figures", "door-writer", "door-reader"}
    for worker in workers:
        assert worker is not None
        worker.shutdown()
        with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
            opened[worker.name].figures()
    assert opened["MainThread"].figures().registered > 0  # the window's own lives on
