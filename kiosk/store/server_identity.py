"""The event server's certificate: self-signed, made once per event, pinned by its stations.

The key and certificate live in `<event>/server/` (key mode 0600), next to the event's other
files; the server (kiosk.server) serves with them and the console shows their fingerprint.
Stations do not trust it because of a CA or a host name: they pin its SHA-256 fingerprint,
which they got from the pairing QR code, and refuse any other certificate.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.core.event import EventConfig
from kiosk.core.stations import certificate_fingerprint
from kiosk.store.event_folder import EventFolder
from kiosk.store.private_files import private_dir

log = logging.getLogger(__name__)

SERVER_DIR = "server"
CERT_FILE = "server-cert.pem"
KEY_FILE = "server-key.pem"
VALIDITY = dt.timedelta(days=730)


@dataclass(frozen=True)
class ServerIdentity:
    """Where the server's certificate and key are, and the fingerprint stations pin."""

    cert_path: Path
    key_path: Path
    fingerprint: str


def event_server_identity(folder: EventFolder, config: EventConfig) -> ServerIdentity:
    """The event's server certificate (made on first use, in `<event>/server/`)."""
    return ensure_identity(folder.root / SERVER_DIR, config.name_en)


def ensure_identity(directory: Path, event_name: str) -> ServerIdentity:
    """The event's server certificate, generated on first use (ECDSA P-256, self-signed)."""
    private_dir(directory)
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    if not (cert_path.is_file() and key_path.is_file()):
        _generate(cert_path, key_path, event_name)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    der = cert.public_bytes(serialization.Encoding.DER)
    return ServerIdentity(cert_path, key_path, certificate_fingerprint(der))


def _generate(cert_path: Path, key_path: Path, event_name: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "AIFF event server"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, event_name[:64] or "AIFF"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    alt_names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    log.info("generated the event server certificate in %s", cert_path.parent)


def lan_address() -> str:
    """This laptop's address on the network the stations will use (127.0.0.1 if none).

    Asks the kernel which interface would route to a private address; no packet is sent.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"
    return address if address != "0.0.0.0" else "127.0.0.1"
