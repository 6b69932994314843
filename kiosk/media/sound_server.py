"""Does the PulseAudio server answer? A cheap probe for when no film plays.

While a film plays, libvlc's own log says at once when its sound server goes (see
`kiosk.core.audio_watch`). Between films it says nothing (measured: PulseAudio SIGKILLed at a
title card was first noticed when the next film started, 4.7 s later). A connect() to the
server's native socket costs microseconds: refused, or the socket gone, means the server is
dead. (A server that is alive but whose sink went is only seen when a film plays.)

The probe connects where libpulse connects. A unix socket address holds at most
`SUN_PATH_BYTES` bytes (with its NUL); libpulse, in the server binding the socket and in the
client (libvlc) connecting to it, copies a longer path cut to fit (`pa_strlcpy` into
`sun_path`), so both meet at the cut path and the sound plays. Python refuses such a path
("AF_UNIX path too long"): the probe took a live server for a dead one every 2 s, and the
alarm's reconnects broke the films' sound up (heard 1-2 s of each 6 s film, measured with the
116-character socket path of a pytest temporary folder).
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys
from pathlib import Path

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 0.2
# sizeof(struct sockaddr_un.sun_path): 108 on Linux, 104 on macOS and the BSDs
SUN_PATH_BYTES = 108 if sys.platform.startswith("linux") else 104


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
        probe.connect(socket_address(path))
        return True
    except TimeoutError:
        return True  # busy, not dead: its backlog is full
    except OSError as exc:
        if exc.errno not in (errno.ECONNREFUSED, errno.ENOENT):
            log.debug("PulseAudio probe on %s: %s", path, exc)
        return False
    finally:
        probe.close()


def socket_address(path: Path) -> bytes:
    """The address libpulse uses for the socket at `path`: the path's bytes, cut to fit
    `sun_path` with its terminating NUL, as `pa_strlcpy` copies them."""
    return os.fsencode(path)[: SUN_PATH_BYTES - 1]
