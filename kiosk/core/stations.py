"""Door stations on other laptops: pairing payloads, tokens, and verdicts made offline.

Pure rules, no network and no database. The event server (on the console laptop) pairs a door
laptop by showing a QR code whose text is a :class:`PairingPayload`: the server's address, a
one-time pairing token and the SHA-256 fingerprint of the server's certificate, which the
station pins. Station tokens are random and stored only as their SHA-256 digests.

A station that cannot reach the server decides from the ticket list it downloaded. The list
holds, per ticket, the SHA-256 of its code (never the code itself and never the signing key:
a stolen list can neither print a ticket nor make a new one), the holder's name and the
ticket's status. :func:`kiosk.core.admissions.judge_listed` decides from it by the same rules
as the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qs, quote, urlsplit

from kiosk.core.checkin import Admission

PAIRING_SCHEME = "aiff-pair"
DEFAULT_PORT = 8443  # the event server's port when the console is not told another
PAIRING_VERSION = "1"
TOKEN_BYTES = 32
PAIRING_TOKEN_BYTES = 18
FINGERPRINT_HEX_LENGTH = 64


class PairingError(ValueError):
    """A pairing payload that cannot be used (the message is bilingual)."""


@dataclass(frozen=True)
class PairingPayload:
    """What the pairing QR says: where the server is, the one-time token, the pinned cert."""

    host: str
    port: int
    token: str
    fingerprint: str  # SHA-256 of the server certificate (DER), lowercase hex

    @property
    def base_url(self) -> str:
        """``https://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    def to_text(self) -> str:
        """The QR text: ``aiff-pair://host:port/?v=1&t=TOKEN&fp=HEX``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (
            f"{PAIRING_SCHEME}://{host}:{self.port}/?v={PAIRING_VERSION}"
            f"&t={quote(self.token, safe='')}&fp={self.fingerprint}"
        )

    @classmethod
    def parse(cls, text: str) -> PairingPayload:
        """Read a scanned or pasted payload; PairingError says what is wrong with it."""
        cleaned = "".join(text.split())  # a payload pasted across lines
        parts = urlsplit(cleaned)
        if parts.scheme != PAIRING_SCHEME:
            raise PairingError(
                "This is not an AIFF pairing code (it should start with 'aiff-pair://'). "
                "/ 這不是 AIFF 配對碼（應以「aiff-pair://」開頭）。"
            )
        query = parse_qs(parts.query)
        version = query.get("v", [""])[0]
        if version != PAIRING_VERSION:
            raise PairingError(
                f"Pairing code version {version!r} is not supported; update the app. "
                "/ 配對碼版本不受支援，請更新程式。"
            )
        token = query.get("t", [""])[0]
        fingerprint = query.get("fp", [""])[0].lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None or not token:
            raise PairingError(
                "The pairing code is incomplete (address, port or token missing); scan it again. "
                "/ 配對碼不完整，請重新掃描。"
            )
        if len(fingerprint) != FINGERPRINT_HEX_LENGTH or not _is_hex(fingerprint):
            raise PairingError(
                "The pairing code has no valid certificate fingerprint; scan it again. "
                "/ 配對碼的證書指紋無效，請重新掃描。"
            )
        return cls(parts.hostname, port, token, fingerprint)


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdef" for character in text)


def new_station_token() -> str:
    """A fresh bearer token for a station (256 bits, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_pairing_token() -> str:
    """A fresh one-time pairing token (144 bits; short enough for a small QR code)."""
    return secrets.token_urlsafe(PAIRING_TOKEN_BYTES)


def hash_token(token: str) -> str:
    """How a token is stored: its SHA-256 (tokens are random, so no salt or KDF is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def code_digest(code: str) -> str:
    """SHA-256 of a canonical ticket code: the key of the offline ticket list."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, lowercase hex (what the pairing code pins)."""
    return hashlib.sha256(der).hexdigest()


class TicketStatus(Enum):
    """A ticket's state in the downloaded list."""

    VALID = "valid"
    REVOKED = "revoked"
    REPLACED = "replaced"  # revoked, and its holder has a newer ticket


@dataclass(frozen=True)
class ListedTicket:
    """One row of the offline ticket list: what a verdict needs and nothing more."""

    code_sha256: str
    attendee_id: int
    name: str
    name_latin: str | None
    status: TicketStatus
    admitted_at: dt.datetime | None = None  # the holder's admission known to the server
    admitted_station: str | None = None
    admitted_method: str | None = None

    @property
    def admission(self) -> Admission | None:
        """The holder's admission when the list was made, if any."""
        if self.admitted_at is None:
            return None
        return Admission(self.admitted_at, self.admitted_station or "?", self.admitted_method or "")
