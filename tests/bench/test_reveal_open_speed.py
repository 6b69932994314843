"""Benchmark: how long the keyholders wait when the reveal opens the results.

The reveal opens the jury's seal and, once the vote is over, the vote key: both with the same
passphrases and the same scrypt parameters. Run with `make bench`; prints the median of 3 opens
at the default cost (n=2**17), with how many scrypt derivations each open ran.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.services import results as sealed
from kiosk.services.vote import VoteDesk
from kiosk.store.sealed_results import DEFAULT_KDF_N
from tests.results_helpers import JURY, PASSPHRASE
from tests.vote_helpers import VOTE_FILMS, make_voting_event

ROUNDS = 3


def test_reveal_open_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    voting = make_voting_event(tmp_path / "event", admitted=4, absent=0)
    jury = tmp_path / "jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    sealed.seal_results(voting.folder, jury, [PASSPHRASE], replace=True, kdf_n=DEFAULT_KDF_N)
    desk = VoteDesk(voting.folder)
    desk.open(10)
    for person, film in zip(voting.admitted, VOTE_FILMS * 2, strict=False):
        assert desk.cast(voting.vote_code_of(person), film, "phone").accepted
    desk.close()

    derivations = 0
    real_derive = Scrypt.derive

    def counting_derive(self: Scrypt, key_material: bytes) -> bytes:
        nonlocal derivations
        derivations += 1
        return real_derive(self, key_material)

    monkeypatch.setattr(Scrypt, "derive", counting_derive)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        results = sealed.open_results(voting.folder, [PASSPHRASE])
        times.append(time.perf_counter() - started)
    assert results.for_category("viewers") is not None
    print(
        f"\nreveal opens (results + vote key, n=2**{DEFAULT_KDF_N.bit_length() - 1}, "
        f"one keyholder): median {statistics.median(times):.2f} s over {ROUNDS}, "
        f"{derivations / ROUNDS:.0f} scrypt derivation(s) per open"
    )
