"""Benchmark: what sealing costs — one scrypt derivation, and seal / verify --open end to end.

Run with `make bench`. Prints medians of 5 runs. The default cost (n=2**17, r=8, 128 MiB) is
meant to take a noticeable fraction of a second per guess, so a stolen seal file resists
guessing; `results seal` and the reveal each pay it once per keyholder.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.store.sealed_results import DEFAULT_KDF_N, KDF_R
from tests.results_helpers import JURY, PASSPHRASE, SECOND_PASSPHRASE, make_event, sealed_results

ROUNDS = 5


def median_seconds(action: object, rounds: int = ROUNDS) -> float:
    assert callable(action)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_scrypt_derivation_time() -> None:
    for n in (2**14, DEFAULT_KDF_N):
        mib = 128 * KDF_R * n // 2**20

        def derive(n: int = n) -> None:
            Scrypt(salt=os.urandom(16), length=32, n=n, r=KDF_R, p=1).derive(b"aiff-demo-2026")

        print(f"\nscrypt n=2**{n.bit_length() - 1} ({mib} MiB): {median_seconds(derive):.3f} s")


def test_seal_and_open_time(tmp_path: Path) -> None:
    jury = tmp_path / "jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    for keys in ([PASSPHRASE], [PASSPHRASE, SECOND_PASSPHRASE]):
        count = 0

        def seal(keys: list[str] = keys) -> None:
            nonlocal count
            count += 1
            event = make_event(tmp_path / f"event-{len(keys)}-{count}")
            sealed_results(event).seal_results(jury, keys)

        seal_s = median_seconds(seal)
        event = make_event(tmp_path / f"open-{len(keys)}")
        sealed_results(event).seal_results(jury, keys)
        open_s = median_seconds(
            lambda keys=keys, event=event: sealed_results(event).open_results(keys)
        )
        print(
            f"\n{len(keys)} keyholder(s), default cost: seal {seal_s:.3f} s, "
            f"open {open_s:.3f} s (median of {ROUNDS})"
        )
