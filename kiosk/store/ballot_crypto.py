"""The vote's key pair and its ballots: secret until the results passphrase(s) open them.

**The key.** When the jury's results are sealed, a fresh X25519 key pair is made for the
Viewer's Award. The public key goes in the clear into `vote-key.sealed` (the vote page encrypts
every ballot to it); the private key goes into the same file AES-256-GCM encrypted under a key
derived from the very scrypt key that seals the results (same passphrase(s), same salts, read
from `results.sealed`'s header), separated from it with HKDF-SHA256 (info `aiff-vote-key/v1`).
So whoever can open the results can count the vote, and nobody else; the file's public header
(format, public key, a digest of the results seal's salts) is the GCM additional data, so
swapping the public key makes the file fail to open.

**A ballot** is sealed like HPKE's base mode (RFC 9180) with one ephemeral key per ballot: a new
X25519 key pair, the shared secret with the vote's public key, HKDF-SHA256 (salt: ephemeral
public key ‖ vote public key) → an AES-256-GCM key, the choice padded to a fixed length. Stored
as `ephemeral public key (32) ‖ nonce (12) ‖ ciphertext (48)`, every ballot is 92 bytes of
noise, whatever film it names.

Nothing here logs a choice; no error message carries one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from kiosk.store.sealed_results import (
    KdfParams,
    Progress,
    SealError,
    derive_key,
    write_seal,
)

log = logging.getLogger(__name__)

VOTE_KEY_FILE = "vote-key.sealed"
FORMAT = "aiff-vote-key"
VERSION = 1
_WRAP_INFO = b"aiff-vote-key/v1"
_BALLOT_INFO = b"aiff-ballot/v1"
_BALLOT_PLAINTEXT_BYTES = 32  # a film id (at most 30 bytes) padded: every ballot the same size
_KEY_BYTES = 32
_NONCE_BYTES = 12
BALLOT_BYTES = _KEY_BYTES + _NONCE_BYTES + _BALLOT_PLAINTEXT_BYTES + 16


class VoteKeyError(SealError):
    """The vote key is missing, damaged, or the passphrase(s) do not open it."""


@dataclass(frozen=True)
class VoteKeyFile:
    """`vote-key.sealed` as read from disk: the public key and the wrapped private key."""

    path: Path
    public_key: bytes
    salts_digest: str
    nonce: bytes
    wrapped: bytes
    aad: bytes

    @property
    def fingerprint(self) -> str:
        """A short digest of the public key, recorded in the journal when it was made."""
        return hashlib.sha256(self.public_key).hexdigest()[:16]


def vote_key_path(event_root: Path) -> Path:
    """Where an event keeps its vote key."""
    return event_root / VOTE_KEY_FILE


def salts_digest(kdf: KdfParams) -> str:
    """Which results seal a vote key belongs to: a digest of that seal's scrypt salts."""
    return hashlib.sha256(b"".join(kdf.salts)).hexdigest()


def _wrap_key(results_key: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=_WRAP_INFO).derive(results_key)


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def make_vote_key(
    passphrases: Sequence[str], kdf: KdfParams, progress: Progress | None = None
) -> bytes:
    """The bytes of a new `vote-key.sealed` bound to the results seal with these KDF params."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = secrets.token_bytes(_NONCE_BYTES)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "public_key": base64.b64encode(public).decode("ascii"),
        "results_salts": salts_digest(kdf),
        "nonce": base64.b64encode(nonce).decode("ascii"),
    }
    wrap = _wrap_key(derive_key(passphrases, kdf, progress))
    wrapped = AESGCM(wrap).encrypt(nonce, raw_private, _canonical(header))
    document = {**header, "wrapped_private_key": base64.b64encode(wrapped).decode("ascii")}
    return (json.dumps(document, indent=2) + "\n").encode("ascii")


def write_vote_key(event_root: Path, data: bytes) -> None:
    """Write `vote-key.sealed` atomically, mode 0600."""
    write_seal(vote_key_path(event_root), data)


def read_vote_key(event_root: Path) -> VoteKeyFile:
    """Read `vote-key.sealed` (VoteKeyError if it is missing or not one); no passphrase needed."""
    path = vote_key_path(event_root)
    try:
        data = json.loads(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        raise VoteKeyError(
            f"No vote key at {path}: it is made when the jury's results are sealed "
            f"(`python main.py results seal FILE`)."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise VoteKeyError(f"{path} is damaged or is not a vote key file") from None
    try:
        if data["format"] != FORMAT or data["version"] != VERSION:
            raise ValueError
        public = base64.b64decode(data["public_key"], validate=True)
        nonce = base64.b64decode(data["nonce"], validate=True)
        wrapped = base64.b64decode(data["wrapped_private_key"], validate=True)
        digest = str(data["results_salts"])
        if len(public) != _KEY_BYTES or len(nonce) != _NONCE_BYTES:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise VoteKeyError(f"{path} is damaged or is not a vote key file") from None
    header = {k: v for k, v in data.items() if k != "wrapped_private_key"}
    return VoteKeyFile(path, public, digest, nonce, wrapped, _canonical(header))


def open_vote_key(
    key_file: VoteKeyFile,
    passphrases: Sequence[str],
    kdf: KdfParams,
    progress: Progress | None = None,
    *,
    derived: bytes | None = None,
) -> X25519PrivateKey:
    """The vote's private key, with the results passphrase(s) (kept in memory only).

    `derived` is the results key already derived from `passphrases` with `kdf` (the reveal
    derives it once for the results and the vote); without it, it is derived here.
    """
    if key_file.salts_digest != salts_digest(kdf):
        raise VoteKeyError(
            f"{key_file.path} belongs to another sealing of the results: the ballots cannot "
            f"be counted with this seal's passphrase(s)"
        )
    key = derived if derived is not None else derive_key(passphrases, kdf, progress)
    wrap = _wrap_key(key)
    try:
        raw = AESGCM(wrap).decrypt(key_file.nonce, key_file.wrapped, key_file.aad)
    except InvalidTag:
        raise VoteKeyError(
            "The vote key did not open: a passphrase is wrong, or the file was changed"
        ) from None
    private = X25519PrivateKey.from_private_bytes(raw)
    if private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) != key_file.public_key:
        raise VoteKeyError(f"{key_file.path} has been changed: its public key does not match")
    return private


def _ballot_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=SHA256(), length=32, salt=ephemeral + recipient, info=_BALLOT_INFO
    ).derive(shared)


def seal_ballot(public_key: bytes, film_id: str) -> bytes:
    """One ballot for `film_id`, readable only with the vote's private key."""
    choice = film_id.encode("utf-8")
    if not choice or len(choice) > _BALLOT_PLAINTEXT_BYTES - 2:
        raise ValueError("a film id must be 1 to 30 bytes")
    padded = bytes([len(choice)]) + choice
    padded += b"\x00" * (_BALLOT_PLAINTEXT_BYTES - len(padded))
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    key = _ballot_key(shared, ephemeral_public, public_key)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, padded, _BALLOT_INFO)


def open_ballot(private_key: X25519PrivateKey, sealed: bytes) -> str:
    """The film id in a sealed ballot (VoteKeyError if it is not a ballot for this key)."""
    if len(sealed) != BALLOT_BYTES:
        raise VoteKeyError("a stored ballot has the wrong size: the ballots were changed")
    ephemeral_public = sealed[:_KEY_BYTES]
    nonce = sealed[_KEY_BYTES : _KEY_BYTES + _NONCE_BYTES]
    recipient = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = _ballot_key(shared, ephemeral_public, recipient)
    try:
        padded = AESGCM(key).decrypt(nonce, sealed[_KEY_BYTES + _NONCE_BYTES :], _BALLOT_INFO)
    except InvalidTag:
        raise VoteKeyError("a stored ballot does not open with the vote key") from None
    return padded[1 : 1 + padded[0]].decode("utf-8")
