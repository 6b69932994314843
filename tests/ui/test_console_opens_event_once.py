"""The console opens its event in one place: a real console start, with a spy on the store's
event-folder open functions (config, programme, ticket key, database connections).

Every panel gets its service from the one :class:`~kiosk.services.open_event.OpenEvent`; no
widget and no panel's service opens the folder again: not the vote's (opening and closing the
vote), not the reveal launcher's seal check, not the booth checklist's seal line.
"""

from __future__ import annotations

import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.services.open_event import OpenEvent
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.doors_panel import DoorsFiguresPanel
from kiosk.ui.console.registrations_view import RegistrationsView
from kiosk.ui.console.reveal_panel import RevealPanel
from kiosk.ui.console.stations_panel import StationsPanel
from kiosk.ui.console.vote_panel import VotePanel

OPEN_FUNCTIONS = ("load_config", "load_programme", "secret_key", "open_db")
KIOSK = Path(__file__).resolve().parents[2] / "kiosk"
FOLDER_MODULE = KIOSK / "store" / "event_folder.py"


def _caller() -> str:
    """The kiosk module (relative to kiosk/) that called into the event folder."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        path = Path(frame.filename)
        if path.is_relative_to(KIOSK) and path != FOLDER_MODULE:
            return path.relative_to(KIOSK).as_posix()
    return "?"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """(function, calling module) of every event-folder open while the test runs."""
    calls: list[tuple[str, str]] = []
    lock = threading.Lock()

    def spy(name: str) -> None:
        original: Callable[..., Any] = getattr(EventFolder, name)

        def spied(self: EventFolder, *args: Any, **kwargs: Any) -> Any:
            with lock:
                calls.append((name, _caller()))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(EventFolder, name, spied)

    for name in OPEN_FUNCTIONS:
        spy(name)
    opens: list[EventFolder] = []
    original_open = OpenEvent.open.__func__  # type: ignore[attr-defined]

    def open_spy(cls: type[OpenEvent], folder: EventFolder) -> OpenEvent:
        opens.append(folder)
        event: OpenEvent = original_open(cls, folder)
        return event

    monkeypatch.setattr(OpenEvent, "open", classmethod(open_spy))
    yield calls
    assert len(opens) == 1, f"the console opened its event {len(opens)} times"


def _answered(panel: RegistrationsView | StationsPanel) -> bool:
    return not panel.busy


def _vote_answered(panel: VotePanel) -> bool:
    return not panel.busy and panel.state.text() != ""


def _read(panel: RevealPanel) -> bool:
    return not panel.busy


def _counted(panel: DoorsFiguresPanel) -> bool:
    return panel._values["registered"].text() == "40"  # the demo's 40 registrations


def test_the_console_opens_its_event_in_one_place(
    qtbot: QtBot, demo_event: EventFolder, opened: list[tuple[str, str]]
) -> None:
    make_application()
    window, _ = open_console(demo_event)
    qtbot.addWidget(window)
    window.show()
    tabs = window.tabs
    for index in range(tabs.count()):  # every panel on screen: each reads what it shows
        tabs.setCurrentIndex(index)
        widget = tabs.widget(index)
        if isinstance(widget, RegistrationsView | StationsPanel):
            qtbot.waitUntil(partial(_answered, widget), timeout=30000)
        if isinstance(widget, DoorsFiguresPanel):
            qtbot.waitUntil(partial(_counted, widget), timeout=30000)
        if isinstance(widget, VotePanel):  # the vote opened and closed through its service
            qtbot.waitUntil(partial(_vote_answered, widget), timeout=30000)
            for button in (widget.open_button, widget.close_button):
                qtbot.waitUntil(button.isEnabled, timeout=30000)
                button.click()
                qtbot.waitUntil(partial(_vote_answered, widget), timeout=30000)
            qtbot.waitUntil(widget.open_button.isEnabled, timeout=30000)
            assert widget.state.text() == "Voting has closed · 投票已經結束"
        if isinstance(widget, RevealPanel):  # the launcher checks the seal (no passphrase)
            widget.refresh_status()
            qtbot.waitUntil(partial(_read, widget), timeout=30000)
            assert "award(s)" in widget.seal_text.text(), widget.seal_text.text()
    checklist = window.open_event.check_booth()  # what the checklist dialog (K) gathers
    assert {line.id for line in checklist.lines} >= {"films", "seal", "vote_key", "clock"}
    window.close()  # the panels' workers finish what they were asked, then close
    qtbot.waitUntil(lambda: not window.isVisible())

    by_place = Counter(opened)
    print("event-folder opens during a console start:", dict(sorted(by_place.items())))
    places = {place for _, place in opened}
    assert places == {"services/open_event.py"}, by_place
    for name in ("load_config", "load_programme", "secret_key"):  # read once, kept open
        assert by_place[(name, "services/open_event.py")] == 1, by_place
    assert by_place[("open_db", "services/open_event.py")] >= 4  # one per thread that reads
