"""The console's Viewer's vote tab on the demo night: open the vote (journalled), the voting
slide goes up over the holding slide and comes down on close, turnout follows ballots cast
elsewhere, and no count per film appears anywhere on it."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from kiosk.render.cards import HoldingCard
from kiosk.render.vote_card import VoteCard
from kiosk.services.vote import ViewerVote, VoteStatus
from kiosk.store.checkins import CheckinRepository
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.vote_panel import VotePanel
from kiosk.ui.stage.window import StageWindow
from tests.vote_helpers import open_vote


def test_open_vote_slide_turnout_close(
    qtbot: QtBot, demo_event: EventFolder, tmp_path: Path
) -> None:
    make_application()
    window, _ = open_console(demo_event)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    tabs: QTabWidget = window.tabs
    panel = next(
        tabs.widget(i) for i in range(tabs.count()) if isinstance(tabs.widget(i), VotePanel)
    )
    assert isinstance(panel, VotePanel)
    tabs.setCurrentWidget(panel)
    stage = window.night.projector.stage
    assert isinstance(stage, StageWindow)
    assert isinstance(stage.cards.card, HoldingCard)
    # before it opens the vote is "not open yet", in both languages (not "closed"); the state
    # is read on the panel's worker
    qtbot.waitUntil(lambda: panel.state.text() == "Voting has not opened yet · 投票尚未開始")

    panel.minutes.setValue(7)
    panel.open_button.click()
    assert not panel.open_button.isEnabled()  # asked: the screen confirms once committed
    qtbot.waitUntil(lambda: not panel.busy, timeout=10000)
    assert panel.state.text().startswith("Voting is open · 7:00 left · 投票進行中 · 尚餘 7:00") or (
        panel.state.text().startswith("Voting is open · 6:59 left")
    )
    assert isinstance(stage.cards.card, VoteCard)
    entries = list(Journal(demo_event.open_db()).entries("vote_opened"))
    assert len(entries) == 1 and entries[0].data["minutes"] == 7

    # someone is admitted and votes through another process: turnout follows, nothing more
    config = demo_event.load_config()
    code = next(
        demo_event.open_db().query("SELECT code FROM tickets WHERE revoked_at IS NULL LIMIT 1")
    )["code"]
    door = CheckinRepository.for_event(demo_event, config)
    assert door.scan(code, "Door 1", "scan", dt.datetime.now(dt.UTC)).verdict.value == "admitted"
    film = demo_event.load_programme(config).films[0]
    assert open_vote(demo_event).cast(code, film.id, "Station 1").accepted
    qtbot.waitUntil(
        lambda: panel.turnout.text().startswith("1 ballots / 1 checked in"), timeout=5000
    )
    window.grab().save(str(tmp_path / "vote-console.png"))
    shown = " ".join(label.text() for label in (panel.state, panel.turnout, panel.address))
    assert film.id not in shown and film.title_en not in shown

    panel.close_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10000)
    assert panel.state.text() == "Voting has closed · 投票已經結束"
    assert isinstance(stage.cards.card, HoldingCard)
    assert [e.kind for e in Journal(demo_event.open_db()).entries("vote_closed")] == ["vote_closed"]
    print(f"\nconsole screenshot: {tmp_path / 'vote-console.png'}")
    window.close()


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_turnout_is_read_off_the_gui_thread_and_only_while_seen(
    qtbot: QtBot, demo_event: EventFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GUI thread belongs to the show: the vote tab's turnout is read on its worker, every
    second only while the tab is on screen (or the voting slide is up)."""
    reads: list[str] = []
    status = ViewerVote.status

    def recorded(vote: ViewerVote) -> VoteStatus:
        reads.append(threading.current_thread().name)
        return status(vote)

    monkeypatch.setattr(ViewerVote, "status", recorded)
    make_application()
    window, _ = open_console(demo_event)
    qtbot.addWidget(window)
    window.show()
    panel = window.findChildren(VotePanel)[0]
    qtbot.waitUntil(lambda: not panel.busy)
    assert window.tabs.currentWidget() is not panel
    unseen = len(reads)  # the first read, when the panel was built
    time.sleep(2.5)
    qtbot.waitUntil(lambda: not panel.busy)
    assert len(reads) == unseen, "the turnout was read while nobody could see it"
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: len(reads) >= unseen + 2, timeout=5000)
    assert set(reads) == {"vote-panel"}, reads
    window.close()
