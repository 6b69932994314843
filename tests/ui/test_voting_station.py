"""A door station in voting mode: scan a ticket, tap a film, confirm, thanks; refusals said in
both languages; F9 switches a real door window to voting and back, scans following it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kiosk.core.vote import BallotOutcome, BallotVerdict
from kiosk.services.voting_backend import BallotFilm
from kiosk.station.remote_vote import UNCONFIRMED, VoteUnconfirmedError
from kiosk.ui.app import make_application
from kiosk.ui.doors.app import open_doors
from kiosk.ui.doors.voting_station import Phase, StationModes, VotingStationWindow
from tests.vote_helpers import make_voting_event, open_vote


def phase(window: VotingStationWindow) -> Phase:
    """The station's phase, read fresh (mypy would otherwise keep the last one it saw)."""
    return window.phase


def shown(modes: StationModes) -> QWidget:
    """The window the station shows now."""
    return modes.current


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_scan_tap_confirm_thanks(qtbot: QtBot, tmp_path: Path) -> None:
    make_application()  # the stations' dark theme
    voting = make_voting_event(tmp_path / "event")
    desk = open_vote(voting.folder)
    desk.open_vote(10)
    window = VotingStationWindow(desk, "Station 2")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()

    window.handle_code(voting.absent[0].code)
    assert phase(window) is Phase.SCAN
    assert "未有入場記錄" in window.message.text() and "not admitted" in window.message.text()

    person = voting.admitted[0]
    window.handle_code(person.code)
    assert phase(window) is Phase.CHOOSE and len(window.film_buttons) == 7
    window.grab().save(str(tmp_path / "station-films.png"))
    window.film_buttons["QZ-OTHER-07"].click()
    assert phase(window) is Phase.CONFIRM and "Another Unnamed Film" in window.choice.text()
    window.grab().save(str(tmp_path / "station-confirm.png"))
    window.confirm_button.click()
    assert phase(window) is Phase.THANKS
    channel = voting.folder.open_db().execute("SELECT channel FROM vote_voters").fetchone()[0]
    assert channel == "Station 2" and desk.status().ballots == 1
    qtbot.waitUntil(lambda: phase(window) is Phase.SCAN, timeout=6000)

    window.handle_code(person.code)  # the same ticket again
    assert phase(window) is Phase.SCAN and "already voted" in window.message.text()
    window.grab().save(str(tmp_path / "station-already.png"))
    print(f"\nvoting station screenshots in {tmp_path}")


def test_cancel_records_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event")
    desk = open_vote(voting.folder)
    desk.open_vote(10)
    window = VotingStationWindow(desk, "Station 2")
    qtbot.addWidget(window)
    window.handle_code(voting.admitted[1].code)
    window.film_buttons["QZ-NOM-03"].click()
    window.back_button.click()
    assert phase(window) is Phase.CHOOSE
    window.reset()
    assert phase(window) is Phase.SCAN and desk.status().ballots == 0


def test_f9_switches_a_door_station_to_voting(qtbot: QtBot, tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event")
    open_vote(voting.folder).open_vote(10)
    doors = open_doors(voting.folder, "Door 3", with_camera=False, with_sound=False)
    qtbot.addWidget(doors)

    def show(widget: QWidget) -> None:
        widget.show()

    modes = StationModes(
        doors, lambda: VotingStationWindow(open_vote(voting.folder), "Door 3"), show
    )
    doors.show()
    modes.toggle()
    voting_window = modes.voting
    assert voting_window is not None and shown(modes) is voting_window
    qtbot.addWidget(voting_window)
    modes.handle_code(voting.admitted[2].code, "scan")
    assert phase(voting_window) is Phase.CHOOSE  # the scan went to the voting station
    voting_window.reset()
    modes.toggle()
    assert shown(modes) is doors and not voting_window.isVisible()
    with qtbot.waitSignal(doors.answered, timeout=10000):  # the desk answers off the GUI thread
        modes.handle_code(voting.absent[1].code, "scan")  # now a check-in
    assert doors.last_result is not None and doors.last_result.verdict.value == "admitted"


class FlakyServer:
    """A voting backend whose first ballot gets no answer (the reply lost), then answers."""

    def __init__(self) -> None:
        self.casts: list[tuple[str, str]] = []

    def ballot_films(self) -> tuple[BallotFilm, ...]:
        return (BallotFilm("F01", 1, "最後的燈籠", "The Last Lantern", "Chan Ka-yan"),)

    def check(self, text: str) -> BallotOutcome:
        return BallotOutcome(BallotVerdict.ACCEPTED)

    def cast(self, text: str, film_id: str, channel: str) -> BallotOutcome:
        self.casts.append((text, film_id))
        if len(self.casts) == 1:
            raise VoteUnconfirmedError(UNCONFIRMED, "nonce-1")
        return BallotOutcome(BallotVerdict.ACCEPTED)

    def close_database(self) -> None:
        pass


def test_an_unconfirmed_ballot_stays_on_the_confirmation(qtbot: QtBot) -> None:
    server = FlakyServer()
    window = VotingStationWindow(server, "Vote 1")
    qtbot.addWidget(window)
    window.handle_code("AIFF-00001-XXXX")
    window.film_buttons["F01"].click()
    window.confirm_button.click()
    assert phase(window) is Phase.CONFIRM  # not thanked: the vote is not confirmed
    assert "NOT confirmed" in window.message.text() and "未能確認" in window.message.text()
    window.confirm_button.click()  # again: the backend re-sends the same nonce
    assert phase(window) is Phase.THANKS and server.casts == [("AIFF-00001-XXXX", "F01")] * 2


class ManyFilms:
    """35 films with long titles in both languages, no stills."""

    def ballot_films(self) -> tuple[BallotFilm, ...]:
        zh, en = "部電影：一個相當長的中文片名", "A Rather Long English Title Number"
        return tuple(
            BallotFilm(f"F{n:02d}", n, f"第{n}{zh}", f"{en} {n}", "") for n in range(1, 36)
        )

    def check(self, text: str) -> BallotOutcome:
        return BallotOutcome(BallotVerdict.ACCEPTED)

    def cast(self, text: str, film_id: str, channel: str) -> BallotOutcome:
        return BallotOutcome(BallotVerdict.ACCEPTED)

    def close_database(self) -> None:
        pass


def test_35_long_titles_fit_their_tiles_on_a_laptop(qtbot: QtBot, tmp_path: Path) -> None:
    make_application()
    window = VotingStationWindow(ManyFilms(), "Vote 1")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.handle_code("AIFF-00001-XXXX")
    qtbot.waitUntil(lambda: window.film_buttons["F35"].titles.width() > 0)
    window.grab().save(str(tmp_path / "voting-35-films-1366x768.png"))
    for button in window.film_buttons.values():
        titles = button.titles
        assert titles.height() >= titles.heightForWidth(titles.width())  # no line cut off
        assert button.width() >= 380 and button.height() >= 96  # three across, big targets
