"""The vote page's address on the venue network, for the projector's QR code and the console.

`KIOSK_VOTE_URL` overrides it (e.g. a DNS name the venue's router gives the laptop). Otherwise
each IPv4 address of this machine's network interfaces (from `ip -4 -j addr`, read locally: no
packet is sent anywhere), loopback last.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import shutil
import socket
import subprocess

log = logging.getLogger(__name__)

URL_ENV = "KIOSK_VOTE_URL"
DEFAULT_VOTE_PORT = 8080  # plain HTTP, its own port: see README, The Viewer's Award


def local_ipv4_addresses() -> list[str]:
    """This machine's IPv4 addresses, venue-looking (private) first, loopback last."""
    found: list[str] = []
    ip_tool = shutil.which("ip")
    if ip_tool:
        try:
            out = subprocess.run(
                [ip_tool, "-4", "-j", "addr"], capture_output=True, timeout=5, check=False
            ).stdout
            for interface in json.loads(out or b"[]"):
                for info in interface.get("addr_info", []):
                    local = info.get("local")
                    if isinstance(local, str):
                        found.append(local)
        except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
            log.warning("could not list the network addresses with `ip`")
    if not found:
        try:
            found = sorted(
                {
                    str(i[4][0])
                    for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
                }
            )
        except OSError:
            found = []

    def rank(address: str) -> tuple[int, str]:
        parsed = ipaddress.ip_address(address)
        return (2 if parsed.is_loopback else 0 if parsed.is_private else 1, address)

    return sorted(dict.fromkeys(found), key=rank)


def vote_urls(port: int, host: str = "0.0.0.0") -> list[str]:
    """The addresses a phone can open the vote page at, best first."""
    override = os.environ.get(URL_ENV)
    if override:
        return [override]
    suffix = "" if port == 80 else f":{port}"
    if host not in ("0.0.0.0", ""):
        return [f"http://{host}{suffix}/"]
    addresses = local_ipv4_addresses() or ["127.0.0.1"]
    return [f"http://{address}{suffix}/" for address in addresses]


def vote_page_answers(port: int = DEFAULT_VOTE_PORT, timeout_s: float = 0.2) -> bool:
    """Whether something listens on this machine's vote page port (the event server)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s):
            return True
    except OSError:
        return False
