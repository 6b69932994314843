"""Benchmark: how long the keyholders wait when the reveal opens the results.

The reveal opens the jury's seal and, once the vote is over, the vote key: both with the same
passphrases and the same scrypt parameters. Run with `make bench`; prints the median of 3 opens
at the default cost (n=2**17), with how many scrypt derivations each open ran, side by side
with the way it opened before (the results, then the vote key: two derivations).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.store.sealed_results import DEFAULT_KDF_N
from tests.results_helpers import JURY, PASSPHRASE, sealed_results
from tests.vote_helpers import VOTE_FILMS, make_voting_event, open_vote

ROUNDS = 3


def test_reveal_open_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    voting = make_voting_event(tmp_path / "event", admitted=4, absent=0)
    jury = tmp_path / "jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    sealed_results(voting.folder).seal_results(
        jury, [PASSPHRASE], replace=True, kdf_n=DEFAULT_KDF_N
    )
    desk = open_vote(voting.folder)
    desk.open_vote(10)
    for person, film in zip(voting.admitted, VOTE_FILMS * 2, strict=False):
        assert desk.cast(voting.vote_code_of(person), film, "phone").accepted
    desk.close_vote()

    derivations = 0
    real_derive = Scrypt.derive

    def counting_derive(self: Scrypt, key_material: bytes) -> bytes:
        nonlocal derivations
        derivations += 1
        return real_derive(self, key_material)

    monkeypatch.setattr(Scrypt, "derive", counting_derive)

    def derive_twice() -> None:  # the way the reveal opened before: results, then the vote key
        opened = sealed_results(voting.folder).open_results([PASSPHRASE], purpose="rehearsal")
        open_vote(voting.folder).with_viewer_result(opened, [PASSPHRASE])

    def derive_once() -> None:
        results = sealed_results(voting.folder).open_results([PASSPHRASE])
        assert results.for_category("viewers") is not None

    figures = {}
    for name, open_reveal in (("two derivations", derive_twice), ("one derivation", derive_once)):
        derivations = 0
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            open_reveal()
            times.append(time.perf_counter() - started)
        figures[name] = (statistics.median(times), derivations / ROUNDS)
    cost = f"n=2**{DEFAULT_KDF_N.bit_length() - 1}"
    print(f"\nreveal opens (results + vote key, {cost}, one keyholder):")
    for name, (median, runs) in figures.items():
        print(f"  {name}: median {median:.2f} s over {ROUNDS}, {runs:.0f} scrypt run(s) per open")
    assert figures["one derivation"][1] == 1
