"""Desktop notifications during the night: are they quiet, and GNOME's Do Not Disturb.

GNOME keeps Do Not Disturb as the setting `org.gnome.desktop.notifications show-banners`
(false = Do Not Disturb on). The console offers to turn it on for the night and puts back what
the operator had when the console closes. Read and written through the `gsettings` tool, which
talks to the session's dconf (a short subprocess: call it off the GUI thread).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Mapping

log = logging.getLogger(__name__)

SCHEMA = "org.gnome.desktop.notifications"
KEY = "show-banners"
TIMEOUT_S = 5.0


def _gsettings(environ: Mapping[str, str], *args: str) -> str | None:
    tool = shutil.which("gsettings")
    if tool is None:
        return None
    try:
        result = subprocess.run(
            [tool, *args],
            env=dict(environ),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("gsettings %s: %s", " ".join(args), exc)
        return None
    if result.returncode != 0:
        log.info("gsettings %s: %s", " ".join(args), result.stderr.strip())
        return None
    return result.stdout.strip()


def notifications_quiet(environ: Mapping[str, str]) -> bool | None:
    """True: GNOME's Do Not Disturb is on; False: banners will pop up; None: not known here
    (not GNOME, no gsettings)."""
    value = _gsettings(environ, "get", SCHEMA, KEY)
    if value not in ("true", "false"):
        return None
    return value == "false"


class DoNotDisturb:
    """Turns GNOME's Do Not Disturb on for the night and puts the operator's setting back."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        self._was_quiet: bool | None = None

    def turn_on(self) -> bool:
        """Do Not Disturb on; remembers what it was. False when it could not be set."""
        before = notifications_quiet(self._environ)
        if before is None:
            return False
        if self._was_quiet is None:
            self._was_quiet = before
        if before:
            return True
        ok = _gsettings(self._environ, "set", SCHEMA, KEY, "false") is not None
        log.info("Do Not Disturb %s for the night", "on" if ok else "could NOT be turned on")
        return ok and notifications_quiet(self._environ) is True

    def restore(self) -> None:
        """Put back what the operator had before `turn_on` (nothing if it was never called)."""
        was, self._was_quiet = self._was_quiet, None
        if was is None or was:
            return
        _gsettings(self._environ, "set", SCHEMA, KEY, "true")
        log.info("Do Not Disturb back off, as it was before the night")
