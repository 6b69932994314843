"""The report of a real award reveal (sealed results, the console's Awards tab, GO by key):
the steps reached, by award and kind, and a winner only once the winner card was shown."""

from __future__ import annotations

import json

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.awards import StepKind
from kiosk.services.open_event import OpenEvent
from kiosk.store.event_folder import EventFolder
from tests.ui.reveal_helpers import (
    CITATION,
    current_kind,
    open_console_window,
    space,
    start_reveal,
    to_the_end_of_the_show,
)

pytestmark = [pytest.mark.vlc, pytest.mark.slow]


def test_the_report_follows_the_reveal_and_never_runs_ahead_of_it(
    qtbot: QtBot, sealed_event: EventFolder
) -> None:
    window = open_console_window(qtbot, sealed_event)
    to_the_end_of_the_show(window)
    panel = start_reveal(qtbot, window)
    qtbot.waitUntil(lambda: panel.active, timeout=60000)
    space(qtbot, window, 4)  # opening, Best Film, nominees, "and the award goes to"
    assert current_kind(panel) is StepKind.ENVELOPE

    service = OpenEvent.open(sealed_event).report()
    window.night.runner.settle()  # the show's journal is written on its own thread
    before = service.build().reveal
    assert [s.kind for s in before.steps] == ["opening", "category", "nominees", "envelope"]
    assert [s.award for s in before.steps] == [None, "best-film", "best-film", "best-film"]
    assert before.announced == ()  # the envelope is open, the winner not yet shown
    text = json.dumps(before.to_json(), ensure_ascii=False)
    assert "F11" not in text and CITATION not in text

    space(qtbot, window)  # the winner card
    assert current_kind(panel) is StepKind.WINNER
    window.night.runner.settle()
    after = service.build()
    assert after.reveal.announced == ("best-film",)
    assert after.reveal.opened is not None and after.reveal.total_steps
    assert "F11" not in json.dumps(after.reveal.to_json())  # award and step, never the film
    window.close()
