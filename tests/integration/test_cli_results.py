"""`results seal FILE` and `results verify`: through click's runner, a real process and a pty."""

from __future__ import annotations

import faulthandler
import hashlib
import json
import logging
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kiosk.cli import cli
from kiosk.store.event_folder import EventFolder
from kiosk.store.sealed_results import short_fingerprint
from tests.results_helpers import (
    FILMS,
    JURY,
    KDF_N,
    PASSPHRASE,
    SECOND_PASSPHRASE,
    find_secrets,
    programme_path,
    secrets,
    write_programme,
)

MAIN = Path(__file__).resolve().parents[2] / "main.py"
ENV = {"KIOSK_SEAL_KDF_N": str(KDF_N)}
WRONG_TWO = (
    "Wrong passphrase: the seal is intact, but one or both passphrases do not open it "
    "(keyholder 1's passphrase is asked first, then keyholder 2's)."
)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI points logging and faulthandler at the event's logs folder: undo that after."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    faulthandler.enable(file=sys.__stderr__ or sys.stderr, all_threads=True)


VOTE_KEY_LINE = "Sealing the Viewer's Award vote key with the same passphrase(s)…\n"


def invoke(results_event: EventFolder, *args: str, stdin: str | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(
        cli, ["--event", str(results_event.root), "results", *args], input=stdin, env=ENV
    )


def assert_no_secrets(*results: Result | subprocess.CompletedProcess[str]) -> None:
    for result in results:
        for text in (result.stdout, result.stderr):
            leaked = [s for s in secrets() if s in text]
            assert leaked == [], text


def test_seal_then_verify_then_open(results_event: EventFolder, jury: Path) -> None:
    path = results_event.sealed_results_path
    sealed = invoke(results_event, "seal", str(jury), stdin=f"{PASSPHRASE}\n")
    assert sealed.exit_code == 0, sealed.output
    fingerprint = short_fingerprint(hashlib.sha256(path.read_bytes()).hexdigest())
    assert sealed.stdout == (
        f"Sealed 2 results (best-film, frontier) for 1 keyholder into {path}; "
        f"you can now delete {jury}\n"
        f"Fingerprint: {fingerprint} (keyholders: write it down; `results verify` must show "
        f"the same)\n"
    )
    assert sealed.stderr == "Deriving the key (scrypt, 16 MiB)…\n" + VOTE_KEY_LINE
    assert jury.exists()

    verified = invoke(results_event, "verify")
    assert verified.exit_code == 0, verified.output
    lines = verified.stdout.splitlines()
    assert lines[0].startswith(
        f"{path}: 2 sealed result(s) (best-film, frontier), sealed 20"
    ) and lines[0].endswith(", for 1 keyholder")
    assert lines[1:] == [
        f"  ok  the file is exactly as sealed: fingerprint {fingerprint} (compare with the one "
        "the keyholders wrote down)",
        "  ok  the programme is the same as when the results were sealed",
        "Seal OK (not opened).",
    ]
    assert verified.stderr == (
        "warning: sealed with a test-strength key derivation (scrypt, 16 MiB): seal again "
        "without --kdf-n for the real night\n"
    )

    opened = invoke(results_event, "verify", "--open", stdin=f"{PASSPHRASE}\n")
    assert opened.exit_code == 0, opened.output
    assert opened.stdout.splitlines()[1:] == [
        f"  ok  the file is exactly as sealed: fingerprint {fingerprint} (compare with the one "
        "the keyholders wrote down)",
        "  ok  the programme is the same as when the results were sealed",
        "  ok  opened; every film the results name is in the programme",
        "Seal OK.",
    ]
    assert opened.stderr.startswith("Deriving the key (scrypt, 16 MiB)…\n")

    wrong = invoke(results_event, "verify", "--open", stdin="not the passphrase\n")
    assert wrong.exit_code == 1
    assert (
        "error: Wrong passphrase: the seal is intact, but this passphrase does not open it.\n"
        in (wrong.stderr)
    )
    assert wrong.stderr.endswith("Seal NOT OK: 1 problem.\n")
    assert_no_secrets(sealed, verified, opened, wrong)


def test_verify_json_shape(results_event: EventFolder, jury: Path) -> None:
    assert invoke(results_event, "seal", str(jury), stdin=f"{PASSPHRASE}\n").exit_code == 0
    keyless = invoke(results_event, "verify", "--json")
    assert keyless.exit_code == 0, keyless.output
    data = json.loads(keyless.stdout)
    assert set(data) == {
        "ok",
        "path",
        "categories",
        "keyholders",
        "sealed_at",
        "intact",
        "programme_changed",
        "opened",
        "problems",
        "warnings",
        "fingerprint",
        "replaced",
        "replaced_at",
        "times_sealed",
    }
    assert data["ok"] is True and data["opened"] is False and data["intact"] is True
    assert (data["replaced"], data["replaced_at"], data["times_sealed"]) == (False, None, 1)
    assert len(data["fingerprint"]) == 19 and data["fingerprint"].count("-") == 3
    assert data["categories"] == ["best-film", "frontier"]
    assert data["keyholders"] == 1 and data["programme_changed"] is False
    assert data["problems"] == [] and isinstance(data["sealed_at"], str)
    assert keyless.stderr == ""  # --json: no progress or warning lines mixed in

    opened = invoke(results_event, "verify", "--open", "--json", stdin=f"{PASSPHRASE}\n")
    assert opened.exit_code == 0
    assert json.loads(opened.stdout)["opened"] is True
    assert opened.stderr == ""


def test_two_keyholders(results_event: EventFolder, jury: Path) -> None:
    both = f"{PASSPHRASE}\n{SECOND_PASSPHRASE}\n"
    sealed = invoke(results_event, "seal", str(jury), "--two-keyholders", stdin=both)
    assert sealed.exit_code == 0, sealed.output
    assert "for 2 keyholders into" in sealed.stdout
    assert sealed.stderr == (
        "Deriving keyholder 1's key (scrypt, 16 MiB)…\n"
        "Deriving keyholder 2's key (scrypt, 16 MiB)…\n" + VOTE_KEY_LINE
    )
    opened = invoke(results_event, "verify", "--open", "--json", stdin=both)
    assert opened.exit_code == 0 and json.loads(opened.stdout)["keyholders"] == 2

    wrong = invoke(
        results_event, "verify", "--open", "--json", stdin=f"{PASSPHRASE}\nnot it at all\n"
    )
    assert wrong.exit_code == 1
    assert json.loads(wrong.stdout)["problems"] == [WRONG_TWO]

    short = invoke(results_event, "verify", "--open", stdin=f"{PASSPHRASE}\n")
    assert short.exit_code == 1
    assert short.stderr == (
        "error: expected 2 passphrase line(s) on stdin, one per keyholder; stdin ended "
        "before: Keyholder 2 passphrase\n"
    )


def test_seal_refusals(results_event: EventFolder, jury: Path, tmp_path: Path) -> None:
    short = invoke(results_event, "seal", str(jury), stdin="short\n")
    assert short.exit_code == 1
    assert short.stderr == (
        "error: the passphrase is too short: use at least 8 characters (a few words are "
        "easier to type and to remember)\n"
    )
    same = invoke(results_event, "seal", str(jury), "--two-keyholders", stdin=f"{PASSPHRASE}\n" * 2)
    assert same.exit_code == 1
    assert same.stderr == "error: the two keyholders' passphrases must be different\n"
    nothing = invoke(results_event, "seal", str(jury), stdin="")
    assert nothing.exit_code == 1
    assert "stdin ended before: Passphrase" in nothing.stderr
    assert not results_event.sealed_results_path.exists()

    bad = tmp_path / "bad.toml"
    bad.write_text(JURY.replace('"QZ-NOM-03"]\nhonourable', '"QZ-NOPE-08"]\nhonourable'))
    refused = invoke(results_event, "seal", str(bad), stdin=f"{PASSPHRASE}\n")
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: {bad}: result 'best-film': field 'nominees': 'QZ-NOPE-08' is not in the "
        f"programme\n"
    )
    assert not results_event.sealed_results_path.exists()

    assert invoke(results_event, "seal", str(jury), stdin=f"{PASSPHRASE}\n").exit_code == 0
    again = invoke(results_event, "seal", str(jury), stdin=f"{PASSPHRASE}\n")
    assert again.exit_code == 1
    sealed_at = json.loads(results_event.sealed_results_path.read_text())["sealed_at"]
    assert again.stderr == (
        f"error: {results_event.sealed_results_path} already holds sealed results (sealed "
        f"{sealed_at}); pass --replace to seal these instead\n"
    )
    replaced = invoke(results_event, "seal", str(jury), "--replace", stdin="a new passphrase\n")
    assert replaced.exit_code == 0, replaced.output
    assert invoke(results_event, "verify", "--open", stdin="a new passphrase\n").exit_code == 0


def test_verify_failures(results_event: EventFolder, jury: Path) -> None:
    missing = invoke(results_event, "verify")
    assert missing.exit_code == 1
    assert missing.stdout == ""
    assert missing.stderr == (
        f"error: No sealed results at {results_event.sealed_results_path}: "
        f"seal the jury's file with `python main.py results seal FILE`.\nSeal NOT OK: 1 problem.\n"
    )
    missing_json = invoke(
        results_event, "verify", "--open", "--json"
    )  # nothing to ask a passphrase for
    assert missing_json.exit_code == 1
    assert json.loads(missing_json.stdout)["ok"] is False

    assert invoke(results_event, "seal", str(jury), stdin=f"{PASSPHRASE}\n").exit_code == 0
    films = list(FILMS)
    films[6] = ("QZ-OTHER-07", "Renamed", "改名")
    write_programme(programme_path(results_event), tuple(films))
    changed = invoke(results_event, "verify", "--json")
    assert changed.exit_code == 1
    assert json.loads(changed.stdout)["programme_changed"] is True
    still_fits = invoke(results_event, "verify", "--open", stdin=f"{PASSPHRASE}\n")
    assert still_fits.exit_code == 0, still_fits.output
    assert "  --  the programme has changed since sealing (checked below)" in still_fits.stdout

    write_programme(programme_path(results_event), tuple(f for f in FILMS if f[0] != "QZ-WIN-04"))
    removed = invoke(results_event, "verify", "--open", stdin=f"{PASSPHRASE}\n")
    assert removed.exit_code == 1
    assert (
        "error: result 'frontier': a film it names is no longer in the programme\n"
        in removed.stderr
    )

    data = json.loads(results_event.sealed_results_path.read_text())
    results_event.sealed_results_path.write_text(json.dumps({**data, "sealed_at": "yesterday"}))
    tampered = invoke(results_event, "verify")
    assert tampered.exit_code == 1
    assert "has been changed or replaced since it was sealed" in tampered.stderr
    not_asked = invoke(results_event, "verify", "--open", "--json", stdin="")  # no passphrase read
    assert not_asked.exit_code == 1
    assert json.loads(not_asked.stdout)["opened"] is False
    assert_no_secrets(missing, changed, still_fits, removed, tampered)


def test_no_event(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--event", str(tmp_path / "none"), "results", "verify"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: No event at {tmp_path / 'none'} (no event.toml).")
    as_json = CliRunner().invoke(
        cli, ["--event", str(tmp_path / "none"), "results", "verify", "--json"]
    )
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert (data["ok"], data["opened"], data["categories"]) == (False, False, [])
    assert data["problems"][0].startswith(f"No event at {tmp_path / 'none'}")


def run(folder: EventFolder, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), "-v", "--event", str(folder.root), "results", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **ENV},
    )


def test_a_real_process_reads_passphrases_from_stdin(
    results_event: EventFolder, jury: Path
) -> None:
    """The operator's habit in one go: seal, check it opens, delete the plain file."""
    both = f"{PASSPHRASE}\n{SECOND_PASSPHRASE}\n"
    sealed = run(results_event, "seal", str(jury), "--two-keyholders", "--delete-plain", stdin=both)
    assert sealed.returncode == 0, sealed.stderr
    fingerprint = short_fingerprint(
        hashlib.sha256(results_event.sealed_results_path.read_bytes()).hexdigest()
    )
    assert sealed.stdout == (
        f"Sealed 2 results (best-film, frontier) for 2 keyholders into "
        f"{results_event.sealed_results_path}.\n"
        f"Fingerprint: {fingerprint} "
        f"(keyholders: write it down; `results verify` must show the same)\n"
        f"Checked that the seal opens, then overwrote and deleted {jury}.\n"
    )
    assert not jury.exists()

    verified = run(results_event, "verify", "--open", "--json", stdin=both)
    assert verified.returncode == 0, verified.stderr
    data = json.loads(verified.stdout)
    assert (data["ok"], data["opened"], data["keyholders"]) == (True, True, 2)

    wrong = run(
        results_event, "verify", "--open", "--json", stdin=f"{SECOND_PASSPHRASE}\n{PASSPHRASE}\n"
    )
    assert wrong.returncode == 1
    assert json.loads(wrong.stdout)["problems"] == [WRONG_TWO]

    assert_no_secrets(sealed, verified, wrong)
    log = (results_event.logs_dir / "kiosk.log").read_text(encoding="utf-8")
    assert "sealed 2 result(s) for 2 keyholder(s)" in log  # -v: debug logging was on
    assert find_secrets(results_event.root) == []


def _expect(fd: int, wanted: str, pending: list[str], timeout: float = 30.0) -> str:
    """Read the terminal until `wanted`; return the text through it, keep the rest pending."""
    deadline = time.monotonic() + timeout
    text = pending[0]
    while wanted not in text:
        left = deadline - time.monotonic()
        assert left > 0, f"no {wanted!r} in {text!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                chunk = b""
            assert chunk, f"ended before {wanted!r}: {text!r}"
            text += chunk.decode("utf-8", "replace")
    upto = text.index(wanted) + len(wanted)
    pending[0] = text[upto:]
    return text[:upto]


def test_on_a_terminal_the_passphrase_is_hidden_and_typed_twice(
    results_event: EventFolder, jury: Path
) -> None:
    """A real pseudo-terminal: hidden prompts, confirmation, a too-short passphrase re-asked."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        os.environ.update(ENV)
        os.execv(
            sys.executable,
            [
                sys.executable,
                str(MAIN),
                "--event",
                str(results_event.root),
                "results",
                "seal",
                str(jury),
            ],
        )
    transcript = ""
    pending = [""]
    try:
        for prompt, answer in (
            ("Passphrase: ", "short"),
            ("Repeat for confirmation: ", "short"),
            ("Too short: use at least 8 characters.", None),
            ("Passphrase: ", PASSPHRASE),
            ("Repeat for confirmation: ", PASSPHRASE),
            ("you can now delete", None),
        ):
            transcript += _expect(fd, prompt, pending)
            if answer is not None:
                os.write(fd, answer.encode() + b"\r")
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, transcript
    assert PASSPHRASE not in transcript and "short\r" not in transcript  # never echoed
    assert (results_event.sealed_results_path).exists()
