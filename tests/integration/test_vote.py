"""The Viewer's Award on a real event folder: the vote key, every refusal, one ballot per person,
the tally only with the passphrase(s), the reveal's result, and nothing on disk naming a choice."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.cli import cli
from kiosk.core.awards import build_plan
from kiosk.core.vote import BallotVerdict
from kiosk.services.vote import ViewerVote, VoteError
from kiosk.store.ballot_crypto import BALLOT_BYTES, VoteKeyError, vote_key_path
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.store.sealed_results import SealError
from tests.doors_helpers import reissue, repository
from tests.results_helpers import (
    JURY,
    KDF_N,
    PASSPHRASE,
    SECOND_PASSPHRASE,
    find_secrets,
    make_event,
    sealed_results,
)
from tests.vote_helpers import VOTE_FILMS, VotingEvent, make_voting_event, open_vote


def opened_desk(voting: VotingEvent) -> ViewerVote:
    desk = open_vote(voting.folder)
    desk.open_vote(10)
    return desk


def test_sealing_the_results_makes_the_vote_key(voting: VotingEvent) -> None:
    path = vote_key_path(voting.folder.root)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text())
    assert document["format"] == "aiff-vote-key" and len(document["wrapped_private_key"]) > 40
    entries = list(Journal(voting.folder.open_db()).entries("vote_key_sealed"))
    assert len(entries) == 1 and len(entries[0].data["fingerprint"]) == 16


def test_the_vote_cannot_open_without_sealed_results(tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event")
    with pytest.raises(VoteError, match="results seal"):
        open_vote(folder).open_vote()


def test_a_ballot_is_accepted_once_and_committed_before_the_answer(voting: VotingEvent) -> None:
    desk = opened_desk(voting)
    person = voting.admitted[0]
    outcome = desk.cast(voting.vote_code_of(person), "QZ-OTHER-06", "phone")
    assert outcome.accepted and outcome.ticket_code == person.code
    other = voting.folder.open_db()  # another connection sees it at once
    assert other.execute("SELECT count(*) FROM vote_ballots").fetchone()[0] == 1
    assert other.execute("SELECT channel FROM vote_voters").fetchone()[0] == "phone"
    sealed_ballot = other.execute("SELECT sealed FROM vote_ballots").fetchone()[0]
    assert len(sealed_ballot) == BALLOT_BYTES and b"QZ-OTHER-06" not in sealed_ballot
    # the same person again, by vote code or by ticket code: already voted
    again = desk.cast(voting.vote_code_of(person).lower(), "QZ-OTHER-07", "phone")
    assert again.verdict is BallotVerdict.ALREADY_VOTED
    assert desk.cast(person.code, "QZ-OTHER-07", "Station 1").verdict is (
        BallotVerdict.ALREADY_VOTED
    )
    assert desk.status().ballots == 1


def test_every_refusal(voting: VotingEvent) -> None:
    desk = open_vote(voting.folder)
    first, second = voting.admitted[0], voting.admitted[1]
    code = voting.vote_code_of(first)
    # before it opens: "not open yet", which is not "closed" (come back later, not too late)
    assert desk.cast(code, "QZ-OTHER-06", "phone").verdict is BallotVerdict.VOTE_NOT_OPEN
    desk.open_vote(10)
    assert desk.check(code).accepted  # a check records nothing
    assert desk.cast("ZZZZ-ZZZZ", "QZ-OTHER-06", "phone").verdict is BallotVerdict.INVALID_CODE
    assert desk.cast("hello", "QZ-OTHER-06", "phone").verdict is BallotVerdict.INVALID_CODE
    absent = voting.vote_code_of(voting.absent[0])
    assert desk.cast(absent, "QZ-OTHER-06", "phone").verdict is BallotVerdict.NOT_CHECKED_IN
    assert desk.cast(code, "NOT-A-FILM", "phone").verdict is BallotVerdict.UNKNOWN_FILM
    old_code = voting.vote_code_of(second)
    new_ticket = reissue(voting.folder, second)
    assert desk.cast(old_code, "QZ-OTHER-06", "phone").verdict is BallotVerdict.REVOKED
    assert desk.cast(new_ticket, "QZ-OTHER-06", "Station 1").accepted  # a new ticket works
    desk.close_vote()
    assert desk.cast(code, "QZ-OTHER-06", "phone").verdict is BallotVerdict.VOTE_CLOSED
    assert desk.status().ballots == 1
    refused = [e.data["verdict"] for e in Journal(voting.folder.open_db()).entries("vote_refused")]
    assert set(refused) >= {
        "vote_not_open",
        "vote_closed",
        "invalid_code",
        "not_checked_in",
        "revoked",
    }


def test_an_annulled_admission_cannot_vote(voting: VotingEvent) -> None:
    desk = opened_desk(voting)
    last = voting.admitted[-1]
    doors = repository(voting.folder)
    try:
        assert doors.undo_last("Door 1", dt.datetime.now(dt.UTC)) is not None
    finally:
        doors.close()
    verdict = desk.cast(voting.vote_code_of(last), "QZ-OTHER-06", "phone").verdict
    assert verdict is BallotVerdict.NOT_CHECKED_IN


def test_the_countdown_closes_the_vote(voting: VotingEvent) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    open_vote(voting.folder).open_vote(10)
    desk_later = open_vote(voting.folder, clock=lambda: later)
    outcome = desk_later.cast(voting.vote_code_of(voting.admitted[0]), "QZ-OTHER-06", "phone")
    assert outcome.verdict is BallotVerdict.VOTE_CLOSED
    assert desk_later.status().open is False


def cast_all(voting: VotingEvent, choices: list[str]) -> None:
    desk = opened_desk(voting)
    for person, film in zip(voting.admitted, choices, strict=False):
        assert desk.cast(voting.vote_code_of(person), film, "phone").accepted
    desk.close_vote()


def test_the_tally_opens_only_with_the_passphrase(voting: VotingEvent) -> None:
    cast_all(voting, ["QZ-OTHER-06", "QZ-OTHER-07", "QZ-OTHER-06", "QZ-NOM-03"])
    with pytest.raises(VoteKeyError, match="passphrase is wrong"):
        open_vote(voting.folder).count(["not the passphrase"])
    tally = open_vote(voting.folder).count([PASSPHRASE])
    assert tally.ballots == 4 and tally.winner == "QZ-OTHER-06"
    assert dict(tally.counts) == {"QZ-OTHER-06": 2, "QZ-OTHER-07": 1, "QZ-NOM-03": 1}


def test_two_keyholders_are_both_needed_to_count(tmp_path: Path) -> None:
    voting = make_voting_event(tmp_path / "event", passphrases=(PASSPHRASE, SECOND_PASSPHRASE))
    cast_all(voting, ["QZ-OTHER-07"])
    with pytest.raises(SealError):
        open_vote(voting.folder).count([PASSPHRASE])
    with pytest.raises(VoteKeyError):
        open_vote(voting.folder).count([PASSPHRASE, "someone else's"])
    assert open_vote(voting.folder).count([PASSPHRASE, SECOND_PASSPHRASE]).winner == "QZ-OTHER-07"


def test_the_reveal_gets_the_viewers_award_once_the_vote_is_closed(voting: VotingEvent) -> None:
    desk = opened_desk(voting)
    for person, film in zip(
        voting.admitted, ["QZ-OTHER-07", "QZ-OTHER-07", "QZ-OTHER-06"], strict=False
    ):
        assert desk.cast(voting.vote_code_of(person), film, "phone").accepted
    while_open = sealed_results(voting.folder).open_results([PASSPHRASE])
    assert while_open.for_category("viewers") is None  # still "result to follow"
    desk.close_vote()
    results = sealed_results(voting.folder).open_results([PASSPHRASE])
    viewers = results.for_category("viewers")
    assert viewers is not None and viewers.winner == "QZ-OTHER-07"
    assert viewers.nominees == ("QZ-OTHER-06", "QZ-OTHER-07")  # programme order
    assert viewers.citation_en == "2 of 3 votes (67%)."
    assert results.for_category("best-film") is not None  # the jury's results are all there
    # verifying the seal does not count the vote
    verified = sealed_results(voting.folder).open_results([PASSPHRASE], purpose="verify")
    assert verified.for_category("viewers") is None


def test_no_ballots_no_viewer_result(voting: VotingEvent) -> None:
    open_vote(voting.folder).open_vote(10)
    open_vote(voting.folder).close_vote()
    jury = sealed_results(voting.folder).open_results([PASSPHRASE], purpose="verify")
    assert (
        open_vote(voting.folder).with_viewer_result(jury, [PASSPHRASE]).for_category("viewers")
        is None
    )


def test_sealing_again_is_refused_once_ballots_exist(voting: VotingEvent, tmp_path: Path) -> None:
    cast_all(voting, ["QZ-OTHER-06"])
    jury = tmp_path / "jury-again.toml"
    jury.write_text(JURY, encoding="utf-8")
    before = vote_key_path(voting.folder.root).read_bytes()
    with pytest.raises(SealError, match="uncountable"):
        sealed_results(voting.folder).seal_results(jury, [PASSPHRASE], replace=True, kdf_n=KDF_N)
    assert vote_key_path(voting.folder.root).read_bytes() == before
    assert open_vote(voting.folder).count([PASSPHRASE]).ballots == 1


def test_nothing_in_the_event_folder_names_a_choice(voting: VotingEvent) -> None:
    """The secrecy scan of test_sealed_results, for the vote: the voted films appear nowhere."""
    cast_all(voting, ["QZ-OTHER-06", "QZ-OTHER-07", "QZ-OTHER-06", "QZ-NOM-03", "QZ-OTHER-06"])
    runner = CliRunner()
    status = runner.invoke(cli, ["--event", str(voting.folder.root), "vote", "status", "--json"])
    assert status.exit_code == 0, status.output
    assert "QZ-" not in status.output
    results = sealed_results(voting.folder).open_results([PASSPHRASE])
    assert results.for_category("viewers") is not None  # counted, in memory
    titles = ["Nobody Names This Film", "無人提及之片", "Another Unnamed Film", "另一部片"]
    assert find_secrets(voting.folder.root, [*VOTE_FILMS, *titles]) == []


def _run(folder: EventFolder, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--event", str(folder.root), *args])
    return result.exit_code, result.stdout


def test_vote_commands(voting: VotingEvent) -> None:
    folder = voting.folder
    code, out = _run(folder, "vote", "status", "--json")
    assert code == 0 and json.loads(out) == {
        "open": False,
        "phase": "not_open_yet",
        "ballots": 0,
        "checked_in": 6,
        "closes_at": None,
    }
    code, out = _run(folder, "vote", "cast", voting.admitted[0].code, "QZ-OTHER-06", "--json")
    assert code == 1 and json.loads(out)["reason"] == "vote_not_open"
    code, out = _run(folder, "vote", "open", "--minutes", "5")
    assert code == 0 and out.startswith("Vote OPEN (") and "0 ballot(s) from 6" in out
    code, out = _run(folder, "vote", "cast", voting.admitted[0].code, "QZ-OTHER-06", "--json")
    assert code == 0 and json.loads(out)["accepted"] is True and json.loads(out)["reason"] is None
    code, out = _run(
        folder, "vote", "cast", voting.vote_code_of(voting.admitted[0]), "QZ-OTHER-07", "--json"
    )
    assert code == 1 and json.loads(out)["reason"] == "already_voted"
    assert "已經投過票" in json.loads(out)["message_zh"]
    code, out = _run(folder, "vote", "status", "--json")
    status = json.loads(out)
    assert status["open"] is True and status["ballots"] == 1 and status["checked_in"] == 6
    code, out = _run(folder, "vote", "close")
    assert code == 0 and out.startswith("Vote closed: 1 ballot(s) from 6 checked in.")
    kinds = [e.kind for e in Journal(folder.open_db()).entries("vote_opened", "vote_closed")]
    assert kinds == ["vote_opened", "vote_closed"]


def test_attendees_list_gives_the_vote_code(voting: VotingEvent) -> None:
    exit_code, out = _run(voting.folder, "attendees", "list", "--json")
    assert exit_code == 0
    rows = json.loads(out)
    by_code = {row["code"]: row["vote_code"] for row in rows}
    person = voting.admitted[0]
    assert by_code[person.code] == voting.vote_code_of(person)
    assert len(by_code[person.code]) == 9 and by_code[person.code][4] == "-"


def test_the_reveal_plan_turns_result_to_follow_into_the_viewers_award(
    voting: VotingEvent,
) -> None:
    config = voting.folder.load_config()
    before = build_plan(config.awards, sealed_results(voting.folder).open_results([PASSPHRASE]))
    viewers_steps = [s.kind.value for s in before if s.award and s.award.id == "viewers"]
    assert viewers_steps == ["category", "pending"]
    cast_all(voting, ["QZ-OTHER-07", "QZ-OTHER-06", "QZ-OTHER-07"])
    after = build_plan(config.awards, sealed_results(voting.folder).open_results([PASSPHRASE]))
    viewers_steps = [s.kind.value for s in after if s.award and s.award.id == "viewers"]
    assert viewers_steps == ["category", "nominees", "envelope", "winner"]


def test_the_reveal_derives_the_keyholders_key_once(
    voting: VotingEvent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The results and the vote key open with one scrypt run per keyholder, not two."""
    cast_all(voting, ["QZ-OTHER-06"])
    derivations = []
    real_derive = Scrypt.derive

    def counting_derive(self: Scrypt, key_material: bytes) -> bytes:
        derivations.append(key_material)
        return real_derive(self, key_material)

    monkeypatch.setattr(Scrypt, "derive", counting_derive)
    results = sealed_results(voting.folder).open_results([PASSPHRASE])
    viewers = results.for_category("viewers")
    assert viewers is not None and viewers.winner == "QZ-OTHER-06"
    assert len(derivations) == 1
