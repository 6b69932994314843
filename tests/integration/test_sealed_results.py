"""Sealing the jury's results into a real event folder, checking the seal, opening it."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.awards import JuryResults, parse_jury_results
from kiosk.core.problems import ConfigError
from kiosk.services import results as sealed
from kiosk.services.demo import DEMO_PASSPHRASE, DEMO_RESULTS_FILE
from kiosk.store.event_folder import EventFolder
from kiosk.store.journal import Journal
from kiosk.store.sealed_results import (
    DEFAULT_KDF_N,
    SealDamagedError,
    SealError,
    SealExistsError,
    SealTamperedError,
    WrongPassphraseError,
    read_seal,
    unseal,
)
from tests.doors_helpers import repository as door_repository
from tests.doors_helpers import seed_people
from tests.results_helpers import (
    CITATIONS,
    FILMS,
    JURY,
    KDF_N,
    PASSPHRASE,
    SECOND_PASSPHRASE,
    VIEWERS,
    find_secrets,
    make_event,
    programme_path,
    sealed_results,
    write_programme,
)
from tests.vote_helpers import open_vote

VOTE_KEY_PROGRESS = "Sealing the Viewer's Award vote key with the same passphrase(s)…"
WRONG_ONE = "Wrong passphrase: the seal is intact, but this passphrase does not open it."
WRONG_TWO = (
    "Wrong passphrase: the seal is intact, but one or both passphrases do not open it "
    "(keyholder 1's passphrase is asked first, then keyholder 2's)."
)


def seal(
    results_event: EventFolder, jury: Path, *passphrases: str, replace: bool = False
) -> sealed.SealSummary:
    return sealed_results(results_event).seal_results(
        jury, list(passphrases or [PASSPHRASE]), replace=replace, kdf_n=KDF_N
    )


def expected_results(results_event: EventFolder, jury: Path) -> JuryResults:
    config = results_event.load_config()
    return parse_jury_results(
        jury.read_text(encoding="utf-8"), jury, config, results_event.load_programme(config)
    )


def tamper(path: Path, change: str, value: object = None) -> None:
    """Edit one field of the seal file as an attacker with a text editor would."""
    data = json.loads(path.read_text())
    if change == "ciphertext":
        raw = bytearray(base64.b64decode(data["ciphertext"]))
        raw[len(raw) // 2] ^= 0x01
        data["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    else:
        data[change] = value
    path.write_text(json.dumps(data, indent=2))


def test_round_trip_one_keyholder(results_event: EventFolder, jury: Path) -> None:
    progress: list[str] = []
    summary = sealed_results(results_event).seal_results(
        jury, [PASSPHRASE], kdf_n=KDF_N, progress=progress.append
    )
    derive = "Deriving the key (scrypt, 16 MiB)…"
    assert progress == [derive, VOTE_KEY_PROGRESS]
    path = results_event.sealed_results_path
    assert (summary.path, summary.categories, summary.keyholders) == (
        path,
        ("best-film", "frontier"),
        1,
    )
    assert not summary.replaced
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(results_event.root.glob(".results.sealed.*"))  # no temp file left behind

    entries = list(Journal(results_event.open_db()).entries(sealed.RESULTS_SEALED))
    assert [e.data for e in entries] == [
        {
            "categories": 2,
            "keyholders": 1,
            "fingerprint": summary.fingerprint,
            "replaced": False,
            "replaced_fingerprint": None,
        }
    ]
    assert entries[0].subject is None

    report = sealed_results(results_event).verify_seal()
    assert report.ok, report.problems
    assert (report.sealed, report.intact, report.opened, report.programme_changed) == (
        True,
        True,
        False,
        False,
    )
    assert report.warnings == [
        "sealed with a test-strength key derivation (scrypt, 16 MiB): seal again without "
        "--kdf-n for the real night"
    ]
    opened_report = sealed_results(results_event).verify_seal([PASSPHRASE])
    assert opened_report.ok and opened_report.opened, opened_report.problems

    results = sealed_results(results_event).open_results([PASSPHRASE])
    assert results == expected_results(results_event, jury)
    assert sealed_results(results_event).sealed_categories() == ("best-film", "frontier")
    assert sealed_results(results_event).keyholders() == 1
    opened = [e.data for e in Journal(results_event.open_db()).entries(sealed.RESULTS_OPENED)]
    assert opened == [
        {"purpose": "verify", "categories": 2},
        {"purpose": "reveal", "categories": 2},
    ]


def test_round_trip_with_the_default_key_derivation_cost(
    results_event: EventFolder, jury: Path
) -> None:
    progress: list[str] = []
    sealed_results(results_event).seal_results(jury, [PASSPHRASE], progress=progress.append)
    derive = "Deriving the key (scrypt, 128 MiB)…"
    assert progress == [derive, VOTE_KEY_PROGRESS]
    header = json.loads(results_event.sealed_results_path.read_text())
    assert header["kdf"] == {
        "name": "scrypt",
        "n": DEFAULT_KDF_N,
        "r": 8,
        "p": 1,
        "salts": header["kdf"]["salts"],
    }
    assert DEFAULT_KDF_N == 2**17
    assert sealed_results(results_event).verify_seal().warnings == []
    assert sealed_results(results_event).open_results([PASSPHRASE]) == expected_results(
        results_event, jury
    )


def test_the_file_format_is_documented_json(results_event: EventFolder, jury: Path) -> None:
    seal(results_event, jury)
    data = json.loads(results_event.sealed_results_path.read_text())
    assert list(data) == [
        "format",
        "version",
        "sealed_at",
        "keyholders",
        "kdf",
        "cipher",
        "categories",
        "programme_digest",
        "nonce",
        "ciphertext",
    ]
    assert (data["format"], data["version"], data["cipher"]) == (
        "aiff-sealed-results",
        1,
        "AES-256-GCM",
    )
    assert data["categories"] == ["best-film", "frontier"]
    assert len(base64.b64decode(data["nonce"])) == 12
    assert len(base64.b64decode(data["kdf"]["salts"][0])) == 16
    # padded to 512 bytes (+16 for the GCM tag): the size says little about the citations
    assert len(base64.b64decode(data["ciphertext"])) % 512 == 16


def test_round_trip_two_keyholders(results_event: EventFolder, jury: Path) -> None:
    progress: list[str] = []
    summary = sealed_results(results_event).seal_results(
        jury, [PASSPHRASE, SECOND_PASSPHRASE], kdf_n=KDF_N, progress=progress.append
    )
    assert summary.keyholders == 2
    both = [
        "Deriving keyholder 1's key (scrypt, 16 MiB)…",
        "Deriving keyholder 2's key (scrypt, 16 MiB)…",
    ]
    assert progress == [*both, VOTE_KEY_PROGRESS]
    assert len(json.loads(results_event.sealed_results_path.read_text())["kdf"]["salts"]) == 2
    assert sealed_results(results_event).keyholders() == 2
    results = sealed_results(results_event).open_results([PASSPHRASE, SECOND_PASSPHRASE])
    assert results == expected_results(results_event, jury)

    with pytest.raises(WrongPassphraseError) as wrong_second:
        sealed_results(results_event).open_results([PASSPHRASE, "not the second one"])
    assert str(wrong_second.value) == WRONG_TWO
    with pytest.raises(WrongPassphraseError):
        sealed_results(results_event).open_results([SECOND_PASSPHRASE, PASSPHRASE])  # swapped
    with pytest.raises(SealError) as only_one:
        sealed_results(results_event).open_results([PASSPHRASE])
    assert str(only_one.value) == ("this seal needs 2 passphrases (one per keyholder); 1 given")
    report = sealed_results(results_event).verify_seal([PASSPHRASE, "not the second one"])
    assert not report.ok and not report.opened
    assert report.problems == [WRONG_TWO]


def test_wrong_passphrase(results_event: EventFolder, jury: Path) -> None:
    seal(results_event, jury)
    with pytest.raises(WrongPassphraseError) as caught:
        sealed_results(results_event).open_results(["correct horse battery "])  # one space too many
    assert str(caught.value) == WRONG_ONE
    report = sealed_results(results_event).verify_seal(["nope nope nope"])
    assert (report.ok, report.intact, report.opened) == (False, True, False)
    assert report.problems == [WRONG_ONE]
    assert not list(Journal(results_event.open_db()).entries(sealed.RESULTS_OPENED))


def test_passphrases_fit_to_seal_with(results_event: EventFolder, jury: Path) -> None:
    with pytest.raises(SealError) as short:
        sealed_results(results_event).seal_results(jury, ["short"], kdf_n=KDF_N)
    assert str(short.value) == (
        "the passphrase is too short: use at least 8 characters "
        "(a few words are easier to type and to remember)"
    )
    with pytest.raises(SealError) as short_second:
        sealed_results(results_event).seal_results(jury, [PASSPHRASE, "1234567"], kdf_n=KDF_N)
    assert str(short_second.value).startswith("keyholder 2's is too short")
    with pytest.raises(SealError) as same:
        sealed_results(results_event).seal_results(jury, [PASSPHRASE, PASSPHRASE], kdf_n=KDF_N)
    assert str(same.value) == "the two keyholders' passphrases must be different"
    assert not results_event.sealed_results_path.exists()


def test_tampered_ciphertext_is_detected(results_event: EventFolder, jury: Path) -> None:
    seal(results_event, jury)
    tamper(results_event.sealed_results_path, "ciphertext")
    path = results_event.sealed_results_path
    message = (
        f"{path} has been changed or replaced since it was sealed (its fingerprint is not the "
        f"one recorded in the journal at sealing). Do not trust it: ask the jury for their "
        f"results again and seal them with --replace."
    )
    report = sealed_results(results_event).verify_seal()
    assert (report.ok, report.sealed, report.intact) == (False, True, False)
    assert report.problems == [message]
    with pytest.raises(SealTamperedError) as caught:
        sealed_results(results_event).open_results([PASSPHRASE])
    assert str(caught.value) == message
    # even with the right passphrase, verify --open does not open a changed file
    assert not sealed_results(results_event).verify_seal([PASSPHRASE]).opened


def test_the_encryption_itself_catches_a_change_without_the_journal(
    results_event: EventFolder, jury: Path
) -> None:
    """The fingerprint tells tampering from a wrong passphrase; AES-GCM catches it anyway."""
    seal(results_event, jury)
    path = results_event.sealed_results_path
    original = path.read_bytes()
    assert unseal(read_seal(path), [PASSPHRASE], recorded_fingerprint=None)  # no record: opens
    for change, value in (("ciphertext", None), ("categories", ["best-film"]), ("sealed_at", "")):
        tamper(path, change, value)
        with pytest.raises(SealError) as caught:
            unseal(read_seal(path), [PASSPHRASE], recorded_fingerprint=None)
        assert type(caught.value) is SealError
        assert str(caught.value) == (
            f"{path} did not open: either a passphrase is wrong or the file was changed, and "
            f"this event's journal has no record of the sealing to tell which"
        )
        path.write_bytes(original)


def test_tampered_header_is_detected(results_event: EventFolder, jury: Path) -> None:
    seal(results_event, jury)
    tamper(
        results_event.sealed_results_path, "categories", ["best-film"]
    )  # hide the frontier award
    report = sealed_results(results_event).verify_seal()
    assert not report.intact
    assert report.categories == ("best-film",)
    assert report.problems[0].startswith(
        f"{results_event.sealed_results_path} has been changed or replaced since it was sealed"
    )
    assert "the jury award 'frontier' has no sealed result" in report.problems
    with pytest.raises(SealTamperedError):
        sealed_results(results_event).open_results([PASSPHRASE])


def test_a_replaced_file_is_detected(
    results_event: EventFolder, jury: Path, tmp_path: Path
) -> None:
    seal(results_event, jury)
    other = make_event(tmp_path / "other")
    seal(other, jury, "the impostor's passphrase")
    results_event.sealed_results_path.write_bytes(other.sealed_results_path.read_bytes())
    report = sealed_results(results_event).verify_seal()
    assert (report.ok, report.intact) == (False, False)
    assert "changed or replaced since it was sealed" in report.problems[0]
    with pytest.raises(SealTamperedError):
        sealed_results(results_event).open_results(["the impostor's passphrase"])


def test_a_damaged_or_newer_file(results_event: EventFolder, jury: Path) -> None:
    seal(results_event, jury)
    path = results_event.sealed_results_path
    original = path.read_bytes()
    path.write_text("{ not json")
    assert sealed_results(results_event).verify_seal().problems == [
        f"{path} is damaged or is not a sealed-results file: not JSON"
    ]
    with pytest.raises(SealDamagedError):
        sealed_results(results_event).open_results([PASSPHRASE])
    data = json.loads(original)
    path.write_text(json.dumps({**data, "version": 2}))
    assert sealed_results(results_event).verify_seal().problems == [
        f"{path} was sealed by a newer version of this app (format version 2; this app reads "
        f"version 1). Update the app."
    ]
    path.write_text(json.dumps({**data, "kdf": {**data["kdf"], "n": 2**30}}))
    assert sealed_results(results_event).verify_seal().problems == [
        f"{path} is damaged or is not a sealed-results file: "
        f"the key derivation's cost is out of range"
    ]


def test_no_seal(results_event: EventFolder) -> None:
    message = (
        f"No sealed results at {results_event.sealed_results_path}: seal the jury's file with "
        f"`python main.py results seal FILE`."
    )
    report = sealed_results(results_event).verify_seal()
    assert (report.ok, report.sealed, report.categories, report.keyholders) == (
        False,
        False,
        (),
        0,
    )
    assert report.problems == [message]
    assert not sealed_results(results_event).has_seal()
    for call in (
        lambda: sealed_results(results_event).open_results([PASSPHRASE]),
        lambda: sealed_results(results_event).sealed_categories(),
        lambda: sealed_results(results_event).keyholders(),
    ):
        with pytest.raises(sealed.NoSealError) as caught:
            call()
        assert str(caught.value) == message


def test_a_seal_the_journal_has_no_record_of(results_event: EventFolder, jury: Path) -> None:
    seal(results_event, jury)
    for name in ("event.db", "event.db-wal", "event.db-shm"):
        (results_event.root / name).unlink(missing_ok=True)
    report = sealed_results(results_event).verify_seal()
    assert report.problems == [
        f"{results_event.sealed_results_path} is not recorded in this event's journal: it was not "
        f"sealed in this event, or event.db was replaced since. Seal the jury's file again "
        f"with --replace."
    ]
    # the right passphrase still opens it: AES-GCM vouches for the contents
    assert sealed_results(results_event).open_results([PASSPHRASE]) == expected_results(
        results_event, jury
    )


def test_programme_changed_since_sealing(results_event: EventFolder, jury: Path) -> None:
    seal(results_event, jury)
    films = list(FILMS)
    films[5] = ("QZ-OTHER-06", "A New Title For An Unnamed Film", "新片名")
    write_programme(programme_path(results_event), tuple(films))

    report = sealed_results(results_event).verify_seal()
    assert (report.ok, report.intact, report.programme_changed, report.opened) == (
        False,
        True,
        True,
        False,
    )
    assert report.problems == [
        "the programme has changed since the results were sealed (a film added, removed, "
        "renamed or moved): run `results verify --open` with the passphrase(s) to check that "
        "every film the results name is still in it"
    ]
    opened = sealed_results(results_event).verify_seal([PASSPHRASE])
    assert (opened.ok, opened.programme_changed, opened.opened) == (True, True, True)
    assert opened.problems == []


@pytest.mark.parametrize("removed", ["QZ-WIN-01", "QZ-NOM-02", "QZ-MEN-05"])
def test_a_sealed_film_removed_from_the_programme(
    removed: str, results_event: EventFolder, jury: Path
) -> None:
    seal(results_event, jury)
    write_programme(programme_path(results_event), tuple(f for f in FILMS if f[0] != removed))
    report = sealed_results(results_event).verify_seal([PASSPHRASE])
    assert (report.ok, report.opened, report.programme_changed) == (False, True, True)
    # the same words whichever film went: winner, nominee or mention cannot be told apart
    assert report.problems == ["result 'best-film': a film it names is no longer in the programme"]


def test_a_clip_that_no_longer_fits_is_reported_without_the_film(
    results_event: EventFolder, jury: Path
) -> None:
    seal(results_event, jury)
    text = programme_path(results_event).read_text(encoding="utf-8")
    shorter = text.replace(
        'runtime = "1:00"\nfile = "films/QZ-WIN-01.mp4"',
        'runtime = "0:30"\nfile = "films/QZ-WIN-01.mp4"',
    )
    assert shorter != text
    programme_path(results_event).write_text(shorter, encoding="utf-8")
    report = sealed_results(results_event).verify_seal([PASSPHRASE])
    assert report.problems == [
        "result 'best-film': its clip ends after the end of the film as the programme now "
        "declares it"
    ]


def test_categories_checked_against_event_toml_without_opening(
    results_event: EventFolder, jury: Path
) -> None:
    seal(results_event, jury)
    config = results_event.config_path.read_text(encoding="utf-8")
    renamed = config.replace('id = "frontier"', 'id = "frontier-award"')
    results_event.config_path.write_text(renamed, encoding="utf-8")
    report = sealed_results(results_event).verify_seal()
    assert report.problems == [
        "result 'frontier' is sealed, but event.toml has no award 'frontier' "
        "(awards: best-film, frontier-award, viewers)",
        "the jury award 'frontier-award' has no sealed result",
    ]
    assert (
        sealed_results(results_event).verify_seal([PASSPHRASE]).problems == report.problems
    )  # not twice


def test_refuses_to_overwrite_without_replace(results_event: EventFolder, jury: Path) -> None:
    first = seal(results_event, jury)
    with pytest.raises(SealExistsError) as caught:
        seal(results_event, jury, "another good passphrase")
    assert str(caught.value) == (
        f"{results_event.sealed_results_path} already holds sealed results (sealed "
        f"{first.sealed_at}); pass --replace to seal these instead"
    )
    assert sealed_results(results_event).open_results([PASSPHRASE])  # untouched

    second = seal(results_event, jury, "another good passphrase", replace=True)
    assert second.replaced and second.fingerprint != first.fingerprint
    entries = [e.data for e in Journal(results_event.open_db()).entries(sealed.RESULTS_SEALED)]
    assert [e["fingerprint"] for e in entries] == [first.fingerprint, second.fingerprint]
    assert entries[1]["replaced"] is True
    assert sealed_results(results_event).verify_seal().ok
    with pytest.raises(WrongPassphraseError):
        sealed_results(results_event).open_results([PASSPHRASE])
    assert sealed_results(results_event).open_results(["another good passphrase"])


def test_a_results_file_naming_a_film_not_in_the_programme_is_refused(
    results_event: EventFolder, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(JURY.replace('winner = "QZ-WIN-04"', 'winner = "QZ-GHOST-99"'), "utf-8")
    with pytest.raises(ConfigError) as caught:
        sealed_results(results_event).seal_results(bad, [PASSPHRASE], kdf_n=KDF_N)
    assert [str(p) for p in caught.value.problems] == [
        f"{bad}: result 'frontier': field 'winner': 'QZ-GHOST-99' is not in the programme",
        f"{bad}: result 'frontier': field 'nominees': must include the winner 'QZ-GHOST-99'",
    ]
    assert not results_event.sealed_results_path.exists()
    assert not list(Journal(results_event.open_db()).entries(sealed.RESULTS_SEALED))


def test_a_missing_results_file(results_event: EventFolder, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        sealed_results(results_event).seal_results(
            tmp_path / "nowhere.toml", [PASSPHRASE], kdf_n=KDF_N
        )
    assert str(caught.value) == (
        f"{tmp_path / 'nowhere.toml'}: cannot read the jury's results: No such file or directory"
    )


def test_an_audience_award_can_be_sealed_like_the_others(
    results_event: EventFolder, tmp_path: Path
) -> None:
    jury = tmp_path / "with-viewers.toml"
    jury.write_text(JURY + VIEWERS, encoding="utf-8")
    summary = seal(results_event, jury)
    assert summary.categories == ("best-film", "frontier", "viewers")
    assert sealed_results(results_event).verify_seal([PASSPHRASE]).ok
    opened = sealed_results(results_event).open_results([PASSPHRASE])
    viewers = opened.for_category("viewers")
    assert viewers is not None and viewers.winner == "QZ-OTHER-07"


def test_destroy_plain_file(tmp_path: Path) -> None:
    plain = tmp_path / "jury.toml"
    plain.write_text(JURY, encoding="utf-8")
    sealed.destroy_plain_file(plain)
    assert not plain.exists()


@pytest.fixture
def debug_log(results_event: EventFolder) -> Iterator[Path]:
    """Every log record of the test, at DEBUG, in the event's logs folder (as the app does)."""
    results_event.create_dirs()
    path = results_event.logs_dir / "kiosk.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def test_nothing_in_the_event_folder_or_logs_names_a_winner(
    results_event: EventFolder, jury: Path, debug_log: Path
) -> None:
    """After seal + verify + open (no preflight, no show), no file names a film of the results."""
    seal(results_event, jury, PASSPHRASE, SECOND_PASSPHRASE)
    sealed.destroy_plain_file(jury)
    assert sealed_results(results_event).verify_seal().ok
    assert sealed_results(results_event).verify_seal([PASSPHRASE, SECOND_PASSPHRASE]).ok
    with pytest.raises(WrongPassphraseError):
        sealed_results(results_event).open_results([PASSPHRASE, "wrong second passphrase"])
    # the Viewer's Award vote too: ballots for films of the results, counted at the reveal
    people = seed_people(results_event, count=3)
    now = dt.datetime.now(dt.UTC)
    for person in people:
        assert (
            door_repository(results_event).scan(person.code, "Door 1", "scan", now).verdict.admits
        )
    desk = open_vote(results_event)
    desk.open_vote(5)
    for person, film in zip(people, ["QZ-NOM-02", "QZ-MEN-05", "QZ-NOM-02"], strict=True):
        assert desk.cast(person.code, film, "phone").accepted
    desk.close_vote()
    results = sealed_results(results_event).open_results([PASSPHRASE, SECOND_PASSPHRASE])
    assert results.for_category("best-film") is not None  # it really opened
    viewers = results.for_category("viewers")
    assert viewers is not None and viewers.winner == "QZ-NOM-02"  # and the vote was counted
    logging.getLogger("kiosk").debug("the test's own marker line")  # the log is being written

    assert "the test's own marker line" in debug_log.read_text(encoding="utf-8")
    assert "sealed 2 result(s) for 2 keyholder(s)" in debug_log.read_text(encoding="utf-8")
    files = sorted(p.name for p in results_event.root.rglob("*") if p.is_file())
    assert "results.sealed" in files and "event.db" in files and "vote-key.sealed" in files
    assert find_secrets(results_event.root) == []
    # the scan does find them where they are: it is not blind
    assert find_secrets(programme_path(results_event).parent, ["QZ-WIN-01", "群青燈塔奏鳴曲"])


def test_the_demo_seals_its_results_and_deletes_the_plain_file(
    demo_event: EventFolder,
) -> None:
    assert not (demo_event.root / DEMO_RESULTS_FILE).exists()
    assert sealed_results(demo_event).sealed_categories() == (
        "best-film",
        "best-narrative",
        "frontier",
    )
    report = sealed_results(demo_event).verify_seal([DEMO_PASSPHRASE])
    assert report.ok and report.opened, report.problems
    assert report.warnings == []  # the default key derivation cost
    results = sealed_results(demo_event).open_results([DEMO_PASSPHRASE])
    assert results.for_category("viewers") is None  # the audience award stays unsealed
    film_seconds = 2  # the demo_event fixture's films
    for category in ("best-film", "frontier"):
        result = results.for_category(category)
        assert result is not None and result.clip is not None
        assert (result.clip.start_s, result.clip.end_s) == (
            0.25 * film_seconds,
            0.75 * film_seconds,
        )
    narrative = results.for_category("best-narrative")
    assert narrative is not None and narrative.clip is None
    assert find_secrets(demo_event.root, [*CITATIONS, *_demo_citations(results)]) == []


def _demo_citations(results: JuryResults) -> list[str]:
    return [t for r in results.results for t in (r.citation_en, r.citation_zh) if t]
