"""Where the host's tablet finds the stage display: the pairing token and the link to scan.

The token is kept in the event folder (`stage-display.token`, mode 0600) so that a tablet
paired before a console restart keeps working; `results` and tickets are not reachable with it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from kiosk.store.event_folder import EventFolder
from kiosk.store.server_identity import lan_address

TOKEN_FILE = "stage-display.token"


@dataclass(frozen=True)
class StageLink:
    """The stage display's token and the URL its pairing QR carries."""

    token: str
    url: str


def stage_display_link(folder: EventFolder, port: int, host: str | None = None) -> StageLink:
    """The token (made on first use) and the URL on this laptop's venue address."""
    path = folder.root / TOKEN_FILE
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = ""
    if len(token) < 16:
        token = secrets.token_urlsafe(18)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(token + "\n")
    where = host or lan_address()
    return StageLink(token, f"http://{where}:{port}/stage?t={token}")
