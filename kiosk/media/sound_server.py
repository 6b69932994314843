"""Does the PulseAudio server answer? A cheap probe for when no film plays.

While a film plays, libvlc's own log says at once when its sound server goes (see
`kiosk.core.audio_watch`). Between films it says nothing (measured: PulseAudio SIGKILLed at a
title card was first noticed when the next film started, 4.7 s later). A connect() to the
server's native socket costs microseconds: refused, or the socket gone, means the server is
dead. (A server that is alive but whose sink went is only seen when a film plays.)
"""

from __future__ import annotations

import errno
import logging
import os
import socket
from pathlib import Path

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 0.2


def pulse_socket(environ: dict[str, str] | None = None) -> Path | None:
    """The native socket a PulseAudio client would use (PULSE_SERVER if it names a unix
    socket, else $XDG_RUNTIME_DIR/pulse/native); None if it cannot be told."""
    env = os.environ if environ is None else environ
    server = env.get("PULSE_SERVER", "")
    if server:
        first = server.split()[0]
        if first.startswith("unix:"):
            return Path(first.removeprefix("unix:"))
        if first.startswith("/"):
            return Path(first)
        return None  # a TCP server: not probed
    runtime = env.get("XDG_RUNTIME_DIR")
    return Path(runtime) / "pulse" / "native" if runtime else None


def pulse_answers(path: Path) -> bool:
    """True if something accepts connections on the server's socket."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(PROBE_TIMEOUT_S)
    try:
        probe.connect(str(path))
        return True
    except TimeoutError:
        return True  # busy, not dead: its backlog is full
    except OSError as exc:
        if exc.errno not in (errno.ECONNREFUSED, errno.ENOENT):
            log.debug("PulseAudio probe on %s: %s", path, exc)
        return False
    finally:
        probe.close()
