"""The sealed envelope that keeps the jury's results secret until the reveal: `results.sealed`.

A JSON file, written atomically with mode 0600:

* a public header — format, version, when it was sealed, how many keyholders, the KDF and its
  parameters (one salt per keyholder), the award ids sealed, a digest of the programme as it was
  at sealing, the AES-GCM nonce;
* `ciphertext` — the results, AES-256-GCM encrypted under a key derived from the passphrase(s)
  with scrypt (memory-hard). With two keyholders each passphrase gives its own scrypt key and
  HKDF-SHA256 combines both, so neither alone opens the seal.

The whole header (canonical JSON of every field but `ciphertext`) is the GCM additional data, so
editing it, e.g. the list of categories, makes the seal fail to open. AES-GCM cannot tell a wrong
passphrase from a changed file; the caller passes the file's fingerprint recorded at sealing
time so that a changed file is reported as such and an unchanged one as a wrong passphrase.

Nothing here logs, and no error message carries anything from inside the seal.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.core.programme import Programme
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)

FORMAT = "aiff-sealed-results"
VERSION = 1
CIPHER = "AES-256-GCM"
KDF_NAME = "scrypt"
DEFAULT_KDF_N = 2**17  # with r=8: 128 MiB per derivation
KDF_R = 8
KDF_P = 1
MIN_KDF_N = 2**10  # low values are for tests only; `is_test_strength` flags them
MAX_KDF_N = 2**18  # a header asking for more memory than this is refused, not obeyed
TEST_STRENGTH_BELOW = DEFAULT_KDF_N
MAX_KEYHOLDERS = 2
SALT_BYTES = 16
NONCE_BYTES = 12
PAD_TO = 512  # the plaintext is padded so the file size says little about the citations
MAX_FILE_BYTES = 16 * 1024 * 1024
_HKDF_INFO = b"aiff-sealed-results/v1/keyholders="

Progress = Callable[[str], None]


class SealError(StoreError):
    """The sealed results cannot be made, read or opened; the message says what to do."""


class NoSealError(SealError):
    """The event has no `results.sealed` yet."""


class SealExistsError(SealError):
    """Sealing would overwrite results already sealed (pass replace=True to mean it)."""


class SealTamperedError(SealError):
    """The file is not the one that was sealed: edited, damaged or replaced."""


class SealDamagedError(SealTamperedError):
    """The file cannot even be read as a seal (not JSON, fields missing, a newer format)."""


class WrongPassphraseError(SealError):
    """The file is exactly as sealed, but the passphrase(s) given do not open it."""


@dataclass(frozen=True)
class KdfParams:
    """How the key is derived from the passphrase(s): scrypt's cost and one salt per keyholder."""

    n: int
    r: int
    p: int
    salts: tuple[bytes, ...]

    @property
    def memory_mib(self) -> int:
        """Memory one derivation needs (128 · r · n bytes), in MiB."""
        return 128 * self.r * self.n // (1024 * 1024)

    @property
    def is_test_strength(self) -> bool:
        """Cheaper than the default: acceptable in tests, not for a real night."""
        return self.n < TEST_STRENGTH_BELOW

    def describe(self) -> str:
        """E.g. `scrypt, 128 MiB`."""
        return f"{KDF_NAME}, {self.memory_mib} MiB"

    def to_json(self) -> dict[str, Any]:
        """The header's `kdf` object."""
        return {
            "name": KDF_NAME,
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salts": [_b64(s) for s in self.salts],
        }


@dataclass(frozen=True)
class SealHeader:
    """The public part of the seal: readable by anyone, authenticated by the encryption."""

    sealed_at: str  # ISO 8601, UTC
    keyholders: int
    kdf: KdfParams
    categories: tuple[str, ...]  # award ids sealed (public: the reveal's running order needs them)
    programme_digest: str  # `programme_digest()` of the programme when it was sealed
    nonce: bytes

    def to_json(self) -> dict[str, Any]:
        """Every header field, in the file's order."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "sealed_at": self.sealed_at,
            "keyholders": self.keyholders,
            "kdf": self.kdf.to_json(),
            "cipher": CIPHER,
            "categories": list(self.categories),
            "programme_digest": self.programme_digest,
            "nonce": _b64(self.nonce),
        }


@dataclass(frozen=True)
class Seal:
    """A seal as read from disk: its header, its ciphertext and the file's fingerprint."""

    path: Path
    header: SealHeader
    ciphertext: bytes
    aad: bytes  # the header exactly as it is in the file, canonical JSON
    fingerprint: str  # sha256 of the file's bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def fingerprint(data: bytes) -> str:
    """The sha256 (hex) of a seal file's bytes: recorded at sealing, compared before opening."""
    return hashlib.sha256(data).hexdigest()


def short_fingerprint(full: str) -> str:
    """The first 64 bits of a fingerprint, for people: ``"7F3A-91C2-0B5E-44D1"``.

    Printed at sealing for the keyholders to write down, and by ``results verify``: a seal
    swapped for another cannot show the same 16 characters.
    """
    head = full[:16].upper()
    return "-".join(head[i : i + 4] for i in range(0, len(head), 4))


def programme_digest(programme: Programme) -> str:
    """A sha256 (hex) over the programme's film ids and titles in run order."""
    films = [[f.id, f.title_en, f.title_zh] for f in programme]
    return hashlib.sha256(json.dumps(films, ensure_ascii=True).encode()).hexdigest()


def _check_passphrases(passphrases: Sequence[str], keyholders: int) -> None:
    if len(passphrases) != keyholders:
        needed = "one passphrase" if keyholders == 1 else f"{keyholders} passphrases"
        raise SealError(f"this seal needs {needed} (one per keyholder); {len(passphrases)} given")
    if any(not p for p in passphrases):
        raise SealError("a passphrase is empty")


def derive_key(
    passphrases: Sequence[str], kdf: KdfParams, progress: Progress | None = None
) -> bytes:
    """The AES-256 key: scrypt per keyholder (own salt), combined with HKDF-SHA256."""
    _check_passphrases(passphrases, len(kdf.salts))
    keys = []
    for number, (passphrase, salt) in enumerate(zip(passphrases, kdf.salts, strict=True), 1):
        if progress:
            whose = "the key" if len(kdf.salts) == 1 else f"keyholder {number}'s key"
            progress(f"Deriving {whose} ({kdf.describe()})…")
        scrypt = Scrypt(salt=salt, length=32, n=kdf.n, r=kdf.r, p=kdf.p)
        keys.append(scrypt.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8")))
    info = _HKDF_INFO + str(len(keys)).encode()
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(b"".join(keys))


def make_seal(
    plaintext: bytes,
    passphrases: Sequence[str],
    *,
    categories: Sequence[str],
    programme_digest: str,
    kdf_n: int = DEFAULT_KDF_N,
    sealed_at: str | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The bytes of a new seal file holding `plaintext` (padded), for these keyholders."""
    if not 1 <= len(passphrases) <= MAX_KEYHOLDERS:
        raise SealError(f"a seal has 1 or {MAX_KEYHOLDERS} keyholders, not {len(passphrases)}")
    if not (MIN_KDF_N <= kdf_n <= MAX_KDF_N and kdf_n & (kdf_n - 1) == 0):
        raise SealError(f"scrypt n must be a power of two from {MIN_KDF_N} to {MAX_KDF_N}")
    kdf = KdfParams(
        kdf_n, KDF_R, KDF_P, tuple(secrets.token_bytes(SALT_BYTES) for _ in passphrases)
    )
    header = SealHeader(
        sealed_at=sealed_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        keyholders=len(passphrases),
        kdf=kdf,
        categories=tuple(categories),
        programme_digest=programme_digest,
        nonce=secrets.token_bytes(NONCE_BYTES),
    )
    key = derive_key(passphrases, kdf, progress)
    padded = plaintext + b" " * (-len(plaintext) % PAD_TO)
    header_json = header.to_json()
    ciphertext = AESGCM(key).encrypt(header.nonce, padded, _canonical(header_json))
    document = {**header_json, "ciphertext": _b64(ciphertext)}
    return (json.dumps(document, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def write_seal(path: Path, data: bytes) -> None:
    """Write the seal file atomically: a 0600 temp file in the same folder, fsync, rename."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # some platforms cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _damaged(path: Path, what: str) -> SealDamagedError:
    return SealDamagedError(f"{path} is damaged or is not a sealed-results file: {what}")


def _field(data: Mapping[str, Any], key: str, kind: type, path: Path) -> Any:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise _damaged(path, f"field '{key}' is missing or has the wrong type")
    return value


def _bytes_field(data: Mapping[str, Any], key: str, path: Path) -> bytes:
    try:
        return base64.b64decode(_field(data, key, str, path), validate=True)
    except (binascii.Error, ValueError):
        raise _damaged(path, f"field '{key}' is not base64") from None


def read_seal(path: Path) -> Seal:
    """Read and check the shape of a seal file (NoSealError, SealDamagedError); no key needed."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _damaged(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NoSealError(
            f"No sealed results at {path}: seal the jury's file with "
            f"`python main.py results seal FILE`."
        ) from None
    except OSError as exc:
        raise SealError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _damaged(path, "not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _damaged(path, f"its 'format' is not \"{FORMAT}\"")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise SealDamagedError(
            f"{path} was sealed by a newer version of this app (format version {version}; "
            f"this app reads version {VERSION}). Update the app."
        )
    if version != VERSION:
        raise _damaged(path, f"field 'version' must be {VERSION}")
    if data.get("cipher") != CIPHER:
        raise _damaged(path, f"field 'cipher' must be \"{CIPHER}\"")
    keyholders = _field(data, "keyholders", int, path)
    if not 1 <= keyholders <= MAX_KEYHOLDERS:
        raise _damaged(path, f"field 'keyholders' must be 1 or {MAX_KEYHOLDERS}")
    raw_kdf = _field(data, "kdf", dict, path)
    if raw_kdf.get("name") != KDF_NAME:
        raise _damaged(path, f"the key derivation must be {KDF_NAME}")
    n, r, p = (_field(raw_kdf, key, int, path) for key in ("n", "r", "p"))
    if not (MIN_KDF_N <= n <= MAX_KDF_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        raise _damaged(path, "the key derivation's cost is out of range")
    raw_salts = _field(raw_kdf, "salts", list, path)
    salts = tuple(_bytes_field({"salt": s}, "salt", path) for s in raw_salts)
    if len(salts) != keyholders or any(len(s) < SALT_BYTES for s in salts):
        raise _damaged(path, "it needs one 16-byte salt per keyholder")
    categories = _field(data, "categories", list, path)
    if not all(isinstance(c, str) for c in categories):
        raise _damaged(path, "field 'categories' must list award ids")
    nonce = _bytes_field(data, "nonce", path)
    if len(nonce) != NONCE_BYTES:
        raise _damaged(path, f"the nonce must be {NONCE_BYTES} bytes")
    header = SealHeader(
        sealed_at=_field(data, "sealed_at", str, path),
        keyholders=keyholders,
        kdf=KdfParams(n, r, p, salts),
        categories=tuple(categories),
        programme_digest=_field(data, "programme_digest", str, path),
        nonce=nonce,
    )
    ciphertext = _bytes_field(data, "ciphertext", path)
    aad = _canonical({k: v for k, v in data.items() if k != "ciphertext"})
    return Seal(path, header, ciphertext, aad, fingerprint(raw))


def tampered_message(path: Path) -> str:
    """The operator's message for a seal whose fingerprint is not the one recorded."""
    return (
        f"{path} has been changed or replaced since it was sealed (its fingerprint is not the "
        f"one recorded in the journal at sealing). Do not trust it: ask the jury for their "
        f"results again and seal them with --replace."
    )


def require_untampered(seal: Seal, recorded_fingerprint: str | None) -> None:
    """SealTamperedError if `seal` is not the file recorded at sealing (checked before the slow
    key derivation, so a replaced file is refused at once)."""
    if recorded_fingerprint is not None and seal.fingerprint != recorded_fingerprint:
        raise SealTamperedError(tampered_message(seal.path))


def unseal(
    seal: Seal,
    passphrases: Sequence[str],
    *,
    recorded_fingerprint: str | None,
    progress: Progress | None = None,
    derived: bytes | None = None,
) -> bytes:
    """The plaintext inside the seal (padding included; it is JSON, so trailing spaces are fine).

    `derived` is the key already derived from `passphrases` for this seal (the reveal derives it
    once and opens both the results and the vote key with it); without it, it is derived here.
    SealTamperedError if the file is not the one recorded at sealing, WrongPassphraseError if it
    is but does not open, plain SealError when there is no record to tell the two apart.
    """
    require_untampered(seal, recorded_fingerprint)
    key = derived if derived is not None else derive_key(passphrases, seal.header.kdf, progress)
    try:
        return AESGCM(key).decrypt(seal.header.nonce, seal.ciphertext, seal.aad)
    except InvalidTag:
        if recorded_fingerprint is None:
            raise SealError(
                f"{seal.path} did not open: either a passphrase is wrong or the file was "
                f"changed, and this event's journal has no record of the sealing to tell which"
            ) from None
        if seal.header.keyholders == 1:
            raise WrongPassphraseError(
                "Wrong passphrase: the seal is intact, but this passphrase does not open it."
            ) from None
        raise WrongPassphraseError(
            "Wrong passphrase: the seal is intact, but one or both passphrases do not open it "
            "(keyholder 1's passphrase is asked first, then keyholder 2's)."
        ) from None
