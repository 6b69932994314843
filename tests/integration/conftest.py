"""Fixtures the integration tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.tickets import TicketCodec
from kiosk.services.registrations import import_registrations
from kiosk.store.event_folder import EventFolder
from tests.conftest import write_event
from tests.results_helpers import JURY
from tests.results_helpers import make_event as make_results_event
from tests.ticket_helpers import NAMES
from tests.vote_helpers import VotingEvent, make_voting_event


@pytest.fixture
def registered_event(tmp_path: Path) -> EventFolder:
    """An event with people of hard names (CJK, long, accented) registered, tickets issued."""
    folder = write_event(tmp_path / "event", [])
    lines = ["Name,Email,English name"]
    lines += [f'"{name}",person{i}@example.com,{latin}' for i, (name, latin) in enumerate(NAMES)]
    export = tmp_path / "people.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_registrations(folder.open_db(), TicketCodec(folder.secret_key()), export)
    return folder


@pytest.fixture
def voting(tmp_path: Path) -> VotingEvent:
    """An event ready to vote: results sealed, people with tickets, some admitted at the door."""
    return make_voting_event(tmp_path / "event")


@pytest.fixture
def results_event(tmp_path: Path) -> EventFolder:
    """An event of the sealing tests' programme (kept next to the folder, not in it), nothing
    sealed yet (tests/results_helpers.py has its jury and passphrases)."""
    return make_results_event(tmp_path / "event")


@pytest.fixture
def jury(tmp_path: Path) -> Path:
    """The jury's plain results file for `results_event` (to be sealed, then deleted)."""
    path = tmp_path / "jury.toml"
    path.write_text(JURY, encoding="utf-8")
    return path
